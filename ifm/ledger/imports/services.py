"""The ledger imports as services: the permission and organization, then the import."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction

from ifm.ledger.imports.chart import chart_import
from ifm.ledger.imports.opening import opening_balances_import
from ifm.tenancy.context import org_context
from ifm.tenancy.models import Organization
from ifm.tenancy.permissions import Access, require_perm


@transaction.atomic
def chart_import_csv(
    *, organization: Organization, actor: Any, access: Access | None, file: Any, dry_run: bool
) -> Any:
    """Import a chart of accounts (UCOA/Banana export or the simple format; see imports.py).

    Returns an ImportResult. A dry run writes nothing and lists every problem; a commit with
    problems raises ServiceError listing them all (row and column) and writes nothing.
    """

    require_perm(access, "ledger.manage")
    with org_context(organization):
        return chart_import(organization=organization, actor=actor, file=file, dry_run=dry_run)


@transaction.atomic
def opening_balances_import_csv(
    *,
    organization: Organization,
    actor: Any,
    access: Access | None,
    file: Any,
    date: date,
    dry_run: bool,
) -> Any:
    """Post opening balances (account_number,fund_code,debit,credit) as one entry on `date`."""

    require_perm(access, "ledger.manage")
    with org_context(organization):
        return opening_balances_import(
            organization=organization, actor=actor, file=file, on=date, dry_run=dry_run
        )
