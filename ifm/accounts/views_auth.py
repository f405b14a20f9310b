"""Pages of sign-in security that are not allauth's own.

The code step after the password and before security changes (allauth's views with the attempt
limit), the Django admin's sign-in (sent to ours), the admin unlock.
"""

from __future__ import annotations

from typing import Any

from allauth.account.internal.stagekit import clear_login
from allauth.mfa.base.views import AuthenticateView, ReauthenticateView
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_POST

from ifm.accounts.forms import TOO_MANY_CODES, SecondFactorForm, SecondFactorReauthenticateForm
from ifm.accounts.http import OrgRequest
from ifm.accounts.lockout import lockout_clear
from ifm.accounts.twofactor import code_attempts_reset
from ifm.tenancy.models import Membership
from ifm.tenancy.permissions import require_perm


def _members_url(org_slug: str) -> str:
    try:
        return reverse("orgs:members", kwargs={"org_slug": org_slug})
    except NoReverseMatch:
        return reverse("orgs:dashboard", kwargs={"org_slug": org_slug})


@require_POST
@login_required
def member_unlock(request: OrgRequest, org_slug: str, membership_id: int) -> HttpResponse:
    org = request.org
    access = request.access
    require_perm(access, "members.manage")
    # The default manager is scoped to request.org: another organization's member is a 404.
    membership = get_object_or_404(Membership.objects.select_related("user"), pk=membership_id)
    lockout_clear(organization=org, membership=membership, actor=request.user, actor_access=access)
    messages.success(request, f"{membership.user.email} can sign in again.")
    return redirect(_members_url(org.slug))


def _back_to_password_step(request: HttpRequest) -> HttpResponse:
    code_attempts_reset(request)
    messages.error(request, TOO_MANY_CODES)
    # While the account is locked, django-axes answers with the lockout page instead.
    return redirect("account_login")


class SecondFactorView(AuthenticateView):
    """The code after the password; too many wrong codes end the half-finished sign-in."""

    form_class = SecondFactorForm

    def form_invalid(self, form: Any) -> HttpResponse:
        if getattr(form, "attempts_exhausted", False):
            clear_login(self.request)
            return _back_to_password_step(self.request)
        return super().form_invalid(form)


class SecondFactorReauthenticateView(ReauthenticateView):
    """The code before a security change; too many wrong codes sign the person out."""

    form_class = SecondFactorReauthenticateForm

    def form_invalid(self, form: Any) -> HttpResponse:
        if getattr(form, "attempts_exhausted", False):
            return _back_to_password_step(self.request)
        return super().form_invalid(form)


second_factor = SecondFactorView.as_view()
second_factor_reauthenticate = SecondFactorReauthenticateView.as_view()


def admin_login(request: HttpRequest) -> HttpResponse:
    """The Django admin's sign-in form is never served: everyone signs in through our flow
    (password, then the second factor), which IFM staff must use before the admin opens."""
    next_url = request.GET.get("next") or reverse("admin:index")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = reverse("admin:index")
    if request.user.is_authenticated:
        # Signed in but not admitted by the admin (not staff): say so instead of looping.
        messages.error(request, "Your account may not use the administration site.")
        return redirect("home")
    return redirect(reverse("account_login") + "?" + urlencode({"next": next_url}))
