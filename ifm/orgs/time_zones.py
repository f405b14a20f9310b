"""Time zones for the settings page: every zone Python knows, grouped by region, with the
offset from UTC today, so people find "Chicago" or "UTC-06:00" by typing in the filter."""

from __future__ import annotations

import zoneinfo
from datetime import UTC, datetime
from functools import lru_cache

REGIONS = (
    "America",
    "Europe",
    "Africa",
    "Asia",
    "Australia",
    "Pacific",
    "Atlantic",
    "Indian",
    "Antarctica",
    "Arctic",
)
OTHER = "Other (legacy names and fixed offsets)"

Choices = list[tuple[str, list[tuple[str, str]]]]


def time_zone_choices() -> Choices:
    """[(region, [(zone, "Chicago (UTC-06:00)"), ...]), ...]: UTC first, then regions."""
    return _choices(datetime.now(UTC).date().isoformat())


@lru_cache(maxsize=2)
def _choices(day: str) -> Choices:
    moment = datetime.fromisoformat(day).replace(tzinfo=UTC)
    groups: dict[str, list[tuple[str, str]]] = {"UTC": [], **{r: [] for r in REGIONS}, OTHER: []}
    for zone in sorted(zoneinfo.available_timezones()):
        region, _, place = zone.partition("/")
        if zone == "UTC":
            groups["UTC"].append((zone, "UTC (Coordinated Universal Time)"))
        elif region in groups and place:
            groups[region].append((zone, f"{_place(place)} ({_offset(zone, moment)})"))
        else:
            groups[OTHER].append((zone, f"{zone} ({_offset(zone, moment)})"))
    return [(region, zones) for region, zones in groups.items() if zones]


def _place(place: str) -> str:
    """ "Argentina/Buenos_Aires" reads "Buenos Aires, Argentina"."""
    parts = [p.replace("_", " ") for p in place.split("/")]
    return ", ".join(reversed(parts))


def _offset(zone: str, moment: datetime) -> str:
    delta = moment.astimezone(zoneinfo.ZoneInfo(zone)).utcoffset()
    minutes = int(delta.total_seconds() // 60) if delta is not None else 0
    sign = "+" if minutes >= 0 else "-"
    hours, mins = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours:02d}:{mins:02d}"
