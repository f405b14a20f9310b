from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Send a signed-in person to their last organization, or the first they belong to."""
    orgs = request.user_orgs  # type: ignore[attr-defined]
    last = request.session.get("org_slug")
    for org in orgs:
        if org.slug == last:
            return redirect("dashboard", org_slug=org.slug)
    if orgs:
        return redirect("dashboard", org_slug=orgs[0].slug)
    return render(request, "tenancy/no_organization.html")


@login_required
def dashboard(request: HttpRequest, org_slug: str) -> HttpResponse:
    return render(request, "tenancy/dashboard.html")
