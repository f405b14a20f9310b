"""`ifm support_sweep`: queue the support sweep (auto-close, breach notices) as a job;
`--now` runs it in this process instead."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from ifm.support import services
from ifm.support.tasks import support_sweep_job


class Command(BaseCommand):
    help = "Close tickets resolved 7 days ago and email the on-call about SLA breaches (a job)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--now", action="store_true", help="Run here instead of queueing.")

    def handle(self, *args: Any, now: bool = False, **options: Any) -> None:
        if now:
            closed = services.tickets_auto_close()
            sent = services.tickets_notify_breaches()
            self.stdout.write(f"Closed {closed} ticket(s); queued {sent} breach notice(s).")
            return
        result = support_sweep_job.enqueue()
        self.stdout.write(f"Queued the support sweep (job {result.id}).")
