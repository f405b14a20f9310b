"""The maintenance state as every process sees it: the one `MaintenanceMode` row, read at most
once per CACHE_SECONDS per process, so checking it costs nothing on the request path.

A change made by another process (`ifm maintenance on` in a shell, another web worker) is seen
here within CACHE_SECONDS; a change made by this process is seen at once (`forget`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import DatabaseError
from django.utils import timezone

from ifm.ops.models import MaintenanceMode

CACHE_SECONDS = 1.0
DEFAULT_MESSAGE = (
    "IFM is down for planned maintenance. Nothing is lost: please come back in a few minutes."
)


@dataclass(frozen=True)
class Maintenance:
    is_on: bool = False
    message: str = ""
    retry_after_seconds: int = 300
    window_starts_at: datetime | None = None
    window_ends_at: datetime | None = None
    announce_hours: int = 24

    @property
    def text(self) -> str:
        return self.message or DEFAULT_MESSAGE

    def announced(self, now: datetime | None = None) -> bool:
        """A planned window is near (within `announce_hours` of its start) or under way."""
        if self.window_starts_at is None:
            return False
        now = now or timezone.now()
        until = self.window_ends_at or self.window_starts_at + timedelta(hours=1)
        return self.window_starts_at - timedelta(hours=self.announce_hours) <= now < until

    def retry_after(self, now: datetime | None = None) -> int:
        """Seconds a client should wait: until the planned end when there is one, else the
        configured figure."""
        now = now or timezone.now()
        if self.window_ends_at is not None and self.window_ends_at > now:
            return max(60, int((self.window_ends_at - now).total_seconds()))
        return self.retry_after_seconds


OFF = Maintenance()
_cached: tuple[float, Maintenance] = (0.0, OFF)


def from_row(row: MaintenanceMode | None) -> Maintenance:
    if row is None:
        return OFF
    return Maintenance(
        is_on=row.is_on,
        message=row.message,
        retry_after_seconds=row.retry_after_seconds,
        window_starts_at=row.window_starts_at,
        window_ends_at=row.window_ends_at,
        announce_hours=row.announce_hours,
    )


def read() -> Maintenance:
    """The state in the database now, bypassing the cache."""
    try:
        row = MaintenanceMode.objects.filter(pk=MaintenanceMode.SINGLETON_ID).first()
    except DatabaseError:
        # No table yet (a database not migrated to this release), or no database: no
        # maintenance. A database out of reach fails the request further on, as a 503
        # (ifm.core.dbfaults).
        return OFF
    return from_row(row)


def current() -> Maintenance:
    """The state, as fresh as CACHE_SECONDS."""
    # One tuple swapped whole: a thread sees the old value or the new one, never half.
    global _cached
    expires, value = _cached
    now = time.monotonic()
    if now < expires:
        return value
    value = read()
    _cached = (now + CACHE_SECONDS, value)
    return value


def forget() -> None:
    """Drop this process's cached copy (after this process changed the row)."""
    global _cached
    _cached = (0.0, OFF)
