"""CSV and XLSX bank exports, read with a `ColumnProfile` that names the bank's columns.

The bytes are read by the platform's table reader (`ifm.core.tabular`: encoding UTF-8 with or
without a byte-order mark, UTF-16, or cp1252; comma, semicolon, tab or bar delimiter; the
workbook's first sheet with values only, formulas never evaluated). Here:

- the header row is the first of the first `HEADER_SEARCH_ROWS` rows that holds the profile's
  date and amount columns (names compared without case and extra spaces), so title rows, the
  account's name and blank lines above the table are skipped;
- every column the profile names must be in that row, or the problem lists what the row has;
- dates in the profile's format (a time after the date is ignored); in a workbook, real dates
  and date serial numbers too;
- one signed amount column (`negate_amounts` for card exports that write spending positive), or
  debit and credit columns (withdrawals and deposits, either sign), in any of the ways
  `values.text_amount` reads;
- blank rows are skipped; a running balance column is kept on each line and checked.
- a workbook cell whose formula has no saved value is a problem (the value was never computed).
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from ifm.banking.statements.checks import (
    MAX_LINES,
    ProblemList,
    check_running_balances,
    refuse,
)
from ifm.banking.statements.types import ColumnProfile, ParsedLine, ParsedStatement
from ifm.banking.statements.values import (
    AmountError,
    machine_number,
    shown_format,
    text_amount,
    text_date,
)
from ifm.core.tabular import XLSX, TabularError, iter_rows, read_upload

HEADER_SEARCH_ROWS = 50
MAX_FILE_BYTES = 64 * 1024 * 1024
_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")


def _key(name: str) -> str:
    return " ".join(name.split()).casefold()


@dataclass(frozen=True)
class _Columns:
    """Where each of the profile's columns is in the header row (-1 when not set)."""

    date: int
    amount: int
    debit: int
    credit: int
    payee: int
    memo: int
    reference: int
    balance: int


def read_table(data: bytes, *, filename: str, profile: ColumnProfile) -> ParsedStatement:
    _check_profile(profile)
    try:
        upload = read_upload(data, filename, max_bytes=MAX_FILE_BYTES, fallback_encoding="cp1252")
        workbook = upload.format == XLSX
        problems = ProblemList()
        if workbook:
            _check_formulas(data, problems)
        rows = iter_rows(upload, max_rows=MAX_LINES + HEADER_SEARCH_ROWS)
        columns, header_row = _header(rows, profile)
        lines = _lines(rows, columns, profile, workbook, problems)
    except TabularError as exc:
        where = f"line {exc.line}" if exc.line else "file"
        raise refuse(exc.message, where=where, field="file") from None
    notes: list[str] = []
    newest_first, agree = False, True
    if columns.balance >= 0:
        newest_first, agree = check_running_balances(lines, problems, notes)
    problems.raise_if_any()
    statement = ParsedStatement(format="xlsx" if workbook else "csv", lines=lines, notes=notes)
    if columns.balance >= 0:
        _balances(statement, newest_first, agree=agree)
    if not lines:
        statement.notes.append(f"No rows under the header (row {header_row}).")
    return statement


def _check_profile(profile: ColumnProfile) -> None:
    if not profile.date_column.strip():
        raise refuse("The column profile names no date column.", field="profile")
    if not (profile.amount_column or profile.debit_column or profile.credit_column).strip():
        raise refuse(
            "The column profile names no amount column, nor debit and credit columns.",
            field="profile",
        )


def _header(rows: Iterator[tuple[int, list[str]]], profile: ColumnProfile) -> tuple[_Columns, int]:
    named = {
        "date": profile.date_column,
        "amount": profile.amount_column,
        "debit": profile.debit_column,
        "credit": profile.credit_column,
        "payee": profile.payee_column,
        "memo": profile.memo_column,
        "reference": profile.reference_column,
        "balance": profile.balance_column,
    }
    wanted = {field: _key(name) for field, name in named.items() if name.strip()}
    amount_keys = {wanted[f] for f in ("amount", "debit", "credit") if f in wanted}
    first_filled: tuple[int, list[str]] | None = None
    for number, cells in rows:
        keys = [_key(cell) for cell in cells]
        if first_filled is None and any(keys):
            first_filled = (number, cells)
        if wanted["date"] in keys and amount_keys & set(keys):
            missing = [named[f] for f, key in wanted.items() if key not in keys]
            if missing:
                raise refuse(
                    f"The header row (row {number}) has no column named "
                    + ", ".join(repr(m) for m in missing)
                    + f". Its columns are: {_shown(cells)}. Fix the column profile or the file.",
                    where=f"row {number}",
                    field="header",
                )
            index = {field: keys.index(key) for field, key in wanted.items()}
            return _Columns(**{f: index.get(f, -1) for f in named}), number
        if number >= HEADER_SEARCH_ROWS:
            break
    seen = (
        f" The first row with text (row {first_filled[0]}) has: {_shown(first_filled[1])}."
        if first_filled
        else " The file has no text."
    )
    wanted_names = [
        named["date"],
        *[named[f] for f in ("amount", "debit", "credit") if f in wanted],
    ]
    raise refuse(
        f"No row in the first {HEADER_SEARCH_ROWS} names the columns "
        + ", ".join(repr(n) for n in wanted_names)
        + f" of the column profile.{seen} Check that the profile fits this bank's export.",
        field="header",
    )


def _shown(cells: list[str]) -> str:
    names = [repr(cell) for cell in cells if cell.strip()][:20]
    return ", ".join(names) or "nothing"


def _cell(cells: list[str], index: int) -> str:
    return cells[index] if 0 <= index < len(cells) else ""


def _lines(
    rows: Iterator[tuple[int, list[str]]],
    columns: _Columns,
    profile: ColumnProfile,
    workbook: bool,
    problems: ProblemList,
) -> list[ParsedLine]:
    lines = []
    for number, cells in rows:
        if not any(cells):
            continue
        line = _line(number, cells, columns, profile, workbook, problems)
        if line is not None:
            lines.append(line)
    return lines


def _line(
    number: int,
    cells: list[str],
    columns: _Columns,
    profile: ColumnProfile,
    workbook: bool,
    problems: ProblemList,
) -> ParsedLine | None:
    where = f"row {number}"
    when = _date(_cell(cells, columns.date), profile, workbook, where, problems)
    amount = _row_amount(cells, columns, profile, workbook, where, problems)
    balance = None
    raw_balance = _cell(cells, columns.balance)
    if raw_balance:
        balance = _amount(raw_balance, profile, workbook, where, profile.balance_column, problems)
    if when is None or amount is None:
        return None
    return ParsedLine(
        date=when,
        amount=amount,
        payee=" ".join(_cell(cells, columns.payee).split()),
        memo=" ".join(_cell(cells, columns.memo).split()),
        reference=" ".join(_cell(cells, columns.reference).split()),
        balance=balance,
        where=where,
    )


def _date(
    raw: str, profile: ColumnProfile, workbook: bool, where: str, problems: ProblemList
) -> date | None:
    if not raw:
        problems.add(where, profile.date_column, "The row has no date.")
        return None
    try:
        return text_date(raw, profile.date_format, workbook=workbook)
    except ValueError:
        problems.add(
            where,
            profile.date_column,
            f"{raw[:40]!r} is not a date written {shown_format(profile.date_format)} (the "
            "column profile's date format).",
        )
        return None


def _amount(
    raw: str,
    profile: ColumnProfile,
    workbook: bool,
    where: str,
    column: str,
    problems: ProblemList,
) -> Decimal | None:
    if workbook:
        number = machine_number(raw)
        if number is not None:
            return number
    try:
        return text_amount(raw, decimal_comma=profile.decimal_comma)
    except AmountError as exc:
        problems.add(where, column, f"{exc}.")
        return None


def _row_amount(
    cells: list[str],
    columns: _Columns,
    profile: ColumnProfile,
    workbook: bool,
    where: str,
    problems: ProblemList,
) -> Decimal | None:
    if columns.amount >= 0:
        raw = _cell(cells, columns.amount)
        if not raw:
            problems.add(where, profile.amount_column, "The row has no amount.")
            return None
        value = _amount(raw, profile, workbook, where, profile.amount_column, problems)
        return -value if value is not None and profile.negate_amounts else value
    debit_raw, credit_raw = _cell(cells, columns.debit), _cell(cells, columns.credit)
    if not debit_raw and not credit_raw:
        names = " or ".join(repr(n) for n in (profile.debit_column, profile.credit_column) if n)
        problems.add(
            where,
            profile.debit_column or profile.credit_column,
            f"The row has no amount in {names}.",
        )
        return None
    debit = (
        _amount(debit_raw, profile, workbook, where, profile.debit_column, problems)
        if debit_raw
        else Decimal("0.00")
    )
    credit = (
        _amount(credit_raw, profile, workbook, where, profile.credit_column, problems)
        if credit_raw
        else Decimal("0.00")
    )
    if debit is None or credit is None:
        return None
    return abs(credit) - abs(debit)


def _balances(statement: ParsedStatement, newest_first: bool, *, agree: bool) -> None:
    """Closing balance from the running balance of the newest line (what the bank says the
    account holds); the opening balance from the oldest line, unless the balance column slips
    somewhere, when only the closing balance is taken as the bank wrote it."""
    ordered = [line for line in statement.lines if line.balance is not None]
    if not ordered or len(ordered) != len(statement.lines):
        return
    if newest_first:
        ordered.reverse()
    first, last = ordered[0], ordered[-1]
    assert first.balance is not None
    if agree:
        statement.opening_balance = first.balance - first.amount
    statement.closing_balance = last.balance
    statement.closing_balance_date = last.date


# --- workbook formulas ---------------------------------------------------------------------------


def _check_formulas(data: bytes, problems: ProblemList) -> None:
    """A formula whose value the workbook did not save (written by a program, never opened in a
    spreadsheet) would read as an empty cell: name each one instead. Formulas are never run."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            has_formulas = any(
                _FORMULA.search(archive.read(name))
                for name in archive.namelist()
                if name.startswith("xl/worksheets/") and name.endswith(".xml")
            )
    except (zipfile.BadZipFile, OSError, ValueError, KeyError):
        return  # the table reader says what is wrong with the file
    if not has_formulas:
        return
    formulas = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    values = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        if not formulas.worksheets:
            return
        pairs = zip(
            formulas.worksheets[0].iter_rows(values_only=True),
            values.worksheets[0].iter_rows(values_only=True),
            strict=False,
        )
        for number, (written, saved) in enumerate(pairs, start=1):
            for column, (formula, value) in enumerate(zip(written, saved, strict=False), 1):
                if isinstance(formula, str) and formula.startswith("=") and value is None:
                    problems.add(
                        f"row {number}",
                        get_column_letter(column),
                        f"The cell holds the formula {formula[:60]!r} without a saved value: "
                        "open the file in a spreadsheet program and save it, or export CSV.",
                    )
    finally:
        formulas.close()
        values.close()
