"""The reports home: every report there is, with what it shows, for the roles that may see it."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render

from ifm.accounts.http import OrgRequest
from ifm.tenancy.permissions import has_perm

REPORTS = [
    (
        "reports.financial",
        "reports:financial_position",
        "Statement of financial position",
        "Assets, liabilities and net assets without and with donor restrictions on a date, "
        "beside the prior year-end or another date.",
    ),
    (
        "reports.financial",
        "reports:activities",
        "Statement of activities",
        "Revenue and support by net-asset class, releases from restriction, expenses by "
        "function and the change in net assets for a period; by fund or program.",
    ),
    (
        "reports.financial",
        "reports:functional_expenses",
        "Statement of functional expenses",
        "Each expense account by program, management and general, and fundraising, as "
        "Form 990 Part IX lays them out.",
    ),
]


@login_required
def home(request: OrgRequest, org_slug: str) -> HttpResponse:
    access = request.access
    if not (has_perm(access, "reports.financial") or has_perm(access, "reports.fundraising")):
        raise PermissionDenied("Your role may not see the reports.")
    reports = [
        {"url": url, "title": title, "description": text}
        for perm, url, title, text in REPORTS
        if has_perm(access, perm)
    ]
    return render(request, "reports/home.html", {"reports": reports})
