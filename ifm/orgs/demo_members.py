"""The organization's own demo data (a step of `ifm seed_demo`, see ifm/orgs/demo.py): an
invitation the admin sent that is not accepted yet, and two mistyped passwords of the staff
member this morning, signed in through the real sign-in check so the failures are recorded (in
the audit log and the lockout counter) as any would be. The admin's dashboard then has an
invitation and failed sign-ins to show; both age out like real ones (the invitation expires,
the dashboard counts the last week's failures)."""

from __future__ import annotations

from django.contrib.auth import authenticate
from django.test import RequestFactory

from ifm.accounts.services import invitation_create
from ifm.orgs.demo import DemoContext
from ifm.tenancy.roles import Role

MISTYPED = 2  # below the lockout limit: the member can still sign in


def seed(ctx: DemoContext) -> str:
    org = ctx.organization
    invitation_create(
        organization=org,
        email=f"new.volunteer@{org.slug}.demo",
        role=Role.STAFF,
        actor=ctx.actor(Role.ADMIN),
        actor_access=ctx.access(Role.ADMIN),
    )
    staff = ctx.actor(Role.STAFF)
    for _ in range(MISTYPED):
        request = RequestFactory().post("/accounts/login/", REMOTE_ADDR="192.0.2.10")
        if authenticate(request, username=staff.email, password="not-the-password") is not None:  # noqa: S106
            raise RuntimeError("A wrong password signed the demo staff member in.")
    return f"1 pending invitation, {MISTYPED} failed sign-ins of {staff.email}"
