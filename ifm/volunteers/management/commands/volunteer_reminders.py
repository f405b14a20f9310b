from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from ifm.core.org_context import all_organizations
from ifm.tenancy.models import Organization
from ifm.volunteers.models import SignUp
from ifm.volunteers.public.delivery import REMINDER_AHEAD, reminders_due
from ifm.volunteers.public.tasks import reminders


class Command(BaseCommand):
    help = (
        "Queue the volunteer shift reminders due (24 hours before each shift), one job per "
        "organization that has some (run every 15 minutes; a reminder is never sent twice)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--now", action="store_true", help="Send the reminders here instead of queueing jobs."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now()
        with all_organizations():
            org_ids = set(
                reminders_due(now, manager=SignUp.all_orgs)
                .values_list("organization_id", flat=True)
                .distinct()
            )
            organizations = list(Organization.objects.filter(pk__in=org_ids).order_by("pk"))
        for organization in organizations:
            if options["now"]:
                sent = reminders.call(organization_id=organization.pk)
                self.stdout.write(f"{organization.slug}: {sent} reminder(s) sent.")
            else:
                reminders.enqueue(organization_id=organization.pk)
        self.stdout.write(
            f"{len(organizations)} organization(s) with reminders due in the next "
            f"{int(REMINDER_AHEAD.total_seconds() // 3600)} hours."
        )
