"""`ifm create_organization --slug S --name N [...]`: a new organization, validated as a whole."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from ifm.core.errors import ServiceError
from ifm.orgs.services import organization_create
from ifm.tenancy.models import Organization

OPTION_OF_FIELD = {
    "slug": "--slug",
    "name": "--name",
    "legal_name": "--legal-name",
    "ein": "--ein",
    "currency": "--currency",
    "fiscal_year_start_month": "--fiscal-year-start",
    "time_zone": "--time-zone",
}


class Command(BaseCommand):
    help = "Create an organization (tenant)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--slug", required=True, help="URL name, e.g. hope-kitchen")
        parser.add_argument("--name", required=True, help="Display name")
        parser.add_argument("--legal-name", default="", help="Legal name (defaults to --name)")
        parser.add_argument("--ein", default="", help="EIN, e.g. 12-3456789")
        parser.add_argument("--currency", default="USD", help="ISO currency code (default USD)")
        parser.add_argument(
            "--fiscal-year-start", type=int, default=1, help="First month of the fiscal year, 1..12"
        )
        parser.add_argument("--time-zone", default="America/New_York", help="IANA time zone")

    def handle(self, *args: Any, **options: Any) -> None:
        slug = options["slug"].strip()
        if Organization.objects.filter(slug=slug).exists():
            raise CommandError(f"--slug: an organization with the slug {slug!r} already exists.")
        try:
            with transaction.atomic():
                org = organization_create(
                    slug=slug,
                    name=options["name"].strip(),
                    legal_name=options["legal_name"].strip(),
                    ein=options["ein"].strip(),
                    currency=options["currency"].strip().upper(),
                    fiscal_year_start_month=options["fiscal_year_start"],
                    time_zone=options["time_zone"].strip(),
                )
        except ValidationError as exc:
            raise CommandError(_describe(exc)) from None
        except ServiceError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(self.style.SUCCESS(f"Created organization {org.slug} ({org.name})."))


def _describe(exc: ValidationError) -> str:
    if not hasattr(exc, "error_dict"):
        return "; ".join(exc.messages)
    return "; ".join(
        f"{OPTION_OF_FIELD.get(field, field)}: {' '.join(messages)}"
        for field, messages in exc.message_dict.items()
    )
