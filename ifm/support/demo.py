"""Support's demo data (a step of `ifm seed_demo`, see ifm/orgs/demo.py): a few tickets of the
organization's demo users, answered by a demo member of IFM's support team (a platform-staff
user who cannot sign in): one resolved and rated, one waiting on the customer, one new, and a
critical one past its first-response time, so the desk shows each state. On the organization's
bug list, an open high bug linked to the critical ticket and a fixed one linked to the rated
ticket; a duplicate of the critical ticket merged into it; access asked from the roster ticket
and ended again; two answers to the satisfaction survey (so the rollout console's satisfaction
has both kinds). The desk's canned replies are platform-wide: made by the first organization's
step, found by their titles after that."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from ifm.accounts.models import User
from ifm.orgs.demo import DemoContext
from ifm.support import services
from ifm.support.access import ticket_access_request, ticket_access_revoke
from ifm.support.bugs import bug_create, bug_update
from ifm.support.canned import canned_reply_create
from ifm.support.merge import ticket_merge
from ifm.support.models import BugStatus, CannedReply, Category, Priority, Severity, Status, Ticket
from ifm.support.survey.services import survey_respond
from ifm.tenancy.roles import Role

AFTER: tuple[str, ...] = ()
DESK_EMAIL = "support-desk@demo.ifm.invalid"


def desk_user() -> User:
    user = User.objects.filter(email=DESK_EMAIL).first()
    if user is None:
        # No password: the demo desk person answers tickets here, and never signs in.
        user = User.objects.create_user(
            email=DESK_EMAIL, full_name="Dana (IFM support)", is_platform_staff=True
        )
    return user


# (title, body, category, tier): saved answers the desk picks from, with the fields they fill in.
CANNED = [
    (
        "Thanks, we are looking into it",
        "Hello {first_name},\n\nThank you for writing about {ticket} ({subject}). We are looking "
        "into it and will write again as soon as we know more.\n\n{agent}, IFM support",
        "",
        None,
    ),
    (
        "Fixed: please try again",
        "Hello {first_name},\n\nThe problem behind {ticket} is fixed. Please try again and tell us "
        "if anything still looks wrong.\n\n{agent}, IFM support",
        Category.BUG,
        None,
    ),
    (
        "Ask your administrator for access",
        "Hello {first_name},\n\nWhat each person may see in {organization} depends on their role. "
        "Your organization's administrator can change it under Members.\n\n{agent}, IFM support",
        Category.ACCESS,
        1,
    ),
]


def _canned_replies(desk: User) -> int:
    """The platform's canned replies, once: those already there (by title) are left alone."""
    there = set(CannedReply.objects.values_list("title", flat=True))
    made = 0
    for title, body, category, tier in CANNED:
        if title not in there:
            canned_reply_create(actor=desk, title=title, body=body, category=category, tier=tier)
            made += 1
    return made


def _who(ctx: DemoContext, role: str) -> dict[str, Any]:
    role = role if role in ctx.users else Role.ADMIN
    return {"organization": ctx.organization, "actor": ctx.actor(role), "access": ctx.access(role)}


def seed(ctx: DemoContext) -> str:
    desk = desk_user()
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

    roster = services.ticket_open(
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
    duplicate = services.ticket_open(
        **_who(ctx, Role.FINANCE),
        subject="Bank import shows the error page",
        description="The statement upload under Banking fails for me too.",
        priority=Priority.HIGH,
        category=Category.BUG,
        page_url=page + "banking/",
        now=now - timedelta(hours=2),
    )
    ticket_merge(actor=desk, ticket=late, duplicate=duplicate)
    _bugs(desk, late=late, fixed_by=rated, now=now)
    _access(desk, roster)
    canned = _canned_replies(desk)
    answers = _survey(ctx, now)
    made = f", {canned} canned replies" if canned else ""
    return (
        "5 tickets (1 resolved and rated, 1 waiting on the customer, 1 new, 1 critical late, "
        f"1 merged into it), 2 bugs (1 fixed), 1 ended access grant, {answers} survey answers"
        + made
    )


def _bugs(desk: User, *, late: Ticket, fixed_by: Ticket, now: Any) -> None:
    """An open high bug behind the critical ticket, and a fixed one behind the rated ticket."""
    bug_create(
        actor=desk,
        ticket=late,
        title="OFX import stops on statements with a closing balance line",
        severity=Severity.HIGH,
        description="Reproduced with the customer's November file: the parser fails on LEDGERBAL.",
    )
    fixed = bug_create(
        actor=desk,
        ticket=fixed_by,
        title="Receipt PDF is blank when the wording has an unclosed field",
        severity=Severity.MEDIUM,
        now=now - timedelta(days=3) + timedelta(hours=1),
    )
    bug_update(actor=desk, bug=fixed, status=BugStatus.FIXED, now=now - timedelta(days=2))


def _access(desk: User, ticket: Ticket) -> None:
    """Access asked from the roster ticket to look as the member does, then ended: the ticket
    lists it (ended), and the organization's audit log has both."""
    link = ticket_access_request(
        actor=desk,
        ticket=ticket,
        role=Role.VOLUNTEER_COORDINATOR,
        hours=1,
        reason=f"See the shift roster as the member does ({ticket.reference}).",
    )
    ticket_access_revoke(actor=desk, link=link)


def _survey(ctx: DemoContext, now: Any) -> int:
    """Two members answered the satisfaction survey this week."""
    answers = [
        (Role.FINANCE, 4, "Closing the month is quicker than with our spreadsheets.", 4),
        (Role.STAFF, 5, "", 2),
    ]
    made = 0
    for role, score, comment, days_ago in answers:
        if role in ctx.users:
            survey_respond(
                **_who(ctx, role),
                score=score,
                comment=comment,
                now=now - timedelta(days=days_ago),
            )
            made += 1
    return made
