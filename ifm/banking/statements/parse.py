"""`parse_statement`: any statement file in, one `ParsedStatement` out, or every problem."""

from __future__ import annotations

import dataclasses
import gc
import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from ifm.banking.statements.camt import read_camt
from ifm.banking.statements.checks import ProblemList, check_statement, refuse
from ifm.banking.statements.detect import CAMT, OFX, detect_format
from ifm.banking.statements.ofx import read_ofx
from ifm.banking.statements.table import read_table
from ifm.banking.statements.types import (
    ColumnProfile,
    ParsedLine,
    ParsedStatement,
    StatementError,
)

logger = logging.getLogger(__name__)

MAX_FILE_BYTES = 64 * 1024 * 1024
# The widths of BankTransaction's text columns: longer text is cut, never refused.
TEXT_LIMITS = {"payee": 255, "memo": 500, "reference": 100, "bank_id": 255, "kind": 40}
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def parse_statement(
    data: bytes, *, filename: str = "", profile: ColumnProfile | None = None
) -> ParsedStatement:
    """The statement a file holds (OFX/QFX, CAMT.053, CSV or XLSX, told apart by content), or
    StatementError listing every problem found. CSV and XLSX files need the bank's `profile`."""
    if len(data) > MAX_FILE_BYTES:
        raise refuse(
            f"The file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB: export a shorter "
            "period."
        )
    kind = detect_format(data, filename)
    if kind not in (OFX, CAMT) and profile is None:
        raise refuse(
            "A CSV or XLSX statement needs a column profile saying which column holds what: "
            "choose the bank's profile or create one.",
            field="profile",
        )
    with _collector_paused():
        statement = _read(kind, data, filename, profile)
    problems = ProblemList()
    check_statement(statement, problems)
    problems.raise_if_any()
    _finish(statement)
    return statement


def _read(kind: str, data: bytes, filename: str, profile: ColumnProfile | None) -> ParsedStatement:
    try:
        if kind == OFX:
            return read_ofx(data)
        if kind == CAMT:
            return read_camt(data)
        assert profile is not None
        return read_table(data, filename=filename, profile=profile)
    except StatementError:
        raise
    except RecursionError:
        raise refuse("The file is nested too deeply to be a bank statement.") from None
    except Exception:
        # A file no rule foresaw must still be a clear refusal, never a server error; the
        # traceback is logged so the reader can learn the new case.
        logger.exception("Unexpected failure reading a %s statement", kind)
        raise refuse(
            f"The {kind.upper()} file cannot be read: it is damaged or written in a way this "
            "reader does not know. Export it again, or in another format."
        ) from None


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Reading a large file allocates a million small objects and no reference cycles; the
    cyclic garbage collector would walk every live object many times meanwhile (a third of
    the time). It runs again afterwards."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _finish(statement: ParsedStatement) -> None:
    """Text fit for the database (no control characters, at most the column widths) and the
    period from the lines when the file does not state it."""
    statement.lines = [_fitted(line) for line in statement.lines]
    if statement.lines:
        days = [line.date for line in statement.lines]
        statement.start_date = statement.start_date or min(days)
        statement.end_date = statement.end_date or max(days)


def _fitted(line: ParsedLine) -> ParsedLine:
    changes: dict[str, Any] = {}
    for name, limit in TEXT_LIMITS.items():
        value: str = getattr(line, name)
        if not value.isprintable():
            value = " ".join(_CONTROL.sub(" ", value).split())
        if len(value) > limit:
            value = value[:limit].rstrip()
        if value != getattr(line, name):
            changes[name] = value
    return dataclasses.replace(line, **changes) if changes else line
