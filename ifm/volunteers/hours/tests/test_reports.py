"""The volunteer reports on known data: hours by volunteer, opportunity, program and month; value
at the organization's rate; active volunteers and retention; the no-show rate."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from ifm.core.org_context import org_context
from ifm.ledger.models import Program
from ifm.volunteers.hours import services
from ifm.volunteers.hours.reports import Period, hours_report
from ifm.volunteers.models import SignUp, SignUpStatus
from ifm.volunteers.tests import factories as vf

PERIOD = Period(date(2025, 1, 1), date(2025, 2, 28))


def _hours(who: dict[str, Any], person: Any, day: date, hours: str, **kw: Any) -> Any:
    status = kw.pop("status", "approved")
    entry = services.hours_log(**who, volunteer=person, date=day, hours=Decimal(hours), **kw)
    if status == "approved":
        services.hours_approve(**who, entry=entry)
    elif status == "rejected":
        services.hours_reject(**who, entry=entry, reason="Not ours")
    return entry


def _signup(org: Any, shift: Any, person: Any, status: str, checked_in: bool = False) -> None:
    row = vf.signup(org, shift, person)
    with org_context(org):
        SignUp.objects.filter(pk=row.pk).update(
            status=status,
            checked_in_at=shift.starts_at if checked_in else None,
        )


@pytest.fixture
def known(org_a: Any, coordinator: dict[str, Any]) -> dict[str, Any]:
    with org_context(org_a):
        program = Program.objects.create(organization=org_a, code="FOOD", name="Food pantry")
        settings = services.settings_for(org_a)
    services.hourly_value_set(
        **coordinator, hourly_value="20.00", expected_version=settings.version
    )
    pantry = vf.opportunity(org_a, title="Pantry", program=program)
    garden = vf.opportunity(org_a, title="Garden")
    ann, ben, cat, dan, eve, fay, gus, hal, ivy = (
        vf.volunteer(org_a, first_name=n, last_name=n + "son")
        for n in ("Ann", "Ben", "Cat", "Dan", "Eve", "Fay", "Gus", "Hal", "Ivy")
    )
    _hours(coordinator, ann, date(2025, 1, 10), "3", opportunity=pantry)
    _hours(coordinator, ann, date(2025, 2, 5), "2.5", opportunity=pantry)
    _hours(coordinator, ben, date(2025, 1, 20), "4", opportunity=garden)
    _hours(coordinator, ben, date(2025, 1, 21), "6", status="pending")
    _hours(coordinator, ben, date(2025, 1, 22), "2", status="rejected")
    _hours(coordinator, cat, date(2025, 3, 1), "8")
    _hours(coordinator, cat, date(2024, 12, 15), "1")
    _hours(coordinator, ben, date(2024, 11, 10), "2")
    _hours(coordinator, dan, date(2024, 12, 1), "1")
    day = datetime(2025, 1, 15, 15, tzinfo=UTC)
    s1 = vf.shift(org_a, pantry, starts_at=day)
    _signup(org_a, s1, eve, SignUpStatus.CONFIRMED, checked_in=True)
    _signup(org_a, s1, fay, SignUpStatus.CONFIRMED)
    _signup(org_a, s1, gus, SignUpStatus.CANCELLED)
    _signup(org_a, s1, hal, SignUpStatus.WAITLISTED)
    s2 = vf.shift(org_a, pantry, starts_at=day + timedelta(days=1))
    with org_context(org_a):
        type(s2).objects.filter(pk=s2.pk).update(is_cancelled=True)
    _signup(org_a, s2, fay, SignUpStatus.CONFIRMED)
    s3 = vf.shift(org_a, pantry, starts_at=datetime(2024, 12, 20, 15, tzinfo=UTC))
    _signup(org_a, s3, ivy, SignUpStatus.CONFIRMED)
    return {"org": org_a}


def test_hours_and_value_on_known_data(known: dict[str, Any]) -> None:
    with org_context(known["org"]):
        report = hours_report(known["org"], PERIOD)
    assert report.hourly_value == Decimal("20.00")
    assert (report.total_hours, report.total_value, report.entries) == (
        Decimal("9.50"),
        Decimal("190.00"),
        3,
    )
    assert [(r.label, r.hours, r.value) for r in report.by_volunteer] == [
        ("Annson, Ann", Decimal("5.50"), Decimal("110.00")),
        ("Benson, Ben", Decimal("4.00"), Decimal("80.00")),
    ]
    assert [(r.label, r.hours, r.entries) for r in report.by_opportunity] == [
        ("Pantry", Decimal("5.50"), 2),
        ("Garden", Decimal("4.00"), 1),
    ]
    assert [(r.label, r.hours) for r in report.by_program] == [
        ("FOOD Food pantry", Decimal("5.50")),
        ("No program", Decimal("4.00")),
    ]
    assert [(r.label, r.hours, r.volunteers) for r in report.by_month] == [
        ("2025-01", Decimal("7.00"), 2),
        ("2025-02", Decimal("2.50"), 1),
    ]


def test_active_volunteers_and_retention(known: dict[str, Any]) -> None:
    with org_context(known["org"]):
        report = hours_report(known["org"], PERIOD)
    # Ann and Ben gave approved hours, Eve checked in; before: Ben, Cat and Dan.
    assert (report.active, report.active_previous, report.retained) == (3, 3, 1)
    assert report.retention_rate == Decimal("33.3")


def test_no_show_rate(known: dict[str, Any]) -> None:
    with org_context(known["org"]):
        report = hours_report(known["org"], PERIOD)
    # Of the shift on Jan 15: Eve came, Fay did not; the cancelled sign-up, the waitlisted one,
    # the cancelled shift and the shift before the period do not count.
    assert (report.signups_past, report.no_shows, report.no_show_rate) == (2, 1, Decimal("50.0"))


def test_the_previous_period_is_as_long_and_just_before() -> None:
    assert PERIOD.previous() == Period(date(2024, 11, 3), date(2024, 12, 31))


def test_an_empty_period_has_no_rates(org_a: Any) -> None:
    with org_context(org_a):
        report = hours_report(org_a, Period(date(2020, 1, 1), date(2020, 1, 31)))
    assert report.total_hours == Decimal("0.00")
    assert report.retention_rate is None
    assert report.no_show_rate is None
    assert [r.label for r in report.by_month] == ["2020-01"]
