from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from ifm.core.api import IDEMPOTENCY_TTL
from ifm.core.models import IdempotencyRecord
from ifm.core.org_context import all_organizations


class Command(BaseCommand):
    help = "Delete Idempotency-Key records older than 24 hours (run daily)."

    def handle(self, *args: Any, **options: Any) -> None:
        cutoff = timezone.now() - IDEMPOTENCY_TTL
        with all_organizations():
            deleted, _ = IdempotencyRecord.all_orgs.filter(created_at__lt=cutoff).delete()
        self.stdout.write(f"Deleted {deleted} expired idempotency records.")
