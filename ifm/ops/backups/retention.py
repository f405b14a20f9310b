"""Which backups to keep: the newest of each of the last 14 days, of each of the last 8 weeks and
of each of the last 12 months (UTC calendar days, ISO weeks starting on Monday, calendar
months, each counted back from and including the current one). The newest backup is always
kept. A pure function of the backups' times and the present time; `backup_prune` applies it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

NAME_TIME = re.compile(r"^ifm-(\d{8}T\d{6}Z)")


@dataclass(frozen=True)
class Policy:
    daily: int = 14
    weekly: int = 8
    monthly: int = 12


def time_of(name: str) -> datetime | None:
    """The UTC time in a backup's name (`ifm-20260301T020000Z...`), None for other files."""
    found = NAME_TIME.match(name)
    if not found:
        return None
    return datetime.strptime(found.group(1), "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)


def _month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


def backups_to_keep(
    times: Iterable[datetime], *, now: datetime, policy: Policy | None = None
) -> set[datetime]:
    policy = policy or Policy()
    today = now.astimezone(UTC).date()
    this_monday = today - timedelta(days=today.weekday())
    newest_in: dict[tuple[str, object], datetime] = {}
    ordered = sorted({t.astimezone(UTC) for t in times})
    for t in ordered:
        day = t.date()
        if day > today:
            continue  # a clock ahead of ours: left alone below
        monday = day - timedelta(days=day.weekday())
        buckets: list[tuple[str, object]] = []
        if (today - day).days < policy.daily:
            buckets.append(("day", day))
        if (this_monday - monday).days // 7 < policy.weekly:
            buckets.append(("week", monday))
        if _month_index(today) - _month_index(day) < policy.monthly:
            buckets.append(("month", (day.year, day.month)))
        for bucket in buckets:
            newest_in[bucket] = t  # ascending order: the last one written is the newest
    keep = set(newest_in.values())
    keep.update(t for t in ordered if t.date() > today)
    if ordered:
        keep.add(ordered[-1])
    return keep
