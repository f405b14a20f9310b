"""The reports home: every report there is, with what it shows, for the roles that may see it."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render

from ifm.accounts.http import OrgRequest
from ifm.ledger.periods.fiscal_years import fiscal_year_bounds, organization_today
from ifm.reports.catalog import entries
from ifm.reports.tieout.selectors import tie_summary
from ifm.tenancy.permissions import has_perm


@login_required
def home(request: OrgRequest, org_slug: str) -> HttpResponse:
    access = request.access
    if not (has_perm(access, "reports.financial") or has_perm(access, "reports.fundraising")):
        raise PermissionDenied("Your role may not see the reports.")
    sections: dict[str, list[dict[str, str]]] = {}
    for entry in entries():
        if has_perm(access, entry.perm):
            sections.setdefault(entry.section, []).append(
                {"url": entry.url, "title": entry.title, "description": entry.description}
            )
    tie = None
    if has_perm(access, "reports.financial"):
        # The tie-out of the fiscal year to date, as the tie-out page opens by default.
        today = organization_today(request.org)
        start = fiscal_year_bounds(request.org, today)[0]
        tie = tie_summary(date_from=start, date_to=today) | {"from": start, "to": today}
    return render(request, "reports/home.html", {"sections": sections, "tie": tie})
