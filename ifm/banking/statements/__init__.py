"""Reading bank statement files (OFX/QFX, CAMT.053, CSV, XLSX) into one shape, `ParsedStatement`.

Nothing here touches the database: `parse_statement` takes the file's bytes and, for CSV and
XLSX, a `ColumnProfile`, and either returns every line or raises `StatementError` with the
whole list of problems (line or row, field, what to fix). `detect_format` tells the formats
apart from the content. `generate` writes valid files of each format, for tests and benchmarks.
"""

from ifm.banking.statements.detect import detect_format
from ifm.banking.statements.parse import parse_statement
from ifm.banking.statements.types import (
    ColumnProfile,
    ParsedLine,
    ParsedStatement,
    Problem,
    StatementError,
)

__all__ = [
    "ColumnProfile",
    "ParsedLine",
    "ParsedStatement",
    "Problem",
    "StatementError",
    "detect_format",
    "parse_statement",
]
