"""The SLA clocks: business hours in Pacific time, weekends, holidays, critical around the
clock, the clock stopped while waiting, and a priority change restarting it."""

from __future__ import annotations

import zoneinfo
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ifm.support import sla

LA = zoneinfo.ZoneInfo("America/Los_Angeles")
CAL = sla.Calendar()
XMAS = sla.Calendar(holidays=frozenset({date(2026, 12, 25)}))
HOUR = timedelta(hours=1)


def la(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=LA)


def test_high_priority_opened_in_the_morning_is_due_the_same_afternoon() -> None:
    # Monday 2026-12-07, 9:00 Pacific + 4 business hours = 13:00.
    due = sla.due_times("high", la(2026, 12, 7, 9), CAL)
    assert due.first_response == la(2026, 12, 7, 13)
    assert due.resolution == la(2026, 12, 9, 9)  # 2 business days


def test_time_after_closing_waits_for_the_next_morning() -> None:
    # Monday 17:00 + 4h: 1h on Monday, 3h from Tuesday 8:00.
    assert sla.add_business_time(la(2026, 12, 7, 17), 4 * HOUR, CAL) == la(2026, 12, 8, 11)
    # Opened at 20:00: the clock starts at 8:00 the next day.
    assert sla.add_business_time(la(2026, 12, 7, 20), HOUR, CAL) == la(2026, 12, 8, 9)


def test_weekends_do_not_count() -> None:
    # Friday 2026-12-11 16:00 + medium (10h): 2h Friday, 8h Monday -> Monday 16:00.
    assert sla.due_times("medium", la(2026, 12, 11, 16), CAL).first_response == la(2026, 12, 14, 16)
    # Opened on Saturday: due as if opened Monday 8:00.
    assert sla.due_times("low", la(2026, 12, 12, 10), CAL).first_response == la(2026, 12, 16, 18)


def test_a_configured_holiday_is_skipped() -> None:
    # Thursday 2026-12-24 17:00 + 4h: 1h Thursday, Friday is Christmas, 3h Monday.
    assert sla.add_business_time(la(2026, 12, 24, 17), 4 * HOUR, XMAS) == la(2026, 12, 28, 11)
    assert sla.add_business_time(la(2026, 12, 24, 17), 4 * HOUR, CAL) == la(2026, 12, 25, 11)


def test_holidays_are_read_from_iso_dates_and_a_bad_one_is_named() -> None:
    assert sla.parse_holidays(["2026-12-25", " 2027-01-01 "]) == {
        date(2026, 12, 25),
        date(2027, 1, 1),
    }
    with pytest.raises(ValueError, match="'Dec 25'"):
        sla.parse_holidays(["Dec 25"])


def test_critical_counts_around_the_clock_even_at_night_and_on_sundays() -> None:
    sunday_night = la(2026, 12, 13, 23, 30)
    due = sla.due_times("critical", sunday_night, CAL)
    assert due.first_response == sunday_night + HOUR
    assert due.resolution == sunday_night + timedelta(hours=24)


def test_daylight_saving_days_keep_eight_to_six_local() -> None:
    # 2026-03-09 is the Monday after the spring change: 8:00 local is 15:00 UTC (PDT).
    due = sla.add_business_time(la(2026, 3, 6, 17), 2 * HOUR, CAL)
    assert due == la(2026, 3, 9, 9)
    assert due.astimezone(UTC).hour == 16


def test_the_stopped_clock_moves_the_due_time_on_by_the_wait() -> None:
    due = la(2026, 12, 8, 12)  # Tuesday noon
    # Paused Monday 10:00 (12h of business time left), resumed Wednesday 9:00: 9h on
    # Wednesday, 3h on Thursday.
    resumed = sla.resume_due(due, la(2026, 12, 7, 10), la(2026, 12, 9, 9), "medium", CAL)
    assert resumed == la(2026, 12, 10, 11)
    # A clock that had already run out stays where it was.
    assert sla.resume_due(due, la(2026, 12, 8, 13), la(2026, 12, 9, 9), "medium", CAL) == due


def test_clock_state_reads_left_at_risk_overdue_met_and_missed() -> None:
    now = la(2026, 12, 7, 12)
    assert sla.clock_state(due=now + 3 * HOUR, done_at=None, now=now).label == "3h 00m left"
    assert sla.clock_state(due=now + timedelta(minutes=20), done_at=None, now=now).state == (
        "at_risk"
    )
    overdue = sla.clock_state(due=now - timedelta(minutes=90), done_at=None, now=now)
    assert (overdue.state, overdue.label) == ("overdue", "overdue by 1h 30m")
    assert sla.clock_state(due=now, done_at=now - HOUR, now=now).state == "met"
    assert sla.clock_state(due=now - HOUR, done_at=now, now=now).label == "missed by 1h 00m"
    assert sla.clock_state(due=now - HOUR, done_at=None, now=now, paused=True).state == "paused"


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        sla.add_business_time(datetime(2026, 12, 7, 9), HOUR, CAL)


# --- Properties over random open times --------------------------------------------------

moments = st.datetimes(
    min_value=datetime(2024, 1, 1),
    max_value=datetime(2028, 12, 31),
    timezones=st.just(UTC),
)
durations = st.integers(min_value=0, max_value=60 * 60 * 24 * 5).map(lambda s: timedelta(seconds=s))
holiday_sets = st.frozensets(
    st.dates(min_value=date(2024, 1, 1), max_value=date(2029, 1, 31)), max_size=30
)


@settings(max_examples=300, deadline=None)
@given(start=moments, duration=durations, holidays=holiday_sets)
def test_business_time_added_is_business_time_between(
    start: datetime, duration: timedelta, holidays: frozenset[date]
) -> None:
    calendar = sla.Calendar(holidays=holidays)
    due = sla.add_business_time(start, duration, calendar)
    assert due >= start
    assert sla.business_time_between(start, due, calendar) == duration


@settings(max_examples=300, deadline=None)
@given(start=moments, duration=durations.filter(bool), holidays=holiday_sets)
def test_a_business_due_time_falls_inside_business_hours(
    start: datetime, duration: timedelta, holidays: frozenset[date]
) -> None:
    calendar = sla.Calendar(holidays=holidays)
    due = sla.add_business_time(start, duration, calendar)
    local = due.astimezone(LA)
    assert calendar.is_business_day(local.date())
    assert sla.DAY_OPENS < local.time() <= sla.DAY_CLOSES


@settings(max_examples=200, deadline=None)
@given(first=moments, later=st.integers(0, 10**6), priority=st.sampled_from(list(sla.TARGETS)))
def test_opening_later_is_never_due_sooner(first: datetime, later: int, priority: str) -> None:
    second = first + timedelta(seconds=later)
    a, b = sla.due_times(priority, first, CAL), sla.due_times(priority, second, CAL)
    assert a.first_response <= b.first_response
    assert a.resolution <= b.resolution


@settings(max_examples=200, deadline=None)
@given(start=moments, a=durations, b=durations)
def test_adding_in_two_steps_is_adding_once(start: datetime, a: timedelta, b: timedelta) -> None:
    once = sla.add_business_time(start, a + b, CAL)
    twice = sla.add_business_time(sla.add_business_time(start, a, CAL), b, CAL)
    assert once == twice


@settings(max_examples=200, deadline=None)
@given(start=moments)
def test_critical_is_one_hour_in_real_time_whenever_it_is_opened(start: datetime) -> None:
    assert sla.due_times("critical", start, CAL).first_response - start == HOUR


@settings(max_examples=200, deadline=None)
@given(start=moments, priority=st.sampled_from(["high", "medium", "low"]))
def test_first_response_never_comes_before_resolution(start: datetime, priority: str) -> None:
    due = sla.due_times(priority, start, CAL)
    first, resolution = sla.TARGETS[priority]
    assert due.first_response <= due.resolution
    assert sla.business_time_between(start, due.resolution, CAL) == resolution
    assert sla.business_time_between(start, due.first_response, CAL) == first
