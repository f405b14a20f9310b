"""No overbooking under real concurrency: many transactions at once, each on its own database
connection, racing for the places of one shift (PostgreSQL row locks at work)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from ifm.core.org_context import org_context
from ifm.tenancy.models import Membership
from ifm.volunteers.models import SignUp, SignUpStatus
from ifm.volunteers.signups import services
from ifm.volunteers.signups.tests.race import race
from ifm.volunteers.tests import factories as vf

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="Needs concurrent transactions on separate connections: SQLite's in-memory test "
        "database is one shared-cache file whose table locks fail at once instead of waiting "
        "(run with DATABASE_URL=postgres://...).",
    ),
]


@pytest.fixture
def who(org_a: Any, cast: dict[str, Any]) -> dict[str, Any]:
    user = cast["volunteer_coordinator"]
    with org_context(org_a):
        access = Membership.objects.get(user=user)
    return {"organization": org_a, "access": access, "actor": user}


def test_200_signups_for_50_places_confirm_exactly_50(org_a: Any, who: dict[str, Any]) -> None:
    shift = vf.shift(org_a, capacity=50)
    people = [vf.volunteer(org_a) for _ in range(200)]

    result = race(who=who, shift=shift, volunteers=people, workers=40)

    assert result.errors == []
    assert result.refusals == []
    assert sorted(result.statuses).count("confirmed") == 50
    assert sorted(result.statuses).count("waitlisted") == 150
    assert result.final == {"confirmed": 50, "waitlisted": 150, "cancelled": 0}
    assert result.max_confirmed_seen == 50
    # The waitlist is in the order the sign-ups were made: first come, first promoted.
    with org_context(org_a):
        waiting = list(
            SignUp.objects.filter(shift=shift, status=SignUpStatus.WAITLISTED).order_by(
                "signed_up_at", "id"
            )
        )
        confirmed_last = (
            SignUp.objects.filter(shift=shift, status=SignUpStatus.CONFIRMED)
            .order_by("-signed_up_at")
            .first()
        )
    assert confirmed_last is not None
    assert waiting[0].signed_up_at >= confirmed_last.signed_up_at


def test_cancellations_racing_with_signups_never_exceed_capacity(
    org_a: Any, who: dict[str, Any]
) -> None:
    shift = vf.shift(org_a, capacity=50)
    first = [
        services.sign_up(**who, shift=shift, volunteer=vf.volunteer(org_a)).signup
        for _ in range(50)
    ]
    newcomers = [vf.volunteer(org_a) for _ in range(100)]

    result = race(who=who, shift=shift, volunteers=newcomers, cancel=first[:30], workers=40)

    assert result.errors == []
    assert result.refusals == []
    assert result.cancelled == 30
    assert result.max_confirmed_seen <= 50
    # Every place a cancellation freed was taken again (by a newcomer or from the waitlist).
    assert result.final == {"confirmed": 50, "waitlisted": 70, "cancelled": 30}
