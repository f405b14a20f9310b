from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from ifm.core.org_context import org_context
from ifm.donors.gifts.rollup import (
    fiscal_rows_kept,
    giving_years_differences,
    giving_years_rebuild,
)
from ifm.tenancy.models import Organization


class Command(BaseCommand):
    help = (
        "Check the donor-year roll-up of giving against the gifts for each organization (or "
        "--org); exits 1 if any row differs. --repair rewrites the rows from the gifts (also "
        "after a change of the organization's fiscal year)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--org", help="organization slug (default: every organization)")
        parser.add_argument("--repair", action="store_true", help="rewrite the rows that differ")

    def handle(self, *args: Any, org: str | None, repair: bool, **options: Any) -> None:
        organizations = Organization.objects.order_by("slug")
        if org:
            organizations = organizations.filter(slug=org)
            if not organizations.exists():
                raise CommandError(f"No organization with slug {org!r}.")
        left = 0
        for organization in organizations:
            with org_context(organization):
                stale = (
                    not repair
                    and organization.fiscal_year_start_month != 1
                    and not fiscal_rows_kept(organization)
                )
                found = giving_years_differences(organization)
                if not found and not stale and not repair:
                    self.stdout.write(f"{organization.slug}: giving years agree with the gifts")
                    continue
                for d in found[:50]:
                    self.stdout.write(
                        f"{organization.slug} donor {d.donor_id} year {d.year}"
                        f" (from month {d.start_month}): stored {d.stored}, gifts {d.gifts}"
                    )
                if stale:
                    self.stdout.write(
                        f"{organization.slug}: the fiscal rows are of another fiscal year"
                    )
                if not repair:
                    left += len(found) + int(stale)
                    self.stdout.write(f"{organization.slug}: {len(found)} row(s) differ")
                    continue
                with transaction.atomic():
                    rows = giving_years_rebuild(organization)
                remaining = giving_years_differences(organization)
                left += len(remaining)
                self.stdout.write(
                    f"{organization.slug}: {len(found)} row(s) differed; rewrote {rows} row(s)"
                    f" from the gifts, {len(remaining)} differ now"
                )
        if left:
            raise CommandError(
                f"{left} giving year(s) differ from the gifts"
                + ("" if repair else ": run `ifm giving_verify --repair` to rewrite them"),
                returncode=1,
            )
