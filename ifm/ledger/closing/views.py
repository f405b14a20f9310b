"""Closing a fiscal year from the periods page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.urls import reverse

from ifm.accounts.http import OrgRequest
from ifm.core.errors import ServiceError
from ifm.core.pages import get_or_404
from ifm.ledger.closing.services import fiscal_year_close
from ifm.ledger.models import FiscalYear
from ifm.tenancy.permissions import require_perm


@login_required
def fiscal_year_close_view(request: OrgRequest, org_slug: str, fiscal_year_id: int) -> HttpResponse:
    fiscal_year = get_or_404(FiscalYear.objects.all(), fiscal_year_id, "fiscal year")
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    require_perm(request.access, "ledger.close_periods")
    try:
        entry = fiscal_year_close(
            organization=request.org,
            actor=request.user,
            access=request.access,
            fiscal_year=fiscal_year,
        )
    except ServiceError as exc:
        messages.error(request, f"{fiscal_year.name}: {exc.message}")
    else:
        closing = (
            f" with the closing entry {entry}" if entry else " (nothing to close into net assets)"
        )
        messages.success(request, f"Closed {fiscal_year.name}{closing}.")
    return redirect(
        reverse("ledger:ledger_periods", kwargs={"org_slug": org_slug}) + f"#fy-{fiscal_year.pk}"
    )
