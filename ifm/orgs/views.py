from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from ifm.accounts import lockout
from ifm.accounts import selectors as account_selectors
from ifm.accounts.forms import InvitationForm
from ifm.accounts.http import OrgRequest, UserRequest
from ifm.accounts.services import invitation_create, invitation_revoke
from ifm.core.errors import ConflictError, ServiceError
from ifm.core.icons import icon
from ifm.core.sorting import SortOptions
from ifm.orgs.dashboard import DashboardContext, dashboard_for
from ifm.orgs.forms import (
    MemberFilterForm,
    MemberRoleForm,
    MemberStatusForm,
    OrganizationSettingsForm,
)
from ifm.orgs.services import LOGO_MAX_BYTES, membership_update, organization_update
from ifm.tenancy import modules as tenancy_modules
from ifm.tenancy.forms import add_service_errors
from ifm.tenancy.models import Membership, Organization
from ifm.tenancy.permissions import has_perm, require_perm
from ifm.tenancy.roles import Role

MEMBERS_PER_PAGE = 25
MEMBER_SORTS = SortOptions(
    {
        "name": ("user__full_name", "user__email"),
        "email": ("user__email",),
        "role": ("role", "user__full_name"),
        "status": ("is_active", "user__full_name"),
    },
    default="name",
)


# The logo's types, recognised by the first bytes of the stored file (the upload allows these).
LOGO_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)


@login_required
def org_logo(request: OrgRequest, org_slug: str) -> HttpResponse:
    """The organization's logo for its members' pages, read through storage after the
    membership check, so it shows the same on local disk and in a private bucket (whose signed
    links the pages' content policy would not load)."""
    logo = request.org.logo
    if not logo:
        raise Http404("This organization has no logo.")
    try:
        with logo.storage.open(str(logo.name), "rb") as handle:
            data = handle.read(LOGO_MAX_BYTES + 1)
    except FileNotFoundError:
        raise Http404("The logo's file is missing.") from None
    content_type = next((t for sig, t in LOGO_SIGNATURES if data.startswith(sig)), None)
    if content_type is None or len(data) > LOGO_MAX_BYTES:
        raise Http404("The stored logo is not an image this page can show.")
    response = HttpResponse(data, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=300"
    return response


@login_required
def home(request: UserRequest) -> HttpResponse:
    """Send a signed-in person to their last organization, or the first they belong to."""
    orgs = request.user_orgs
    last = request.session.get("org_slug")
    for org in orgs:
        if org.slug == last:
            return redirect("orgs:dashboard", org_slug=org.slug)
    if orgs:
        return redirect("orgs:dashboard", org_slug=orgs[0].slug)
    return render(request, "orgs/no_organization.html")


def _url_or_none(name: str, org: Organization, **kwargs: Any) -> str | None:
    """The URL of a page another module may or may not provide yet."""
    try:
        return reverse(name, kwargs={"org_slug": org.slug, **kwargs})
    except NoReverseMatch:
        return None


@login_required
def dashboard(request: OrgRequest, org_slug: str) -> HttpResponse:
    org: Organization = request.org
    access = request.access
    # Modules an app has not built yet simply do not resolve and are left out.
    modules = [
        (
            "ledger.view",
            "ledger:ledger_home",
            "Ledger",
            "Journal, chart of accounts, funds, balances.",
            icon("book"),
        ),
        (
            "donors.view",
            "donors:donor_list",
            "Donors",
            "Donors, gifts, gift batches and receipts.",
            icon("heart"),
        ),
        (
            "expenses.submit",
            "expenses:expense_list",
            "Expenses",
            "Claims and bills, receipts, approvals.",
            icon("receipt"),
        ),
        (
            "expenses.approve",
            "expenses:expense_queue",
            "Approval queue",
            "Expenses waiting for you.",
            icon("check2-square"),
        ),
        (
            "members.view",
            "orgs:members",
            "Members",
            "People, roles and invitations.",
            icon("people"),
        ),
        (
            "org.edit",
            "orgs:org_settings",
            "Settings",
            "Name, address, EIN, fiscal year, logo.",
            icon("gear"),
        ),
        (
            "tokens.manage",
            "orgs:api_tokens",
            "API tokens",
            "Tokens for scripts and integrations.",
            icon("key"),
        ),
        (
            "audit.view",
            "audit:audit_log",
            "Audit log",
            "Who changed what, and when.",
            icon("journal-text"),
        ),
        (
            "jobs.view",
            "ops:org_jobs",
            "Background jobs",
            "Imports, exports and emails.",
            icon("hourglass"),
        ),
    ]
    cards = []
    for code, url_name, title, description, picture in modules:
        url = _url_or_none(url_name, org)
        if url and has_perm(access, code) and tenancy_modules.is_page_enabled(org, url_name):
            cards.append({"title": title, "description": description, "url": url, "icon": picture})
    checklist = []
    if has_perm(access, "org.edit"):
        settings_done = all(
            [org.legal_name, org.ein, org.address_line1, org.city, org.postal_code, org.phone]
        )
        invited = (
            account_selectors.member_list(organization=org).count() > 1
            or account_selectors.invitation_list_pending(organization=org).exists()
        )
        checklist = [
            {
                "label": "Fill in the organization's legal details and address",
                "done": settings_done,
                "url": reverse("orgs:org_settings", kwargs={"org_slug": org.slug}),
            },
            {
                "label": "Invite your team",
                "done": invited,
                "url": reverse("orgs:members", kwargs={"org_slug": org.slug}),
            },
            {
                "label": "Turn on two-factor authentication for your account",
                "done": account_selectors.user_has_2fa(request.user),
                "url": reverse("mfa_index"),
            },
        ]
    tiles = DashboardContext(
        organization=org, user=request.user, access=access, today=timezone.localdate()
    )
    return render(
        request,
        "orgs/dashboard.html",
        {
            "sections": dashboard_for(tiles),
            "cards": cards,
            "checklist": checklist,
            "checklist_done": all(item["done"] for item in checklist),
        },
    )


# --- Members -----------------------------------------------------------------------------------


def _member_or_404(request: OrgRequest, membership_id: int) -> Membership:
    membership = account_selectors.member_get(
        organization=request.org,
        membership_id=membership_id,
    )
    if membership is None:
        raise Http404("No such member.")
    return membership


def _decorate_members(request: OrgRequest, members: list[Membership]) -> None:
    """Lockout state for the Unlock button, when the lockout module offers unlocking."""
    org: Organization = request.org
    is_locked_out = getattr(lockout, "is_locked_out", None)
    can_unlock = (
        is_locked_out is not None
        and has_perm(request.access, "members.manage")
        and _url_or_none("orgs:member_unlock", org, membership_id=0) is not None
    )
    for member in members:
        # Shown by the member row template only, so kept on the row rather than the model.
        vars(member).update(
            locked_out=bool(can_unlock and is_locked_out and is_locked_out(member.user.email)),
            unlock_url=(
                _url_or_none("orgs:member_unlock", org, membership_id=member.pk)
                if can_unlock
                else None
            ),
        )


def _row_context(request: OrgRequest) -> dict[str, Any]:
    access = request.access
    return {
        "roles": Role.choices,
        "can_manage": has_perm(access, "members.manage"),
        "me": request.user,
    }


def _members_page(
    request: OrgRequest,
    *,
    invite_form: InvitationForm | None = None,
    row_errors: dict[int, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    org: Organization = request.org
    filters = MemberFilterForm(request.GET or None)
    q = role = member_status = ""
    if filters.is_valid():
        q = filters.cleaned_data["q"]
        role = filters.cleaned_data["role"]
        member_status = filters.cleaned_data["status"]
    members = account_selectors.member_list(organization=org, q=q, role=role, status=member_status)
    sorting = MEMBER_SORTS.read(request.GET)
    page = Paginator(sorting.apply(members), MEMBERS_PER_PAGE).get_page(request.GET.get("page"))
    page_members = list(page.object_list)
    _decorate_members(request, page_members)
    for member in page_members:
        vars(member)["row_error"] = (row_errors or {}).get(member.pk)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        **_row_context(request),
        "filters": filters if filters.is_bound else MemberFilterForm(),
        "page": page,
        "members": page_members,
        "sorting": sorting,
        "query": query.urlencode(),
        "invitations": account_selectors.invitation_list_pending(organization=org),
        "invite_form": invite_form or InvitationForm(),
    }
    return render(request, "orgs/members.html", context, status=status)


@login_required
def members(request: OrgRequest, org_slug: str) -> HttpResponse:
    require_perm(request.access, "members.view")
    return _members_page(request)


def _member_change(
    request: OrgRequest, membership_id: int, form_class: type[MemberRoleForm | MemberStatusForm]
) -> HttpResponse:
    membership = _member_or_404(request, membership_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    access = request.access
    require_perm(access, "members.manage")
    form = form_class(request.POST)
    error: str | None = None
    status = 200
    if not form.is_valid():
        error = "; ".join(str(e) for errors in form.errors.values() for e in errors)
        status = 422
    else:
        try:
            membership_update(
                organization=request.org,
                membership=membership,
                actor=request.user,
                expected_version=form.cleaned_data["version"],
                role=form.cleaned_data.get("role"),
                is_active=form.cleaned_data.get("is_active"),
            )
        except ServiceError as exc:
            error = exc.message
            status = exc.status
    if error is None and not request.htmx:
        messages.success(request, f"Saved the changes to {membership.user}.")
        return redirect(reverse("orgs:members", kwargs={"org_slug": request.org.slug}))
    if request.htmx:
        fresh = _member_or_404(request, membership_id)
        _decorate_members(request, [fresh])
        vars(fresh).update(row_error=error, row_saved=error is None)
        # 200 so htmx swaps the row in, with its error beside the form.
        return render(request, "orgs/_member_row.html", {**_row_context(request), "m": fresh})
    return _members_page(request, row_errors={membership.pk: error or ""}, status=status)


@login_required
def member_role(request: OrgRequest, org_slug: str, membership_id: int) -> HttpResponse:
    return _member_change(request, membership_id, MemberRoleForm)


@login_required
def member_status(request: OrgRequest, org_slug: str, membership_id: int) -> HttpResponse:
    return _member_change(request, membership_id, MemberStatusForm)


@login_required
def member_invite(request: OrgRequest, org_slug: str) -> HttpResponse:
    access = request.access
    require_perm(access, "members.manage")
    if request.method != "POST":
        return redirect("orgs:members", org_slug=org_slug)
    form = InvitationForm(request.POST)
    if form.is_valid():
        try:
            invitation, _token = invitation_create(
                organization=request.org,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                actor=request.user,
                actor_access=access,
            )
        except ServiceError as exc:
            add_service_errors(form, exc)
        else:
            hours = int((invitation.expires_at - invitation.created_at).total_seconds() // 3600)
            messages.success(
                request,
                f"Invitation sent to {invitation.email}. The link is valid for {hours} hours.",
            )
            return redirect("orgs:members", org_slug=org_slug)
    return _members_page(request, invite_form=form, status=422)


@login_required
def invitation_revoke_view(request: OrgRequest, org_slug: str, invitation_id: int) -> HttpResponse:
    org: Organization = request.org
    invitation = account_selectors.invitation_get(organization=org, invitation_id=invitation_id)
    if invitation is None:
        raise Http404("No such invitation.")
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        invitation_revoke(
            organization=org,
            invitation=invitation,
            actor=request.user,
            actor_access=request.access,
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"The invitation of {invitation.email} was withdrawn.")
    return redirect("orgs:members", org_slug=org_slug)


# --- Settings ----------------------------------------------------------------------------------


@login_required
def org_settings(request: OrgRequest, org_slug: str) -> HttpResponse:
    access = request.access
    require_perm(access, "org.edit")
    org: Organization = request.org
    status = 200
    conflict: str | None = None
    if request.method == "POST":
        form = OrganizationSettingsForm(request.POST, request.FILES, instance=org)
        if form.is_valid():
            try:
                organization_update(
                    organization=org,
                    actor=request.user,
                    access=access,
                    expected_version=form.cleaned_data["version"],
                    **form.service_fields(),
                )
            except ConflictError as exc:
                conflict = exc.message
                status = exc.status
                org.refresh_from_db()
            except ServiceError as exc:
                status = exc.status
                org.refresh_from_db()
                add_service_errors(form, exc)
            else:
                messages.success(request, "Settings saved.")
                return redirect("orgs:org_settings", org_slug=org.slug)
        else:
            status = 422
    else:
        form = OrganizationSettingsForm(instance=org)
    return render(
        request,
        "orgs/settings.html",
        {
            "form": form,
            "conflict": conflict,
            "current_version": org.version,
            "module_states": tenancy_modules.module_states(org),
        },
        status=status,
    )
