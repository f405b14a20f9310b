"""Budgets as files: the one layout that import, export and the template share, and the import
itself (read, check, and say what would change before anything is saved).

The layout: a header row, then one row per budget line.

    account, account_name, fund, program, month_1, ..., month_12

`account` is the account number (required). `account_name` is there for people and ignored
on import. `fund` and `program` are codes, blank for a line of the whole account. `month_1`
is the first month of the fiscal year; a blank amount is 0.00; amounts are never negative and
have at most two decimals ("1,250.00" and "$1250" read too). Importing a file replaces the
whole budget: a line not in the file is removed.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from typing import Any

from ifm.core.errors import ServiceError
from ifm.core.tabular import iter_rows, read_upload
from ifm.ledger.models import Fund, Program
from ifm.reports.budgets import selectors
from ifm.reports.budgets.models import MONTH_FIELDS, Budget
from ifm.reports.budgets.services import LineIn, lines_clean
from ifm.reports.report import ZERO, add

COLUMNS = ("account", "account_name", "fund", "program", *MONTH_FIELDS)
REQUIRED = ("account", *MONTH_FIELDS)
MAX_ROWS = 5000
MAX_BYTES = 5 * 1024 * 1024
MAX_ERRORS = 50


def template_rows() -> list[list[Any]]:
    """Every active budget account, once, with twelve zeros: a file to fill in."""
    return [
        [a.number, a.name, "", "", *([ZERO] * 12)]
        for a in selectors.budget_accounts().filter(is_active=True)
    ]


def budget_rows(budget: Budget | None) -> list[list[Any]]:
    """The budget's lines in the import layout (a file that imports back unchanged)."""
    return [
        [
            line.account.number,
            line.account.name,
            line.fund.code if line.fund else "",
            line.program.code if line.program else "",
            *line.amounts,
        ]
        for line in selectors.budget_lines(budget)
    ]


@dataclass(frozen=True)
class Change:
    label: str
    status: str  # "added", "changed", "removed", "unchanged"
    before: Decimal
    after: Decimal


@dataclass(frozen=True)
class Preview:
    lines: list[LineIn]
    changes: list[Change]

    def count(self, status: str) -> int:
        return sum(1 for c in self.changes if c.status == status)


def _header(cells: list[str]) -> dict[str, int]:
    names = [c.strip().lower() for c in cells]
    unknown = [n for n in names if n and n not in COLUMNS]
    if unknown:
        raise ServiceError(
            f"Row 1: unknown column {unknown[0]!r}. The columns are: {', '.join(COLUMNS)} "
            "(download the template).",
            field="file",
        )
    missing = [n for n in REQUIRED if n not in names]
    if missing:
        raise ServiceError(
            f"Row 1: the column {missing[0]!r} is missing. The columns are: "
            f"{', '.join(COLUMNS)} (download the template).",
            field="file",
        )
    return {name: names.index(name) for name in COLUMNS if name in names}


def _cell(header: dict[str, int], row: list[str], name: str) -> str:
    index = header.get(name)
    return row[index].strip() if index is not None and index < len(row) else ""


def _read(data: bytes, filename: str) -> tuple[list[LineIn], list[int]]:
    """The file's lines, and the row number of each."""
    upload = read_upload(data, filename, max_bytes=MAX_BYTES)
    rows = iter_rows(upload, max_rows=MAX_ROWS + 1)
    header: dict[str, int] | None = None
    accounts = {a.number: a.pk for a in selectors.budget_accounts()}
    funds = dict(Fund.objects.values_list("code", "pk"))
    programs = dict(Program.objects.values_list("code", "pk"))
    lines: list[LineIn] = []
    where: list[int] = []
    errors: list[str] = []
    for number, cells in rows:
        if not any(c.strip() for c in cells):
            continue
        if header is None:
            header = _header(cells)
            continue
        cell = partial(_cell, header, cells)
        ids: list[int | None] = []
        for name, known, what in (
            ("account", accounts, "revenue or expense account that takes postings"),
            ("fund", funds, "fund"),
            ("program", programs, "program"),
        ):
            code = cell(name)
            if not code:
                if name == "account":
                    errors.append(f"Row {number}, column account: give the account number.")
                ids.append(None)
            elif code not in known:
                errors.append(f"Row {number}, column {name}: no {what} {code!r}.")
                ids.append(None)
            else:
                ids.append(known[code])
        lines.append(LineIn(ids[0], ids[1], ids[2], [cell(n) for n in MONTH_FIELDS]))
        where.append(number)
    if header is None:
        raise ServiceError("The file has no header row: download the template.", field="file")
    if errors:
        _raise(errors)
    return lines, where


def _raise(errors: list[str]) -> None:
    shown = errors[:MAX_ERRORS]
    more = len(errors) - len(shown)
    message = f"The file has {len(errors)} problem{'s' if len(errors) > 1 else ''}: nothing " + (
        "was imported."
    )
    raise ServiceError(
        message,
        errors=[{"field": "file", "message": e} for e in shown]
        + ([{"field": "file", "message": f"… and {more} more."}] if more else []),
    )


def _located(exc: ServiceError, where: list[int]) -> list[str]:
    """The service's `lines[i].field` errors as "Row n, column c: ..."."""
    found = []
    for error in exc.errors:
        field = error.get("field") or ""
        if field.startswith("lines[") and "]" in field:
            index = int(field[6 : field.index("]")])
            column = field.split(".", 1)[1] if "." in field else ""
            row = where[index] if index < len(where) else index + 2
            found.append(f"Row {row}, column {column}: {error['message']}")
        else:
            found.append(error["message"])
    return found


def _key_label(key: tuple[int, int | None, int | None], names: dict[str, dict[int, str]]) -> str:
    account, fund, program = key
    parts = [names["account"].get(account, str(account))]
    if fund:
        parts.append(f"fund {names['fund'].get(fund, fund)}")
    if program:
        parts.append(f"program {names['program'].get(program, program)}")
    return " · ".join(parts)


def budget_import_preview(*, fiscal_year: int, data: bytes, filename: str) -> Preview:
    """The file read and checked as a whole, and what importing it would change: a
    ServiceError naming each bad row and column otherwise. Nothing is written."""
    lines, where = _read(data, filename)
    try:
        clean = lines_clean(lines)
    except ServiceError as exc:
        _raise(_located(exc, where))
        raise
    before = {
        (x.account_id, x.fund_id, x.program_id): tuple(x.amounts)
        for x in selectors.budget_lines(selectors.budget_get(fiscal_year))
    }
    after = {x.key: x.amounts for x in clean}
    names = {
        "account": {a.pk: str(a) for a in selectors.budget_accounts()},
        "fund": dict(Fund.objects.values_list("pk", "code")),
        "program": dict(Program.objects.values_list("pk", "code")),
    }
    changes = []
    for key in sorted(before.keys() | after.keys(), key=lambda k: _key_label(k, names)):
        old, new = before.get(key), after.get(key)
        status = (
            "added"
            if old is None
            else "removed"
            if new is None
            else "unchanged"
            if old == new
            else "changed"
        )
        changes.append(Change(_key_label(key, names), status, add(*(old or ())), add(*(new or ()))))
    kept = [LineIn(x.account_id, x.fund_id, x.program_id, list(x.amounts)) for x in clean]
    return Preview(kept, changes)
