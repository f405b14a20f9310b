"""Importing opening balances: ``account_number,fund_code,debit,credit`` as one entry."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, cast

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


@dataclass
class _Refs:
    """The chart's accounts and funds as the rows name them."""

    accounts: dict[str, Account]
    headers: set[str]
    funds: dict[str, Fund]
    funds_ci: dict[str, Fund]

    @classmethod
    def load(cls) -> _Refs:
        funds = {f.code: f for f in Fund.objects.all()}
        return cls(
            accounts={a.number: a for a in Account.objects.all()},
            headers=set(
                Account.objects.filter(children__isnull=False).values_list("number", flat=True)
            ),
            funds=funds,
            funds_ci={code.lower(): f for code, f in funds.items()},
        )


def _check_header(header: list[str], result: OpeningBalancesResult) -> None:
    """A missing column is an error; an unknown one is a problem."""
    lowered = [h.lower() for h in header]
    missing = [c for c in OPENING_COLUMNS if c not in lowered]
    if missing:
        raise header_error(header, ",".join(OPENING_COLUMNS), missing)
    for name in header:
        if name.lower() not in OPENING_COLUMNS:
            result.problems.append(Problem(1, name or "(blank)", "unknown column"))


def _account_problem(number: str, account: Account | None, headers: set[str]) -> str | None:
    if not number:
        return "the account number is missing"
    if account is None:
        return f"there is no account {number[:40]!r} in the chart"
    if not account.is_active:
        return f"account {account} is inactive"
    if number in headers:
        return f"{account} is a header: use one of its sub-accounts"
    return None


def _fund_problem(code: str, fund: Fund | None) -> str | None:
    if not code:
        return "the fund code is missing"
    if fund is None:
        return f"there is no fund {code[:40]!r}"
    if not fund.is_active:
        return f"fund {fund} is inactive"
    return None


_AMOUNT_PROBLEMS = {
    "not_a_number": "{raw!r} is not an amount",
    "negative": "amounts must not be negative: use the other column",
    "decimals": "{raw} has more than two decimals",
    "too_large": "{raw} is too large",
}


def _read_amounts(
    row: int, cols: dict[str, str], result: OpeningBalancesResult
) -> dict[str, Decimal]:
    """The row's debit and credit that read as amounts; the others become problems."""
    amounts: dict[str, Decimal] = {}
    for column in ("debit", "credit"):
        raw = cols.get(column, "")
        try:
            amounts[column] = parse_money(raw, blank=ZERO, text=True, allow_zero=True)
        except MoneyError as exc:
            template = _AMOUNT_PROBLEMS.get(exc.reason)
            problem = template.format(raw=raw[:40]) if template else exc.message
            result.problems.append(Problem(row, column, problem))
    return amounts


def _read_line(
    row: int, cols: dict[str, str], refs: _Refs, result: OpeningBalancesResult
) -> LineInput | None:
    """One row as a line, or None when it has problems or a zero balance (skipped)."""
    number, code = cols.get("account_number", ""), cols.get("fund_code", "")
    account = refs.accounts.get(number)
    fund = refs.funds.get(code) or refs.funds_ci.get(code.lower())
    bad = False
    for column, problem in (
        ("account_number", _account_problem(number, account, refs.headers)),
        ("fund_code", _fund_problem(code, fund)),
    ):
        if problem is not None:
            result.problems.append(Problem(row, column, problem))
            bad = True
    amounts = _read_amounts(row, cols, result)
    if len(amounts) < 2:
        return None
    debit, credit = amounts["debit"], amounts["credit"]
    if debit > 0 and credit > 0:
        result.problems.append(Problem(row, "credit", "give a debit or a credit, not both"))
        return None
    if debit == 0 and credit == 0:
        if not bad:
            result.skipped.append(Skipped(row, number, "zero balance"))
        return None
    if bad or account is None or fund is None:
        return None
    return LineInput(account=account, fund=fund, debit=debit, credit=credit)


def _read_lines(
    header: list[str], rows: list[tuple[int, list[str]]], result: OpeningBalancesResult
) -> tuple[list[LineInput], list[int]]:
    """The lines to post and the row each comes from."""
    refs = _Refs.load()
    lines: list[LineInput] = []
    line_rows: list[int] = []
    for row, record in rows:
        line = _read_line(row, columns_of(header, record), refs, result)
        if line is not None:
            lines.append(line)
            line_rows.append(row)
    return lines, line_rows


def _check_totals(lines: list[LineInput], result: OpeningBalancesResult) -> None:
    """Add up the lines: there must be some, and (when nothing else is wrong) they balance."""
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


def _check_no_earlier_import(result: OpeningBalancesResult) -> None:
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


def _interfund(lines: list[LineInput]) -> list[dict[str, Any]]:
    """Each fund's difference between debits and credits (the interfund lines will make up)."""
    by_fund: dict[int, Decimal] = defaultdict(lambda: ZERO)
    fund_by_id: dict[int, Fund] = {}
    for li in lines:
        fund = cast(Fund, li.fund)
        fund_by_id[fund.pk] = fund
        by_fund[fund.pk] += li.debit - li.credit
    return [
        {"fund": fund_by_id[fid].code, "difference": net}
        for fid, net in sorted(by_fund.items())
        if net != 0
    ]


def _posting_problems(exc: ServiceError, line_rows: list[int]) -> list[Problem]:
    """The errors of posting, each on the row and column of the line it names."""
    problems = []
    for error in exc.errors or [{"field": "", "message": exc.message}]:
        name = error.get("field") or ""
        match = re.match(r"^lines\[(\d+)\](?:\.(\w+))?$", name)
        if match and int(match.group(1)) < len(line_rows):
            column = {"account": "account_number", "fund": "fund_code"}.get(
                match.group(2) or "", match.group(2) or ""
            )
            problems.append(Problem(line_rows[int(match.group(1))], column, error["message"]))
        else:
            problems.append(Problem(None, name, error["message"]))
    return problems


def _post(
    organization: Organization,
    actor: User,
    on: date,
    lines: list[LineInput],
    line_rows: list[int],
    result: OpeningBalancesResult,
) -> None:
    """Post the entry (a dry run rolls it back); what posting refuses becomes problems."""
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
            if result.dry_run:
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
        result.problems += _posting_problems(exc, line_rows)


def opening_balances_import(
    *, organization: Organization, actor: User, file: Any, on: date, dry_run: bool
) -> OpeningBalancesResult:
    header, rows = read_rows(file)
    result = OpeningBalancesResult(dry_run=dry_run, date=on)
    _check_header(header, result)
    lines, line_rows = _read_lines(header, rows, result)
    _check_totals(lines, result)
    _check_no_earlier_import(result)
    result.interfund = _interfund(lines)
    if not result.problems:
        _post(organization, actor, on, lines, line_rows, result)
    if result.problems:
        result.problems.sort(key=lambda pr: (pr.row or 0, pr.column))
        if dry_run:
            return result
        raise problems_error(result.problems, "opening balances file")
    return result
