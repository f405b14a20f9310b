"""SLA clocks: when a ticket's first response and resolution are due, and how much time is left.

Pure functions of times and a calendar (no database), so the rules can be tested on their own.

The seed's targets, per priority:

| priority | first response | resolution | counted |
|---|---|---|---|
| critical | 1 hour | 1 day (24 hours) | around the clock |
| high | 4 hours | 2 business days | in business hours |
| medium | 1 business day | 5 business days | in business hours |
| low | 3 business days | 10 business days | in business hours |

A business day is 8am to 6pm America/Los_Angeles (10 hours), Monday to Friday, minus the
holidays of settings.SUPPORT_HOLIDAYS. Critical tickets count every hour: the tier's on-call
person answers them after hours.

Policy (docs/support.md): a change of priority restarts the clocks at the moment of the change
with the new priority's targets (the first-response clock only while nobody has answered yet).
While a ticket waits on the customer its resolution clock stops; when it comes back, its due
time moves on by the business time it waited.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from django.conf import settings

SUPPORT_TIME_ZONE = "America/Los_Angeles"
DAY_OPENS = time(8, 0)
DAY_CLOSES = time(18, 0)
BUSINESS_DAY = timedelta(hours=10)

# priority -> (first response, resolution), in business time unless the priority is critical.
TARGETS: dict[str, tuple[timedelta, timedelta]] = {
    "critical": (timedelta(hours=1), timedelta(hours=24)),
    "high": (timedelta(hours=4), 2 * BUSINESS_DAY),
    "medium": (BUSINESS_DAY, 5 * BUSINESS_DAY),
    "low": (3 * BUSINESS_DAY, 10 * BUSINESS_DAY),
}
AROUND_THE_CLOCK = frozenset({"critical"})
# A ticket whose due time is this close (in real time) is shown as about to breach.
AT_RISK_WITHIN = timedelta(hours=1)


@dataclass(frozen=True)
class Calendar:
    """Business hours: opening and closing time on weekdays, in one time zone, minus holidays."""

    time_zone: str = SUPPORT_TIME_ZONE
    opens: time = DAY_OPENS
    closes: time = DAY_CLOSES
    holidays: frozenset[date] = field(default_factory=frozenset)

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    def is_business_day(self, day: date) -> bool:
        return day.weekday() < 5 and day not in self.holidays

    def window(self, day: date) -> tuple[datetime, datetime]:
        """The day's opening and closing, as UTC instants (DST is the zone's business)."""
        zone = self.zone
        return (
            datetime.combine(day, self.opens, tzinfo=zone).astimezone(UTC),
            datetime.combine(day, self.closes, tzinfo=zone).astimezone(UTC),
        )

    def local_date(self, moment: datetime) -> date:
        return moment.astimezone(self.zone).date()


def parse_holidays(values: Iterable[str | date]) -> frozenset[date]:
    """ISO dates ("2026-12-25") or dates; a malformed one raises ValueError naming it."""
    days = set()
    for value in values:
        if isinstance(value, date):
            days.add(value)
            continue
        try:
            days.add(date.fromisoformat(str(value).strip()))
        except ValueError:
            raise ValueError(
                f"SUPPORT_HOLIDAYS: {value!r} is not a date like 2026-12-25."
            ) from None
    return frozenset(days)


def configured_calendar() -> Calendar:
    return Calendar(holidays=parse_holidays(getattr(settings, "SUPPORT_HOLIDAYS", [])))


def _aware(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("SLA clocks take aware datetimes.")
    return moment.astimezone(UTC)


def add_business_time(start: datetime, duration: timedelta, calendar: Calendar) -> datetime:
    """The instant when `duration` of business time has passed since `start`.

    Outside business hours the clock waits for the next opening; a duration that ends exactly
    at closing time ends then (not at the next opening)."""
    if duration < timedelta(0):
        raise ValueError("A duration on the clock is never negative.")
    moment = _aware(start)
    remaining = duration
    day = calendar.local_date(moment)
    while True:
        if calendar.is_business_day(day):
            opens, closes = calendar.window(day)
            moment = max(moment, opens)
            if moment <= closes:
                available = closes - moment
                if remaining <= available:
                    return moment + remaining
                remaining -= available
        day += timedelta(days=1)
        moment = calendar.window(day)[0]


def business_time_between(start: datetime, end: datetime, calendar: Calendar) -> timedelta:
    """Business time from `start` to `end` (zero when `end` is not after `start`)."""
    start, end = _aware(start), _aware(end)
    total = timedelta(0)
    if end <= start:
        return total
    day = calendar.local_date(start)
    last = calendar.local_date(end)
    while day <= last:
        if calendar.is_business_day(day):
            opens, closes = calendar.window(day)
            lo, hi = max(start, opens), min(end, closes)
            if hi > lo:
                total += hi - lo
        day += timedelta(days=1)
    return total


def clock_add(start: datetime, duration: timedelta, priority: str, calendar: Calendar) -> datetime:
    """`start` plus `duration` on the priority's clock (real time for critical)."""
    if priority in AROUND_THE_CLOCK:
        return _aware(start) + duration
    return add_business_time(start, duration, calendar)


def clock_between(start: datetime, end: datetime, priority: str, calendar: Calendar) -> timedelta:
    """Time on the priority's clock from `start` to `end` (zero when `end` is not after)."""
    if priority in AROUND_THE_CLOCK:
        return max(_aware(end) - _aware(start), timedelta(0))
    return business_time_between(start, end, calendar)


@dataclass(frozen=True)
class DueTimes:
    first_response: datetime
    resolution: datetime


def due_times(priority: str, started: datetime, calendar: Calendar) -> DueTimes:
    """When a ticket of `priority` whose clock starts at `started` must be answered and solved."""
    first, resolution = TARGETS[priority]
    return DueTimes(
        first_response=clock_add(started, first, priority, calendar),
        resolution=clock_add(started, resolution, priority, calendar),
    )


def resume_due(
    due: datetime, paused_at: datetime, resumed_at: datetime, priority: str, calendar: Calendar
) -> datetime:
    """A due time after the clock stood still from `paused_at` to `resumed_at`: what was left
    when it stopped is counted again from `resumed_at`. A clock already past due stays put."""
    left = clock_between(paused_at, due, priority, calendar)
    if _aware(due) <= _aware(paused_at):
        return due
    return clock_add(resumed_at, left, priority, calendar)


@dataclass(frozen=True)
class ClockState:
    """One clock as a person reads it: `left` is negative when overdue."""

    due: datetime
    left: timedelta
    state: str  # "met", "breached", "overdue", "at_risk", "ok", "paused"

    @property
    def overdue(self) -> bool:
        return self.state in {"overdue", "breached"}

    @property
    def label(self) -> str:
        if self.state == "met":
            return "met"
        if self.state == "breached":
            return f"missed by {format_duration(-self.left)}"
        if self.state == "overdue":
            return f"overdue by {format_duration(-self.left)}"
        if self.state == "paused":
            return "paused (waiting on the customer)"
        return f"{format_duration(self.left)} left"


def clock_state(
    *, due: datetime, done_at: datetime | None, now: datetime, paused: bool = False
) -> ClockState:
    """Met or missed when done; else time left (overdue, about to breach, fine or paused)."""
    if done_at is not None:
        left = due - done_at
        return ClockState(due, left, "met" if left >= timedelta(0) else "breached")
    left = due - now
    if paused:
        return ClockState(due, left, "paused")
    if left < timedelta(0):
        return ClockState(due, left, "overdue")
    if left <= AT_RISK_WITHIN:
        return ClockState(due, left, "at_risk")
    return ClockState(due, left, "ok")


def format_duration(value: timedelta) -> str:
    """ "2d 3h", "3h 05m", "12m": the largest two units."""
    minutes = int(value.total_seconds() // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return f"{days}d {hours}h"
    if hours:
        return f"{hours}h {minutes:02d}m"
    return f"{minutes}m"
