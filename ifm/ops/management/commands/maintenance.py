"""ifm maintenance on|off|status|schedule|unschedule: the platform page from the shell."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.dateparse import parse_datetime

from ifm.core.errors import ServiceError
from ifm.ops.maintenance import services, state


def _when(value: str) -> datetime:
    parsed = parse_datetime(value)
    if parsed is None:
        raise CommandError(f"{value!r} is not a date and time (e.g. 2026-03-01T22:00Z).")
    return parsed


class Command(BaseCommand):
    help = (
        "Maintenance mode: `on` makes every page and API call answer 503 (except platform "
        "staff, /healthz, /readyz and /metrics), `off` ends it, `schedule` plans a window that "
        "a banner announces, `status` shows the state."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["on", "off", "status", "schedule", "unschedule"])
        parser.add_argument("--retry-after", type=int, metavar="SECONDS")
        parser.add_argument("--message", default="")
        parser.add_argument("--start", type=_when, help="schedule: when the window starts")
        parser.add_argument("--end", type=_when, help="schedule: when it ends")
        parser.add_argument("--announce-hours", type=int, default=24)

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        try:
            if action == "on":
                services.maintenance_turn_on(
                    actor=None,
                    message=options["message"],
                    retry_after_seconds=options["retry_after"],
                )
            elif action == "off":
                services.maintenance_turn_off(actor=None)
            elif action == "schedule":
                if options["start"] is None:
                    raise CommandError("schedule needs --start.")
                services.maintenance_schedule(
                    actor=None,
                    starts_at=options["start"],
                    ends_at=options["end"],
                    announce_hours=options["announce_hours"],
                )
            elif action == "unschedule":
                services.maintenance_unschedule(actor=None)
        except ServiceError as exc:
            raise CommandError(exc.message) from exc
        current = state.read()
        self.stdout.write(f"maintenance: {'on' if current.is_on else 'off'}")
        if current.is_on:
            self.stdout.write(f"retry-after: {current.retry_after()} s")
            self.stdout.write(f"message: {current.text}")
        if current.window_starts_at is not None:
            ends = current.window_ends_at.isoformat() if current.window_ends_at else "open"
            self.stdout.write(
                f"window: {current.window_starts_at.isoformat()} to {ends}, "
                f"announced {current.announce_hours} h before"
            )
