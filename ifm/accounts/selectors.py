"""Reads of accounts: members, invitations, API tokens, two-factor enrolment.

Tenant reads use the scoped managers: callers run inside the organization's context.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any

from allauth.mfa.models import Authenticator
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import Lower
from django.utils import timezone

from ifm.accounts.models import ApiToken, Invitation
from ifm.audit.models import AuditEvent
from ifm.core.org_context import all_organizations
from ifm.tenancy.models import Membership, Organization


def user_has_2fa(user: Any) -> bool:
    return Authenticator.objects.filter(user=user).exists()


# Sign-in events that may mean someone is trying a member's password.
SIGN_IN_TROUBLE = ("auth.sign_in_failed", "auth.locked_out")
SIGN_IN_TROUBLE_DAYS = 7


def sign_in_trouble(
    *, organization: Organization, days: int = SIGN_IN_TROUBLE_DAYS
) -> Counter[str]:
    """Failed sign-ins and lockouts of the organization's members over the last `days` days,
    counted per member's email (lowercased). Sign-in events belong to no organization, so they
    are read across organizations, for the addresses of this organization's members only."""
    since = timezone.now() - timedelta(days=days)
    with all_organizations():
        emails = Membership.all_orgs.filter(organization=organization).values("user__email")
        rows = (
            AuditEvent.objects.filter(
                organization__isnull=True,
                action__in=SIGN_IN_TROUBLE,
                created_at__gte=since,
            )
            .annotate(email=Lower("actor_label"))
            .filter(email__in=emails.annotate(lowered=Lower("user__email")).values("lowered"))
            .values("email")
            .annotate(n=Count("pk"))
            .order_by()
        )
        return Counter({row["email"]: row["n"] for row in rows})


def member_list(
    *, organization: Organization, q: str = "", role: str = "", status: str = ""
) -> QuerySet[Membership]:
    """Memberships with their user and two-factor enrolment (`has_2fa`), for the members page.
    `status`: "active", "inactive", or "sign_in_trouble" (failed sign-ins or a lockout in the
    last week, see `sign_in_trouble`)."""
    qs = (
        Membership.objects.filter(organization=organization)
        .select_related("user", "updated_by")
        .annotate(has_2fa=Exists(Authenticator.objects.filter(user=OuterRef("user_id"))))
        .order_by("user__full_name", "user__email")
    )
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(user__email__icontains=q) | Q(user__full_name__icontains=q))
    if role:
        qs = qs.filter(role=role)
    if status == "active":
        qs = qs.filter(is_active=True)
    elif status == "inactive":
        qs = qs.filter(is_active=False)
    elif status == "sign_in_trouble":
        troubled = list(sign_in_trouble(organization=organization))
        qs = qs.annotate(email_lower=Lower("user__email")).filter(email_lower__in=troubled)
    return qs


def member_get(*, organization: Organization, membership_id: int) -> Membership | None:
    return (
        Membership.objects.filter(organization=organization, pk=membership_id)
        .select_related("user", "updated_by")
        .annotate(has_2fa=Exists(Authenticator.objects.filter(user=OuterRef("user_id"))))
        .first()
    )


def invitation_list_pending(*, organization: Organization) -> QuerySet[Invitation]:
    return (
        Invitation.objects.filter(
            organization=organization,
            accepted_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
        )
        .select_related("invited_by")
        .order_by("-created_at")
    )


def invitation_get(*, organization: Organization, invitation_id: int) -> Invitation | None:
    return Invitation.objects.filter(organization=organization, pk=invitation_id).first()


def api_token_list(*, organization: Organization, user: Any) -> QuerySet[ApiToken]:
    """The tokens of one user in one organization, newest first."""
    return ApiToken.objects.filter(organization=organization, user=user).order_by(
        F("revoked_at").asc(nulls_first=True), "-created_at"
    )


def api_token_list_for_organization(*, organization: Organization) -> QuerySet[ApiToken]:
    return (
        ApiToken.objects.filter(organization=organization)
        .select_related("user")
        .order_by("user__email", "-created_at")
    )


def api_token_get(*, organization: Organization, token_id: int) -> ApiToken | None:
    return (
        ApiToken.objects.filter(organization=organization, pk=token_id)
        .select_related("user", "organization")
        .first()
    )


def user_memberships(user: Any) -> list[Membership]:
    """Every active membership of a user, with its organization, for the profile page."""
    with all_organizations():
        return list(
            Membership.all_orgs.filter(user=user, is_active=True, organization__is_active=True)
            .select_related("organization")
            .order_by("organization__name")
        )


def user_recent_sign_ins(user: Any, limit: int = 10) -> list[Any]:
    """The person's own latest sign-in events (successful and failed), newest first."""
    with all_organizations():
        return list(
            AuditEvent.objects.filter(
                action__in=["auth.sign_in", "auth.sign_in_failed", "auth.locked_out"]
            )
            .filter(Q(actor=user) | Q(actor__isnull=True, actor_label=user.email))
            .order_by("-created_at")[:limit]
        )
