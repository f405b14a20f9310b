"""Opportunities, shifts, weekly series and roles: what the services make, what they refuse,
and the audit entries they leave."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from ifm.audit.models import AuditEvent
from ifm.core.errors import ConflictError, ServiceError
from ifm.core.org_context import org_context
from ifm.volunteers.models import OpportunityQualification, Shift, ShiftRole, SignUp
from ifm.volunteers.shifts import selectors, services
from ifm.volunteers.shifts.services import RoleSpec
from ifm.volunteers.signups import services as signups
from ifm.volunteers.tests import factories as vf

pytestmark = pytest.mark.django_db
NEW_YORK = ZoneInfo("America/New_York")


def _actions(org: Any) -> list[str]:
    with org_context(org):
        return list(
            AuditEvent.objects.filter(action__startswith="volunteer_")
            .order_by("id")
            .values_list("action", flat=True)
        )


def test_an_opportunity_is_made_changed_and_archived(
    org_a: Any, cast: dict[str, Any], coordinator: dict[str, Any]
) -> None:
    waiver = vf.qualification_type(org_a, "Signed waiver")
    opp = services.opportunity_create(
        **coordinator,
        title="  Saturday   pantry ",
        location="Main hall",
        coordinator=cast["volunteer_coordinator"].pk,
        qualifications=[waiver.pk],
        minimum_age=16,
    )
    assert (opp.title, opp.minimum_age, opp.is_public) == ("Saturday pantry", 16, True)
    assert opp.coordinator == cast["volunteer_coordinator"]
    with org_context(org_a):
        assert list(
            OpportunityQualification.objects.values_list("qualification_type_id", flat=True)
        ) == [waiver.pk]
    services.opportunity_update(
        **coordinator, opportunity=opp, version=1, title="Pantry", qualifications=[]
    )
    with org_context(org_a):
        assert not OpportunityQualification.objects.exists()
    with pytest.raises(ConflictError):
        services.opportunity_update(**coordinator, opportunity=opp, version=1, title="Stale")
    services.opportunity_archive(**coordinator, opportunity=opp)
    with org_context(org_a):
        assert selectors.opportunity_list().count() == 0
        assert selectors.opportunity_list(archived=True).get().title == "Pantry"
    assert _actions(org_a) == [
        "volunteer_opportunity.create",
        "volunteer_opportunity.update",
        "volunteer_opportunity.archive",
    ]


def test_an_opportunity_refuses_what_is_not_the_organizations(
    org_a: Any, org_b: Any, cast: dict[str, Any], coordinator: dict[str, Any]
) -> None:
    theirs = vf.qualification_type(org_b)
    with pytest.raises(ServiceError) as refused:
        services.opportunity_create(
            **coordinator,
            title="",
            coordinator=cast["other_admin"].pk,
            qualifications=[theirs.pk],
            minimum_age=300,
        )
    fields = {e["field"] for e in refused.value.errors}
    assert fields == {"title", "coordinator", "qualifications", "minimum_age"}


def test_staff_may_not_make_opportunities(staff: dict[str, Any]) -> None:
    with pytest.raises(PermissionDenied):
        services.opportunity_create(**staff, title="Pantry")


def test_a_shift_is_entered_on_the_organizations_clock(
    org_a: Any, coordinator: dict[str, Any]
) -> None:
    opp = vf.opportunity(org_a)
    day = timezone.now().date() + timedelta(days=10)
    shift = services.shift_create(
        **coordinator,
        opportunity=opp,
        starts_at=datetime.combine(day, time(9)),
        ends_at=datetime.combine(day, time(12)),
        capacity=4,
        roles=[RoleSpec("Driver", 2), RoleSpec("Sorter", 2)],
    )
    assert shift.starts_at == datetime.combine(day, time(9), NEW_YORK)
    with org_context(org_a):
        assert sorted(ShiftRole.objects.values_list("name", flat=True)) == ["Driver", "Sorter"]
    with pytest.raises(ServiceError, match="end after it starts"):
        services.shift_create(
            **coordinator,
            opportunity=opp,
            starts_at=datetime.combine(day, time(12)),
            ends_at=datetime.combine(day, time(9)),
            capacity=4,
        )
    with pytest.raises(ServiceError, match="more places"):
        services.shift_create(
            **coordinator,
            opportunity=opp,
            starts_at=datetime.combine(day, time(9)),
            ends_at=datetime.combine(day, time(12)),
            capacity=2,
            roles=[RoleSpec("Driver", 3)],
        )


def test_a_weekly_series_makes_its_shifts_across_daylight_saving(
    org_a: Any, coordinator: dict[str, Any]
) -> None:
    opp = vf.opportunity(org_a)
    # 2031: daylight saving time ends in New York on Sunday 2 November.
    made = services.shift_series_create(
        **coordinator,
        opportunity=opp,
        weekdays=[6, 3],
        start_time=time(9),
        end_time=time(12),
        first_date=date(2031, 10, 20),
        until=date(2031, 11, 9),
        capacity=10,
        roles=[RoleSpec("Sorter", 5)],
    )
    assert made.series.weekdays == "3,6"
    local = [s.starts_at.astimezone(NEW_YORK) for s in made.shifts]
    assert [d.date() for d in local] == [
        date(2031, 10, 22),
        date(2031, 10, 25),
        date(2031, 10, 29),
        date(2031, 11, 1),
        date(2031, 11, 5),
        date(2031, 11, 8),
    ]
    assert {d.time() for d in local} == {time(9)}
    assert {s.starts_at.astimezone(ZoneInfo("UTC")).hour for s in made.shifts} == {13, 14}
    with org_context(org_a):
        assert ShiftRole.objects.count() == 6
        assert Shift.objects.filter(series=made.series).count() == 6
    assert "volunteer_shift_series.create" in _actions(org_a)


def test_a_series_is_bounded(org_a: Any, coordinator: dict[str, Any]) -> None:
    opp = vf.opportunity(org_a)
    args: dict[str, Any] = {
        "opportunity": opp,
        "start_time": time(9),
        "end_time": time(12),
        "capacity": 5,
    }
    with pytest.raises(ServiceError, match="at most 500"):
        services.shift_series_create(
            **coordinator,
            **args,
            weekdays=[1, 2, 3, 4, 5, 6, 7],
            first_date=date(2031, 1, 1),
            until=date(2032, 12, 31),
        )
    with pytest.raises(ServiceError, match="At most 500 shifts"):
        services.shift_series_create(
            **coordinator, **args, weekdays=[1], first_date=date(2031, 1, 1), until=date(2101, 1, 1)
        )
    with pytest.raises(ServiceError, match="No day"):
        services.shift_series_create(
            **coordinator, **args, weekdays=[1], first_date=date(2031, 1, 1), until=date(2031, 1, 4)
        )
    with org_context(org_a):
        assert not Shift.objects.exists()


def test_capacity_never_below_the_confirmed_and_more_places_fill_from_the_waitlist(
    org_a: Any, coordinator: dict[str, Any]
) -> None:
    shift = vf.shift(org_a, capacity=2)
    placed = [
        signups.sign_up(**coordinator, shift=shift, volunteer=vf.volunteer(org_a)) for _ in range(3)
    ]
    assert [p.status for p in placed] == ["confirmed", "confirmed", "waitlisted"]
    with pytest.raises(ServiceError, match="cannot be less than 2"):
        services.shift_update(**coordinator, shift=shift, version=1, capacity=1)
    changed = services.shift_update(**coordinator, shift=shift, version=1, capacity=3)
    assert changed.capacity == 3
    with org_context(org_a):
        assert SignUp.objects.get(pk=placed[2].signup.pk).status == "confirmed"


def test_cancelling_a_shift_cancels_its_signups(org_a: Any, coordinator: dict[str, Any]) -> None:
    shift = vf.shift(org_a, capacity=1)
    for _ in range(2):
        signups.sign_up(**coordinator, shift=shift, volunteer=vf.volunteer(org_a))
    cancelled = services.shift_cancel(**coordinator, shift=shift)
    assert len(cancelled) == 2
    with org_context(org_a):
        assert set(SignUp.objects.values_list("status", flat=True)) == {"cancelled"}
    with pytest.raises(ServiceError, match="already cancelled"):
        services.shift_cancel(**coordinator, shift=shift)
    with pytest.raises(ServiceError, match="cancelled"):
        signups.sign_up(**coordinator, shift=shift, volunteer=vf.volunteer(org_a))


def test_roles_are_set_up_before_anyone_signs_up(org_a: Any, coordinator: dict[str, Any]) -> None:
    shift = vf.shift(org_a, capacity=3)
    role = services.shift_role_create(**coordinator, shift=shift, name="Driver", capacity=1)
    with pytest.raises(ServiceError, match="already has a role"):
        services.shift_role_create(**coordinator, shift=shift, name="driver", capacity=1)
    signups.sign_up(**coordinator, shift=shift, volunteer=vf.volunteer(org_a), role=role)
    with org_context(org_a):
        (listed,) = selectors.role_list(shift)
    assert (listed.confirmed_count, listed.spots_left) == (1, 0)

    plain = vf.shift(org_a)
    signups.sign_up(**coordinator, shift=plain, volunteer=vf.volunteer(org_a))
    with pytest.raises(ServiceError, match="without a role"):
        services.shift_role_create(**coordinator, shift=plain, name="Driver", capacity=1)


def test_the_shift_list_filters_by_the_organizations_days(
    org_a: Any, coordinator: dict[str, Any]
) -> None:
    opp = vf.opportunity(org_a)
    other = vf.opportunity(org_a)
    day = timezone.now().date() + timedelta(days=5)
    # 22:30 in New York is the next day in UTC: it belongs to `day` all the same.
    late = vf.shift(org_a, opp, starts_at=datetime.combine(day, time(22, 30), NEW_YORK), hours=1)
    vf.shift(org_a, other, starts_at=datetime.combine(day + timedelta(days=1), time(9), NEW_YORK))
    gone = vf.shift(org_a, opp, starts_at=timezone.now() - timedelta(days=2))
    with org_context(org_a):
        on_day = selectors.shift_list(zone="America/New_York", date_from=day, date_to=day)
        assert [s.pk for s in on_day] == [late.pk]
        assert selectors.shift_list(zone="America/New_York", opportunity_id=other.pk).count() == 1
        assert gone.pk not in {s.pk for s in selectors.shift_list(zone="America/New_York")}
        shown = selectors.shift_list(zone="America/New_York").get(pk=late.pk)
        assert (shown.confirmed_count, selectors.spots_left(shown)) == (0, 5)  # type: ignore[attr-defined]
