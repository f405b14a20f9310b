"""What the shifts area adds elsewhere: the dashboard tile, the search across the organization
and the demo data."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from ifm.conftest import client_for
from ifm.core.org_context import org_context
from ifm.orgs.dashboard import DashboardContext, dashboard_for
from ifm.orgs.demo import DemoContext, steps
from ifm.orgs.search import search_run
from ifm.tenancy.models import Membership
from ifm.volunteers.models import Opportunity, QualificationType, Shift, SignUp
from ifm.volunteers.shifts import demo
from ifm.volunteers.shifts.dashboard import shift_tiles
from ifm.volunteers.tests import factories as vf

pytestmark = pytest.mark.django_db


def _ctx(org: Any, user: Any) -> DashboardContext:
    with org_context(org):
        access = Membership.objects.get(user=user)
    return DashboardContext(organization=org, user=user, access=access, today=date.today())


def test_the_tile_counts_this_weeks_shifts_with_open_spots(
    org_a: Any, cast: dict[str, Any], django_assert_num_queries: Any
) -> None:
    ctx = _ctx(org_a, cast["volunteer_coordinator"])
    with org_context(org_a):
        assert list(shift_tiles(ctx)) == []  # nothing to say: no tile
    soon = timezone.now() + timedelta(days=2)
    open_shift = vf.shift(org_a, capacity=3, starts_at=soon)
    full = vf.shift(org_a, capacity=1, starts_at=soon + timedelta(hours=4))
    vf.signup(org_a, full)
    vf.shift(org_a, capacity=3, starts_at=timezone.now() + timedelta(days=12))  # not this week
    vf.signup(org_a, open_shift)
    with org_context(org_a), django_assert_num_queries(1):
        (tile,) = list(shift_tiles(ctx))
    assert tile.value == 1
    assert tile.detail == "2 open spots in the next 7 days"
    assert tile.url is not None
    assert client_for(cast["volunteer_coordinator"]).get(tile.url).status_code == 200
    with org_context(org_a):
        sections = {s.key: s for s in dashboard_for(ctx)}
    assert "volunteers.shifts_open_week" in {t.key for t in sections["volunteers"].tiles}


def test_search_finds_opportunities(org_a: Any, org_b: Any, cast: dict[str, Any]) -> None:
    vf.opportunity(org_a, title="Riverside cleanup")
    vf.opportunity(org_b, title="Riverside planting")
    with org_context(org_a):
        access = Membership.objects.get(user=cast["staff"])
    groups = search_run(organization=org_a, actor=cast["staff"], access=access, q="riverside")
    found = {g.key: [h.title for h in g.hits] for g in groups}
    assert found["volunteer_opportunities"] == ["Riverside cleanup"]


def test_the_demo_step_runs_after_the_volunteers_are_made(org_a: Any, cast: dict[str, Any]) -> None:
    assert next(s for s in steps() if s.name == demo.STEP).after == ("volunteers.people",)
    ctx = DemoContext(organization=org_a, users=cast, today=date.today(), rng=random.Random(1))
    with org_context(org_a):
        assert demo.seed(ctx) == "no volunteers: no shifts made"
        assert not Opportunity.objects.exists()
    people = [vf.volunteer(org_a, date_of_birth=date(1990, 1, 1)) for _ in range(30)]
    waiver = vf.qualification_type(org_a, "signed waiver")
    for person in people[:10]:
        vf.qualification(org_a, person, waiver)
    with org_context(org_a):
        summary = demo.seed(ctx)
        assert summary.startswith("4 opportunities")
        assert QualificationType.objects.count() == 1  # the one made by the people area
        assert Opportunity.objects.count() == 4
        assert Shift.objects.count() >= 4 * 4
        waiver_signups = SignUp.objects.filter(shift__opportunity__title__startswith="Warehouse")
        assert waiver_signups.exists()
        assert {s.volunteer_id for s in waiver_signups} <= {p.pk for p in people[:10]}
        assert SignUp.objects.filter(status="waitlisted").exists()
        assert SignUp.objects.filter(role__isnull=False).exists()
