"""Support's demo data (a step of `ifm seed_demo`, see ifm/orgs/demo.py): a few tickets of the
organization's demo users, answered by a demo member of IFM's support team (a platform-staff
user who cannot sign in): one resolved and rated, one waiting on the customer, one new, and a
critical one past its first-response time, so the desk shows each state."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from ifm.accounts.models import User
from ifm.orgs.demo import DemoContext
from ifm.support import services
from ifm.support.models import Category, Priority, Status
from ifm.tenancy.roles import Role

AFTER: tuple[str, ...] = ()
DESK_EMAIL = "support-desk@demo.ifm.invalid"


def _desk_user() -> User:
    user = User.objects.filter(email=DESK_EMAIL).first()
    if user is None:
        # No password: the demo desk person answers tickets here, and never signs in.
        user = User.objects.create_user(
            email=DESK_EMAIL, full_name="Dana (IFM support)", is_platform_staff=True
        )
    return user


def _who(ctx: DemoContext, role: str) -> dict[str, Any]:
    role = role if role in ctx.users else Role.ADMIN
    return {"organization": ctx.organization, "actor": ctx.actor(role), "access": ctx.access(role)}


def seed(ctx: DemoContext) -> str:
    desk = _desk_user()
    now = timezone.now()
    page = f"/o/{ctx.organization.slug}/"

    rated = services.ticket_open(
        **_who(ctx, Role.FUNDRAISING),
        subject="The receipt PDF comes out blank",
        description="Issuing a receipt for a $300 gift gives an empty page.",
        priority=Priority.HIGH,
        category=Category.BUG,
        page_url=page + "donors/",
        now=now - timedelta(days=3),
    )
    services.ticket_staff_reply(
        actor=desk,
        ticket=rated,
        body="Thank you: the receipt wording had an unclosed field. Fixed; please try again.",
        now=now - timedelta(days=3) + timedelta(hours=2),
    )
    services.ticket_set_status(
        actor=desk, ticket=rated, status=Status.RESOLVED, now=now - timedelta(days=2)
    )
    services.ticket_rate(
        **_who(ctx, Role.FUNDRAISING), ticket=rated, score=5, comment="Quick and clear."
    )

    waiting = services.ticket_open(
        **_who(ctx, Role.FINANCE),
        subject="How do I close last fiscal year?",
        description="We finished the audit; where do I close the year?",
        priority=Priority.LOW,
        category=Category.QUESTION,
        now=now - timedelta(days=1),
    )
    services.ticket_staff_reply(
        actor=desk,
        ticket=waiting,
        body="Ledger > Periods > Close year. Do you want the closing entry dated Dec 31?",
        status=Status.WAITING,
        now=now - timedelta(hours=20),
    )

    services.ticket_open(
        **_who(ctx, Role.VOLUNTEER_COORDINATOR),
        subject="I cannot see the shift roster",
        description="The roster page says I may not see it.",
        priority=Priority.MEDIUM,
        category=Category.ACCESS,
        page_url=page + "volunteers/shifts/",
    )
    late = services.ticket_open(
        **_who(ctx, Role.ADMIN),
        subject="Bank statement import stops with an error",
        description="Uploading the November OFX file shows the error page.",
        priority=Priority.CRITICAL,
        category=Category.BUG,
        page_url=page + "banking/",
        request_id="d3m0e7707c0de",
        now=now - timedelta(hours=3),
    )
    services.ticket_note(
        actor=desk, ticket=late, body="Reproduced with their file; tier 2 is looking at it."
    )
    return "4 tickets (1 resolved and rated, 1 waiting on the customer, 1 new, 1 critical late)"
