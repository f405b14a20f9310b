"""The dashboard's volunteer tiles and the hours' demo step."""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal
from typing import Any

from ifm.core.org_context import org_context
from ifm.orgs.dashboard import DashboardContext, dashboard_for
from ifm.orgs.demo import DemoContext
from ifm.tenancy.models import Membership
from ifm.volunteers.hours import demo
from ifm.volunteers.models import HoursEntry
from ifm.volunteers.tests import factories as vf


def _tiles(org: Any, user: Any, today: date) -> dict[str, Any]:
    with org_context(org):
        access = Membership.objects.get(user=user)
        sections = dashboard_for(DashboardContext(org, user, access, today))
    return {t.key: t for s in sections for t in s.tiles}


def test_tiles_count_pending_and_this_months_approved_hours(
    org_a: Any, cast: dict[str, Any]
) -> None:
    today = date.today()
    # No volunteer program yet: no empty tiles.
    assert "volunteers.hours_pending" not in _tiles(org_a, cast["volunteer_coordinator"], today)
    person = vf.volunteer(org_a)
    for hours, status in (("3", "approved"), ("2.5", "approved"), ("4", "pending")):
        entry = vf.hours_entry(org_a, person, hours)
        with org_context(org_a):
            HoursEntry.objects.filter(pk=entry.pk).update(status=status, date=today)
    tiles = _tiles(org_a, cast["volunteer_coordinator"], today)
    assert tiles["volunteers.hours_pending"].value == 1
    assert tiles["volunteers.hours_pending"].attention
    assert tiles["volunteers.hours_month"].value == Decimal("5.50")
    assert "status=approved" in (tiles["volunteers.hours_month"].url or "")
    # Finance staff have no volunteers section.
    assert "volunteers.hours_pending" not in _tiles(org_a, cast["finance"], today)


def _ctx(org: Any, cast: dict[str, Any]) -> DemoContext:
    users = {role: cast[role] for role in ("admin", "volunteer_coordinator")}
    return DemoContext(organization=org, users=users, rng=random.Random(7))


def test_the_demo_step_makes_nothing_without_volunteers(org_a: Any, cast: dict[str, Any]) -> None:
    with org_context(org_a):
        assert demo.seed(_ctx(org_a, cast)) == "no volunteers: no hours"
        assert not HoursEntry.objects.exists()


def test_the_demo_step_logs_approved_and_pending_hours(org_a: Any, cast: dict[str, Any]) -> None:
    for _ in range(6):
        vf.volunteer(org_a)
    vf.opportunity(org_a)
    with org_context(org_a):
        summary = demo.seed(_ctx(org_a, cast))
        statuses = set(HoursEntry.objects.values_list("status", flat=True))
        sources = set(HoursEntry.objects.values_list("source", flat=True))
    assert summary.startswith("hours of 6 volunteers")
    assert "approved" in statuses
    assert sources <= {"coordinator", "volunteer"}
