"""The ledger imports as services: the permission and organization, then the import."""

from __future__ import annotations

from datetime import date
from typing import Any

from ifm.accounts.models import User
from ifm.ledger.imports.chart import chart_import
from ifm.ledger.imports.opening import opening_balances_import
from ifm.tenancy.models import Organization
from ifm.tenancy.permissions import Access, org_service


@org_service("ledger.manage")
def chart_import_csv(
    *, organization: Organization, actor: User, access: Access | None, file: Any, dry_run: bool
) -> Any:
    """Import a chart of accounts (UCOA/Banana export or the simple format; see imports.py).

    Returns an ImportResult. A dry run writes nothing and lists every problem; a commit with
    problems raises ServiceError listing them all (row and column) and writes nothing.
    """

    return chart_import(organization=organization, actor=actor, file=file, dry_run=dry_run)


@org_service("ledger.manage")
def opening_balances_import_csv(
    *,
    organization: Organization,
    actor: User,
    access: Access | None,
    file: Any,
    date: date,
    dry_run: bool,
) -> Any:
    """Post opening balances (account_number,fund_code,debit,credit) as one entry on `date`."""

    return opening_balances_import(
        organization=organization, actor=actor, file=file, on=date, dry_run=dry_run
    )
