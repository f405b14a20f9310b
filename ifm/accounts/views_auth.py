"""Pages of sign-in security that are not allauth's own: the admin unlock."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_POST

from ifm.accounts.lockout import lockout_clear
from ifm.tenancy.models import Membership
from ifm.tenancy.permissions import require_perm


def _members_url(org_slug: str) -> str:
    try:
        return reverse("members", kwargs={"org_slug": org_slug})
    except NoReverseMatch:
        return reverse("dashboard", kwargs={"org_slug": org_slug})


@require_POST
@login_required
def member_unlock(request: HttpRequest, org_slug: str, membership_id: int) -> HttpResponse:
    org = request.org  # type: ignore[attr-defined]
    access = request.access  # type: ignore[attr-defined]
    require_perm(access, "members.manage")
    # The default manager is scoped to request.org: another organization's member is a 404.
    membership = get_object_or_404(Membership.objects.select_related("user"), pk=membership_id)
    lockout_clear(organization=org, membership=membership, actor=request.user, actor_access=access)
    messages.success(request, f"{membership.user.email} can sign in again.")
    return redirect(_members_url(org.slug))
