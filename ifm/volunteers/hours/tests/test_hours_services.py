"""Logging, changing, approving and rejecting hours; only approved hours count; milestones."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from ifm.audit.models import AuditEvent
from ifm.core.errors import ConflictError, ServiceError
from ifm.core.org_context import org_context
from ifm.volunteers.hours import selectors, services
from ifm.volunteers.models import HoursEntry, HoursStatus
from ifm.volunteers.tests import factories as vf

YESTERDAY = date.today() - timedelta(days=1)


def log(who: dict[str, Any], volunteer: Any, hours: str = "2.5", **extra: Any) -> HoursEntry:
    return services.hours_log(
        **who, volunteer=volunteer, date=YESTERDAY, hours=Decimal(hours), **extra
    )


def test_a_coordinator_logs_hours_waiting_for_approval(org_a: Any, coordinator: Any) -> None:
    person = vf.volunteer(org_a)
    opp = vf.opportunity(org_a)
    entry = log(coordinator, person, "2.5", description="Sorting cans", opportunity=opp)
    assert (entry.status, entry.hours, entry.source) == ("pending", Decimal("2.50"), "coordinator")
    assert entry.logged_by == coordinator["actor"]
    assert entry.opportunity_id == opp.pk
    with org_context(org_a):
        assert AuditEvent.objects.filter(action="volunteer_hours.log", object_id=str(entry.pk))


def test_a_shift_sets_the_opportunity(org_a: Any, coordinator: Any) -> None:
    shift = vf.shift(org_a)
    entry = log(coordinator, vf.volunteer(org_a), shift=shift)
    assert entry.opportunity_id == shift.opportunity_id
    with pytest.raises(ServiceError, match="another opportunity"):
        log(coordinator, vf.volunteer(org_a), shift=shift, opportunity=vf.opportunity(org_a))


def test_a_volunteer_logs_their_own_without_a_membership(org_a: Any) -> None:
    person = vf.volunteer(org_a)
    entry = services.hours_log(
        organization=org_a, volunteer=person, date=YESTERDAY, hours=Decimal("1"), source="volunteer"
    )
    assert (entry.source, entry.status, entry.logged_by_id) == ("volunteer", "pending", None)


def test_a_coordinator_log_needs_the_manage_permission(org_a: Any, staff: Any) -> None:
    with pytest.raises(PermissionDenied):
        log(staff, vf.volunteer(org_a))
    with pytest.raises(PermissionDenied):
        services.hours_log(
            organization=org_a, volunteer=vf.volunteer(org_a), date=YESTERDAY, hours=Decimal("1")
        )


@pytest.mark.parametrize(
    ("hours", "message"),
    [
        ("0", "above 0"),
        ("-1", "above 0"),
        ("24.01", "at most 24"),
        ("1.005", "two decimals"),
        ("NaN", "number"),
        ("Infinity", "number"),
        ("two", "number"),
    ],
)
def test_hours_out_of_bounds_are_refused(
    org_a: Any, coordinator: Any, hours: str, message: str
) -> None:
    with pytest.raises(ServiceError, match=message) as caught:
        services.hours_log(
            **coordinator, volunteer=vf.volunteer(org_a), date=YESTERDAY, hours=hours
        )
    assert caught.value.errors[0]["field"] == "hours"


def test_24_hours_and_a_future_date(org_a: Any, coordinator: Any) -> None:
    assert log(coordinator, vf.volunteer(org_a), "24").hours == Decimal("24.00")
    with pytest.raises(ServiceError, match="future"):
        services.hours_log(
            **coordinator,
            volunteer=vf.volunteer(org_a),
            date=date.today() + timedelta(days=3),
            hours=Decimal("1"),
        )


def test_another_organizations_volunteer_is_refused(
    org_a: Any, org_b: Any, coordinator: Any
) -> None:
    with pytest.raises(ServiceError, match="No such volunteer"):
        log(coordinator, vf.volunteer(org_b))
    with pytest.raises(ServiceError, match="No such opportunity"):
        log(coordinator, vf.volunteer(org_a), opportunity=vf.opportunity(org_b))


def test_only_approved_hours_count(org_a: Any, coordinator: Any) -> None:
    person = vf.volunteer(org_a)
    approved = log(coordinator, person, "10")
    pending = log(coordinator, person, "7")
    rejected = log(coordinator, person, "5")
    services.hours_approve(**coordinator, entry=approved)
    services.hours_reject(**coordinator, entry=rejected, reason="Not on the rota")
    with org_context(org_a):
        assert selectors.volunteer_milestones(person).total == Decimal("10.00")
        assert selectors.approved_hours_between(YESTERDAY, YESTERDAY) == Decimal("10.00")
        assert selectors.pending_count() == 1
        pending.refresh_from_db()
        rejected.refresh_from_db()
    assert pending.status == "pending"
    assert (rejected.status, rejected.rejection_reason) == ("rejected", "Not on the rota")
    assert rejected.reviewed_by == coordinator["actor"]


def test_a_decision_is_made_once(org_a: Any, coordinator: Any) -> None:
    entry = log(coordinator, vf.volunteer(org_a))
    services.hours_approve(**coordinator, entry=entry)
    with pytest.raises(ServiceError, match="already approved"):
        services.hours_approve(**coordinator, entry=entry)
    with pytest.raises(ServiceError, match="already approved"):
        services.hours_reject(**coordinator, entry=entry, reason="late")
    with pytest.raises(ServiceError, match="already approved"):
        services.hours_update(
            **coordinator, entry=entry, expected_version=entry.version, hours=Decimal("1")
        )


def test_rejecting_needs_a_reason(org_a: Any, coordinator: Any) -> None:
    entry = log(coordinator, vf.volunteer(org_a))
    with pytest.raises(ServiceError, match="Say why") as caught:
        services.hours_reject(**coordinator, entry=entry, reason="   ")
    assert caught.value.errors[0]["field"] == "reason"


def test_staff_may_not_approve(org_a: Any, coordinator: Any, staff: Any) -> None:
    entry = log(coordinator, vf.volunteer(org_a))
    with pytest.raises(PermissionDenied):
        services.hours_approve(**staff, entry=entry)


def test_another_organizations_entry_cannot_be_approved(
    org_a: Any, org_b: Any, coordinator: Any
) -> None:
    theirs = vf.hours_entry(org_b)
    with pytest.raises(ServiceError, match="No such hours entry"):
        services.hours_approve(**coordinator, entry=theirs)


def test_editing_a_pending_entry_with_its_version(org_a: Any, coordinator: Any) -> None:
    entry = log(coordinator, vf.volunteer(org_a), "3")
    changed = services.hours_update(
        **coordinator,
        entry=entry,
        expected_version=entry.version,
        hours=Decimal("3.25"),
        description="Stayed late",
    )
    assert (changed.hours, changed.description, changed.version) == (
        Decimal("3.25"),
        "Stayed late",
        entry.version + 1,
    )
    with pytest.raises(ConflictError):
        services.hours_update(
            **coordinator, entry=entry, expected_version=entry.version, hours=Decimal("1")
        )


def test_approve_many_is_all_or_nothing(org_a: Any, coordinator: Any) -> None:
    person = vf.volunteer(org_a)
    first, second = log(coordinator, person, "1"), log(coordinator, person, "2")
    services.hours_approve(**coordinator, entry=second)
    with pytest.raises(ServiceError, match="Nothing was approved") as caught:
        services.hours_approve_many(**coordinator, entry_ids=[first.pk, second.pk])
    assert caught.value.errors[0]["field"] == "entry_ids.1"
    with org_context(org_a):
        first.refresh_from_db()
    assert first.status == HoursStatus.PENDING
    third = log(coordinator, person, "4")
    done = services.hours_approve_many(**coordinator, entry_ids=[first.pk, third.pk])
    assert {e.status for e in done} == {"approved"}
    with org_context(org_a):
        assert selectors.volunteer_milestones(person).total == Decimal("7.00")


@pytest.mark.parametrize(
    ("total", "reached", "upcoming"),
    [
        ("0", [], 25),
        ("24.99", [], 25),
        ("25", [25], 50),
        ("99.5", [25, 50], 100),
        ("250", [25, 50, 100, 250], 500),
        ("600", [25, 50, 100, 250, 500], None),
    ],
)
def test_milestones(total: str, reached: list[int], upcoming: int | None) -> None:
    m = selectors.milestones_for_total(Decimal(total))
    assert (m.reached, m.next) == (reached, upcoming)


def test_a_volunteers_milestones_from_approved_hours(org_a: Any, coordinator: Any) -> None:
    person = vf.volunteer(org_a)
    for _ in range(3):
        services.hours_approve(**coordinator, entry=log(coordinator, person, "10"))
    log(coordinator, person, "24")  # pending: not counted
    with org_context(org_a):
        m = selectors.volunteer_milestones(person)
    assert (m.total, m.reached, m.next, m.to_next) == (
        Decimal("30.00"),
        [25],
        50,
        Decimal("20.00"),
    )
    assert m.percent_to_next == 20


def test_the_hourly_value_with_its_version(org_a: Any, coordinator: Any, staff: Any) -> None:
    with org_context(org_a):
        row = services.settings_for(org_a)
    assert row.hourly_value == Decimal("34.79")
    saved = services.hourly_value_set(
        **coordinator, hourly_value="40.5", expected_version=row.version
    )
    assert saved.hourly_value == Decimal("40.50")
    with pytest.raises(ConflictError):
        services.hourly_value_set(**coordinator, hourly_value="41", expected_version=row.version)
    with pytest.raises(ServiceError, match="two decimals"):
        services.hourly_value_set(
            **coordinator, hourly_value="1.234", expected_version=saved.version
        )
    with pytest.raises(PermissionDenied):
        services.hourly_value_set(**staff, hourly_value="41", expected_version=saved.version)
