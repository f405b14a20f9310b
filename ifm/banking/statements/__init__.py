"""Reading bank statement files (OFX/QFX, CAMT.053, CSV, XLSX) into one shape, `ParsedStatement`.

Nothing here touches the database: `parse_statement` takes the file's bytes and, for CSV and
XLSX, a `ColumnProfile`, and either returns every line or raises `StatementError` with the
whole list of problems (line or row, field, what to fix).
"""

from ifm.banking.statements.types import (
    ColumnProfile,
    ParsedLine,
    ParsedStatement,
    Problem,
    StatementError,
)

__all__ = ["ColumnProfile", "ParsedLine", "ParsedStatement", "Problem", "StatementError"]
