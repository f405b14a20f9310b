"""The organization's own tiles of the admin section (registered in OrgsConfig.ready(), see
ifm/orgs/dashboard.py): members, pending invitations, and failed sign-ins of members."""

from __future__ import annotations

from collections.abc import Iterator

from ifm.accounts import selectors as accounts
from ifm.orgs.dashboard import DashboardContext, Tile


def admin_tiles(ctx: DashboardContext) -> Iterator[Tile]:
    org = ctx.organization
    members = accounts.member_list(organization=org, status="active").count()
    yield Tile(
        key="orgs.members",
        title="Members",
        value=members,
        detail="Active members",
        url=ctx.url("orgs:members", {"status": "active"}),
    )
    invitations = accounts.invitation_list_pending(organization=org).count()
    yield Tile(
        key="orgs.invitations",
        title="Pending invitations",
        value=invitations,
        detail="Sent, not yet accepted",
        url=ctx.url("orgs:members") + "#invitations-heading",
    )
    trouble = accounts.sign_in_trouble(organization=org)
    people = len(trouble)
    yield Tile(
        key="orgs.sign_in_trouble",
        title="Failed sign-ins",
        value=sum(trouble.values()),
        detail=(
            f"Last {accounts.SIGN_IN_TROUBLE_DAYS} days · "
            f"{people} member{'' if people == 1 else 's'}, lockouts included"
        ),
        attention=people > 0,
        url=ctx.url("orgs:members", {"status": "sign_in_trouble"}),
    )
