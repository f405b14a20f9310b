from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from ifm.core.org_context import org_context
from ifm.ledger.exports import export_journal
from ifm.tenancy.models import Organization


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{value!r} is not a date: use YYYY-MM-DD.") from None


class Command(BaseCommand):
    help = (
        "Write an organization's journal as an hledger or beancount file (to stdout or --output)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--org", required=True, help="organization slug")
        parser.add_argument("--format", choices=["hledger", "beancount"], default="hledger")
        parser.add_argument("--from", dest="date_from", type=_date)
        parser.add_argument("--to", dest="date_to", type=_date)
        parser.add_argument("--output", "-o", help="file to write (default: standard output)")

    def handle(
        self,
        *args: Any,
        org: str,
        format: str,
        date_from: date | None,
        date_to: date | None,
        output: str | None,
        **options: Any,
    ) -> None:
        organization = Organization.objects.filter(slug=org).first()
        if organization is None:
            raise CommandError(f"No organization with slug {org!r}.")
        with org_context(organization):
            lines = export_journal(organization, format, date_from, date_to)
            if output:
                with open(output, "w", encoding="utf-8") as out:
                    out.writelines(line + "\n" for line in lines)
            else:
                for line in lines:
                    self.stdout.write(line)
