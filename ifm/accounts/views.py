from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse

from ifm.accounts import selectors, services
from ifm.accounts.forms import ApiTokenCreateForm, InvitationAcceptForm, ProfileForm
from ifm.accounts.http import OrgRequest
from ifm.accounts.models import User
from ifm.accounts.services import (
    api_token_create,
    api_token_revoke,
    invitation_for_token,
    invitation_problem,
    may_revoke_token,
)
from ifm.core.errors import ServiceError
from ifm.tenancy.forms import add_service_errors
from ifm.tenancy.models import Organization
from ifm.tenancy.permissions import has_perm, require_perm

SESSION_BACKEND = "django.contrib.auth.backends.ModelBackend"


def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """The link in the invitation email: create an account (or use the signed-in one) and join."""
    invitation = invitation_for_token(token)
    problem = invitation_problem(invitation)
    if problem or invitation is None:
        status = 404 if invitation is None else 410
        return render(
            request, "accounts/invitation_invalid.html", {"problem": problem}, status=status
        )
    signed_in = request.user.is_authenticated
    wrong_user = signed_in and request.user.email.lower() != invitation.email  # type: ignore[union-attr]
    has_account = not signed_in and User.objects.filter(email__iexact=invitation.email).exists()
    login_url = reverse("account_login") + "?" + urlencode({"next": request.path})
    form = InvitationAcceptForm()
    error: str | None = None
    status = 200
    if request.method == "POST" and not wrong_user and not has_account:
        if not signed_in:
            form = InvitationAcceptForm(request.POST)
        if signed_in or form.is_valid():
            try:
                membership = services.invitation_accept(
                    token=token,
                    password=None if signed_in else form.cleaned_data["password"],
                    full_name="" if signed_in else form.cleaned_data["full_name"],
                    user=request.user if signed_in else None,
                )
            except ServiceError as exc:
                status = exc.status
                if signed_in:
                    error = exc.message
                else:
                    add_service_errors(form, exc)
            else:
                if not signed_in:
                    login(request, membership.user, backend=SESSION_BACKEND)
                messages.success(request, f"Welcome to {invitation.organization.name}.")
                return redirect("orgs:dashboard", org_slug=invitation.organization.slug)
        else:
            status = 422
    return render(
        request,
        "accounts/invitation_accept.html",
        {
            "invitation": invitation,
            "form": form,
            "error": error,
            "signed_in": signed_in,
            "wrong_user": wrong_user,
            "has_account": has_account,
            "login_url": login_url,
        },
        status=status,
    )


@login_required
def api_tokens(request: OrgRequest, org_slug: str) -> HttpResponse:
    org: Organization = request.org
    access = request.access
    require_perm(access, "tokens.manage")
    form = ApiTokenCreateForm()
    status = 200
    if request.method == "POST":
        form = ApiTokenCreateForm(request.POST)
        if form.is_valid():
            try:
                api_token, secret = api_token_create(
                    organization=org,
                    user=request.user,
                    access=access,
                    name=form.cleaned_data["name"],
                )
            except ServiceError as exc:
                form.add_error("name", exc.message)
                status = exc.status
            else:
                # Rendered, not redirected: the token exists only in this one response.
                response = render(
                    request,
                    "accounts/token_created.html",
                    {"api_token": api_token, "secret": secret},
                    status=201,
                )
                response["Cache-Control"] = "no-store"
                return response
        else:
            status = 422
    others = None
    if has_perm(access, "members.manage"):
        others = selectors.api_token_list_for_organization(organization=org).exclude(
            user_id=request.user.pk or 0
        )
    return render(
        request,
        "accounts/tokens.html",
        {
            "form": form,
            "tokens": selectors.api_token_list(organization=org, user=request.user),
            "others": others,
        },
        status=status,
    )


@login_required
def api_token_revoke_view(request: OrgRequest, org_slug: str, token_id: int) -> HttpResponse:
    org: Organization = request.org
    access = request.access
    api_token = selectors.api_token_get(organization=org, token_id=token_id)
    if api_token is None or not may_revoke_token(
        token=api_token, actor=request.user, access=access
    ):
        # Someone else's token is none of a non-admin's business: same answer as a missing one.
        raise Http404("No such token.")
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    api_token_revoke(token=api_token, actor=request.user, access=access)
    messages.success(request, f"Token “{api_token.name}” revoked: it no longer works.")
    return redirect("orgs:api_tokens", org_slug=org.slug)


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    """The signed-in person's own page: name, organizations and roles, security, recent sign-ins."""
    user = request.user
    form = ProfileForm(request.POST or None, initial={"full_name": user.full_name})  # type: ignore[union-attr]
    if request.method == "POST" and form.is_valid():
        try:
            services.user_profile_update(user=user, full_name=form.cleaned_data["full_name"])  # type: ignore[arg-type]
        except ServiceError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Your profile was saved.")
            return redirect("accounts:profile")
    context = {
        "form": form,
        "memberships": selectors.user_memberships(user),
        "has_2fa": selectors.user_has_2fa(user),
        "sign_ins": selectors.user_recent_sign_ins(user),
    }
    return render(request, "accounts/profile.html", context, status=422 if form.errors else 200)
