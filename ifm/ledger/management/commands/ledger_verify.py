from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from ifm.core.org_context import org_context
from ifm.ledger.balances.stored import Difference, differences, rebuild
from ifm.ledger.models import Account, Fund, Program
from ifm.tenancy.models import Organization


def _describe(slug: str, found: Difference, names: dict[str, dict[int, str]]) -> str:
    program = names["program"].get(found.program_id, "-") if found.program_id else "-"
    kind = " (closing)" if found.closing else ""
    return (
        f"{slug} {found.period}{kind} account {names['account'].get(found.account_id)}"
        f" fund {names['fund'].get(found.fund_id)} program {program}"
        f" function {found.function or '-'}: stored debits {found.stored_debit}"
        f" credits {found.stored_credit}, lines debits {found.lines_debit}"
        f" credits {found.lines_credit}"
    )


class Command(BaseCommand):
    help = (
        "Check the stored monthly, quarterly and yearly balances against the journal lines "
        "for each organization (or --org); exits 1 if any differ. --repair rewrites them "
        "from the lines."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--org", help="organization slug (default: every organization)")
        parser.add_argument(
            "--repair", action="store_true", help="rewrite the balances of any that differ"
        )

    def handle(self, *args: Any, org: str | None, repair: bool, **options: Any) -> None:
        organizations = Organization.objects.order_by("slug")
        if org:
            organizations = organizations.filter(slug=org)
            if not organizations.exists():
                raise CommandError(f"No organization with slug {org!r}.")
        left = 0
        for organization in organizations:
            with org_context(organization):
                found = differences(organization.pk)
                if not found:
                    self.stdout.write(f"{organization.slug}: balances agree with the lines")
                    continue
                names = {
                    "account": {a.pk: a.number for a in Account.objects.only("number")},
                    "fund": {f.pk: f.code for f in Fund.objects.only("code")},
                    "program": {p.pk: p.code for p in Program.objects.only("code")},
                }
                for difference in found:
                    self.stdout.write(_describe(organization.slug, difference, names))
                if not repair:
                    left += len(found)
                    self.stdout.write(f"{organization.slug}: {len(found)} balance(s) differ")
                    continue
                with transaction.atomic():
                    rows = rebuild(organization.pk)
                remaining = differences(organization.pk)
                left += len(remaining)
                self.stdout.write(
                    f"{organization.slug}: {len(found)} balance(s) differed; rewrote {rows} "
                    f"row(s) from the lines, {len(remaining)} differ now"
                )
        if left:
            raise CommandError(
                f"{left} stored balance(s) differ from the journal lines"
                + ("" if repair else ": run `ifm ledger_verify --repair` to rewrite them"),
                returncode=1,
            )
