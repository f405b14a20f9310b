"""Signed links that stand in for an account: the volunteer's own page (the "magic link") and
one-click unsubscribe.

A link carries the organization's id, the volunteer's id and a fingerprint of the volunteer's
secret (`Volunteer.calendar_token`), signed with the site's SECRET_KEY and a salt of its own.
Resetting the secret (from the volunteer's page) ends every link sent before it, and the old
calendar feed address with them. The own-page link expires after LINK_MAX_AGE.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import timedelta

from django.core import signing

from ifm.tenancy.models import Organization
from ifm.volunteers.models import Volunteer

LINK_MAX_AGE = timedelta(days=30)
LINK_SALT = "ifm.volunteers.public.own-page"
UNSUBSCRIBE_SALT = "ifm.volunteers.public.unsubscribe"


class LinkProblem(Exception):
    """Why a link cannot be used: `status` is the HTTP answer (400 altered or unreadable, 410
    expired or revoked), `message` what to tell the person."""

    def __init__(self, message: str, status: int):
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass(frozen=True)
class LinkHolder:
    organization_id: int
    volunteer_id: int
    fingerprint: str


def _fingerprint(volunteer: Volunteer) -> str:
    return hashlib.sha256(volunteer.calendar_token.encode()).hexdigest()[:16]


def _dumps(volunteer: Volunteer, salt: str) -> str:
    payload = {"o": volunteer.organization_id, "v": volunteer.pk, "k": _fingerprint(volunteer)}
    return signing.dumps(payload, salt=salt, compress=True)


def own_page_token(volunteer: Volunteer) -> str:
    return _dumps(volunteer, LINK_SALT)


def unsubscribe_token(volunteer: Volunteer) -> str:
    return _dumps(volunteer, UNSUBSCRIBE_SALT)


def _read(token: str, salt: str, max_age: timedelta | None) -> LinkHolder:
    try:
        data = signing.loads(token, salt=salt, max_age=max_age)
    except signing.SignatureExpired:
        raise LinkProblem("This link has expired.", 410) from None
    except signing.BadSignature:
        raise LinkProblem(
            "This link is not valid: it may have been cut short or altered.", 400
        ) from None
    try:
        return LinkHolder(int(data["o"]), int(data["v"]), str(data["k"]))
    except (KeyError, TypeError, ValueError):
        raise LinkProblem("This link is not valid.", 400) from None


def _holder(organization: Organization, holder: LinkHolder, *, revocable: bool) -> Volunteer:
    if holder.organization_id != organization.pk:
        raise LinkProblem("This link is not valid here.", 400)
    volunteer = Volunteer.objects.filter(pk=holder.volunteer_id).first()
    if volunteer is None:
        raise LinkProblem("This link is no longer valid.", 410)
    if revocable and not hmac.compare_digest(_fingerprint(volunteer), holder.fingerprint):
        raise LinkProblem("This link is no longer valid: a newer one replaced it.", 410)
    return volunteer


def volunteer_from_own_page_token(organization: Organization, token: str) -> Volunteer:
    """The volunteer a link was sent to, or LinkProblem. Runs in the organization's context."""
    return _holder(organization, _read(token, LINK_SALT, LINK_MAX_AGE), revocable=True)


def volunteer_from_unsubscribe_token(organization: Organization, token: str) -> Volunteer:
    """Unsubscribe links never expire and survive a reset of the secret: an old email's
    link must keep working."""
    return _holder(organization, _read(token, UNSUBSCRIBE_SALT, None), revocable=False)
