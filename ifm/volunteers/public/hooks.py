"""What the public area registers when the app is ready: the emails sent when a sign-up is
placed, promoted from the waitlist or cancelled (the signals come after the commit, so only
what was saved is told)."""

from __future__ import annotations

from typing import Any

from ifm.tenancy.models import Organization
from ifm.volunteers import signals
from ifm.volunteers.models import SignUp, SignUpSource
from ifm.volunteers.public import emails, tasks


def _queue(kind: str, signup: SignUp, organization: Organization) -> None:
    # A walk-in at the kiosk is already there: nothing to confirm by email.
    if signup.source == SignUpSource.KIOSK:
        return
    tasks.signup_email.enqueue(organization_id=organization.pk, signup_id=signup.pk, kind=kind)


def on_placed(sender: Any, *, signup: SignUp, organization: Organization, **kw: Any) -> None:
    _queue(emails.PLACED, signup, organization)


def on_promoted(sender: Any, *, signup: SignUp, organization: Organization, **kw: Any) -> None:
    _queue(emails.PROMOTED, signup, organization)


def on_cancelled(sender: Any, *, signup: SignUp, organization: Organization, **kw: Any) -> None:
    _queue(emails.CANCELLED, signup, organization)


def ready() -> None:
    signals.signup_placed.connect(on_placed, dispatch_uid="volunteers.public.placed")
    signals.signup_promoted.connect(on_promoted, dispatch_uid="volunteers.public.promoted")
    signals.signup_cancelled.connect(on_cancelled, dispatch_uid="volunteers.public.cancelled")
