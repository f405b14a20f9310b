"""What the ledger areas' pages share: table exports and the edit-form round trip."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import partial
from typing import Any

from django.contrib import messages
from django.http import HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render

from ifm.accounts.http import OrgRequest
from ifm.core import exports
from ifm.core.errors import ConflictError, ServiceError
from ifm.core.org_context import org_context
from ifm.tenancy.forms import add_service_errors
from ifm.tenancy.models import Organization


def table_export(
    fmt: str,
    *,
    organization: Organization,
    filename: str,
    title: str,
    header: list[str],
    rows: Callable[[], Iterable[list[Any]]],
) -> HttpResponseBase:
    """A table as streamed CSV or as XLSX. `rows` is called inside the organization's scope
    (the CSV is written after the view returned)."""
    if fmt == "csv":
        return exports.csv_response(
            header, rows, filename=filename, scope=partial(org_context, organization)
        )
    with org_context(organization):
        return exports.xlsx_response(header, rows(), filename=filename, title=title)


def edit_response(
    request: OrgRequest,
    template: str,
    context: dict[str, Any],
    *,
    save: Callable[[], Any],
    form: Any,
    success: Callable[[Any], str],
    redirect_to: str,
) -> HttpResponse:
    """Run `save` (a service call) for a valid POSTed form; errors go beside the fields, a
    stale version becomes the conflict message."""

    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                obj = save()
            except ConflictError as exc:
                context["conflict"] = exc.message
                status = exc.status
            except ServiceError as exc:
                add_service_errors(form, exc)
                status = exc.status
            else:
                messages.success(request, success(obj))
                return redirect(redirect_to)
    return render(request, template, {**context, "form": form}, status=status)
