from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from ifm.core.org_context import all_organizations
from ifm.ledger.models import Fund, Restriction
from ifm.ledger.periods.fiscal_years import organization_today
from ifm.ledger.tasks import time_restrictions_release
from ifm.tenancy.models import Organization


class Command(BaseCommand):
    help = (
        "Queue the release of time-restricted funds whose restricted-until date has come, one "
        "job per organization that has such a fund (run daily; running it twice is harmless)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--now", action="store_true", help="Run the releases here instead of queueing jobs."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        with all_organizations():
            org_ids = set(
                Fund.all_orgs.filter(
                    restriction=Restriction.TIME, restricted_until__isnull=False
                ).values_list("organization_id", flat=True)
            )
            organizations = list(Organization.objects.filter(pk__in=org_ids).order_by("pk"))
        queued = 0
        for organization in organizations:
            today = organization_today(organization)
            with all_organizations():
                due = Fund.all_orgs.filter(
                    organization=organization,
                    restriction=Restriction.TIME,
                    restricted_until__lte=today,
                ).exists()
            if not due:
                continue
            if options["now"]:
                posted = time_restrictions_release.call(organization_id=organization.pk)
                self.stdout.write(f"{organization.slug}: {posted} release(s) posted.")
            else:
                time_restrictions_release.enqueue(organization_id=organization.pk)
            queued += 1
        self.stdout.write(f"{queued} organization(s) with time restrictions due.")
