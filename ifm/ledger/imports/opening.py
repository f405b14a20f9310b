"""Importing opening balances: ``account_number,fund_code,debit,credit`` as one entry."""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction

from ifm.accounts.models import User
from ifm.audit.services import audit_record
from ifm.core.errors import ServiceError
from ifm.core.money import MoneyError, parse_money
from ifm.ledger.imports.reading import columns_of, header_error, read_rows
from ifm.ledger.imports.results import (
    OpeningBalancesResult,
    Problem,
    Rollback,
    Skipped,
    problems_error,
)
from ifm.ledger.journal.posting import LineInput, post_entry
from ifm.ledger.models import Account, Fund, JournalEntry, SourceType
from ifm.tenancy.models import Organization

ZERO = Decimal("0.00")


OPENING_COLUMNS = ["account_number", "fund_code", "debit", "credit"]


def opening_balances_import(
    *, organization: Organization, actor: User, file: Any, on: date, dry_run: bool
) -> OpeningBalancesResult:

    header, rows = read_rows(file)
    lowered = [h.lower() for h in header]
    missing = [c for c in OPENING_COLUMNS if c not in lowered]
    if missing:
        raise header_error(header, ",".join(OPENING_COLUMNS), missing)
    result = OpeningBalancesResult(dry_run=dry_run, date=on)
    for name in header:
        if name.lower() not in OPENING_COLUMNS:
            result.problems.append(Problem(1, name or "(blank)", "unknown column"))

    accounts = {a.number: a for a in Account.objects.all()}
    headers = set(Account.objects.filter(children__isnull=False).values_list("number", flat=True))
    funds = {f.code: f for f in Fund.objects.all()}
    funds_ci = {code.lower(): f for code, f in funds.items()}
    lines: list[LineInput] = []
    line_rows: list[int] = []
    for row, record in rows:
        cols = columns_of(header, record)
        number, code = cols.get("account_number", ""), cols.get("fund_code", "")
        bad = False
        account = accounts.get(number)
        if not number:
            result.problems.append(Problem(row, "account_number", "the account number is missing"))
            bad = True
        elif account is None:
            result.problems.append(
                Problem(row, "account_number", f"there is no account {number[:40]!r} in the chart")
            )
            bad = True
        elif not account.is_active:
            result.problems.append(Problem(row, "account_number", f"account {account} is inactive"))
            bad = True
        elif number in headers:
            result.problems.append(
                Problem(
                    row, "account_number", f"{account} is a header: use one of its sub-accounts"
                )
            )
            bad = True
        fund = funds.get(code) or funds_ci.get(code.lower())
        if not code:
            result.problems.append(Problem(row, "fund_code", "the fund code is missing"))
            bad = True
        elif fund is None:
            result.problems.append(Problem(row, "fund_code", f"there is no fund {code[:40]!r}"))
            bad = True
        elif not fund.is_active:
            result.problems.append(Problem(row, "fund_code", f"fund {fund} is inactive"))
            bad = True
        amounts: dict[str, Decimal] = {}
        for column in ("debit", "credit"):
            raw = cols.get(column, "")
            try:
                amounts[column] = parse_money(raw, blank=ZERO, text=True, allow_zero=True)
            except MoneyError as exc:
                problem = {
                    "not_a_number": f"{raw[:40]!r} is not an amount",
                    "negative": "amounts must not be negative: use the other column",
                    "decimals": f"{raw[:40]} has more than two decimals",
                    "too_large": f"{raw[:40]} is too large",
                }.get(exc.reason, exc.message)
                result.problems.append(Problem(row, column, problem))
                bad = True
        if len(amounts) == 2:
            debit, credit = amounts["debit"], amounts["credit"]
            if debit > 0 and credit > 0:
                result.problems.append(Problem(row, "credit", "give a debit or a credit, not both"))
                bad = True
            elif debit == 0 and credit == 0:
                if not bad:
                    result.skipped.append(Skipped(row, number, "zero balance"))
                continue
        if bad or account is None or fund is None:
            continue
        lines.append(
            LineInput(account=account, fund=fund, debit=amounts["debit"], credit=amounts["credit"])
        )
        line_rows.append(row)

    result.total_debit = sum((li.debit for li in lines), ZERO)
    result.total_credit = sum((li.credit for li in lines), ZERO)
    result.lines = len(lines)
    if not lines and not result.problems:
        result.problems.append(Problem(None, "", "there are no amounts to import"))
    if lines and result.total_debit != result.total_credit and not result.problems:
        result.problems.append(
            Problem(
                None,
                "debit",
                f"debits {result.total_debit} and credits {result.total_credit} differ by "
                f"{abs(result.total_debit - result.total_credit)}: opening balances must balance",
            )
        )
    earlier = (
        JournalEntry.objects.filter(source_type=SourceType.OPENING, reversed_by__isnull=True)
        .order_by("number")
        .first()
    )
    if earlier is not None:
        result.problems.append(
            Problem(
                None,
                "date",
                f"opening balances were already imported ({earlier} on {earlier.date}): "
                "reverse that entry first",
            )
        )
    by_fund: dict[int, Decimal] = defaultdict(lambda: ZERO)
    fund_by_id = {f.pk: f for f in funds.values()}
    for li in lines:
        by_fund[li.fund.pk] += li.debit - li.credit  # type: ignore[union-attr]
    result.interfund = [
        {"fund": fund_by_id[fid].code, "difference": net}
        for fid, net in sorted(by_fund.items())
        if net != 0
    ]

    if not result.problems:
        try:
            with transaction.atomic():
                entry = post_entry(
                    organization=organization,
                    actor=actor,
                    date=on,
                    lines=lines,
                    memo="Opening balances",
                    source_type=SourceType.OPENING,
                    source_id=on.isoformat(),
                )
                result.entry_id, result.entry_number = entry.pk, entry.number
                if dry_run:
                    raise Rollback
                audit_record(
                    action="opening_balances.import",
                    actor=actor,
                    organization=organization,
                    obj=entry,
                    changes={
                        "date": on.isoformat(),
                        "lines": result.lines,
                        "total": str(result.total_debit),
                    },
                )
        except Rollback:
            result.entry_id = result.entry_number = None
        except ServiceError as exc:
            for error in exc.errors or [{"field": "", "message": exc.message}]:
                name = error.get("field") or ""
                match = re.match(r"^lines\[(\d+)\](?:\.(\w+))?$", name)
                if match and int(match.group(1)) < len(line_rows):
                    column = {"account": "account_number", "fund": "fund_code"}.get(
                        match.group(2) or "", match.group(2) or ""
                    )
                    result.problems.append(
                        Problem(line_rows[int(match.group(1))], column, error["message"])
                    )
                else:
                    result.problems.append(Problem(None, name, error["message"]))
    if result.problems:
        result.problems.sort(key=lambda pr: (pr.row or 0, pr.column))
        if dry_run:
            return result
        raise problems_error(result.problems, "opening balances file")
    return result
