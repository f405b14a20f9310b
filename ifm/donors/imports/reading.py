"""Reading an imported file (file -> rows): its header row found among the first rows, its
rows under the header as a stream. The bytes are read by ifm.core.tabular (CSV in UTF-8 or
UTF-16, or an XLSX workbook's first sheet); anything else is refused with a message saying why.

The Salesforce NPSP template has four lines of instructions, then field labels, then API names:
the header is the row naming the most known columns, and a second header line is skipped.
Row numbers are the file's row numbers as a spreadsheet shows them (the first line is row 1).
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Callable, Iterator, Sequence

from django.conf import settings

from ifm.core.tabular import CSV, TabularError, Upload, iter_rows, read_upload
from ifm.donors.imports.mapping import KNOWN_HEADERS, normalize_header

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_ROWS = 500_000
HEADER_SCAN_ROWS = 12
PROGRESS_EVERY = 2000


class Table:
    """The header of a file, and its rows under the header read as a stream: `records()` reads
    the file again each time and holds one row at a time, so a large file costs its bytes, not
    its rows, in memory. Row numbers are the file's (1-based)."""

    def __init__(
        self,
        *,
        upload: Upload,
        headers: list[str],
        header_row: int,
        skip_row: int | None,
        file_hash: str | None = None,
    ):
        self.upload = upload
        self.data = upload.data
        self.format = upload.format
        self.headers = headers
        self.header_row = header_row
        self.skip_row = skip_row  # a second header line (NPSP's API names), not data
        self._file_hash = file_hash
        self._count: int | None = None
        # Called with the rows read so far, every PROGRESS_EVERY rows, while records() runs.
        self.progress: Callable[[int], None] | None = None

    @property
    def file_hash(self) -> str:
        """The file's SHA-256, computed when first asked for (the dry run of a file does
        not need it)."""
        if self._file_hash is None:
            self._file_hash = file_hash(self.data)
        return self._file_hash

    def numbered_rows(self) -> Iterator[tuple[int, list[str]]]:
        """(file row number, cells) of every row under the header that is not empty; more
        than MAX_ROWS rows is a TabularError."""
        count = 0
        for number, row in iter_rows(self.upload):
            if number <= self.header_row or number == self.skip_row or not any(row):
                continue
            count += 1
            if count > MAX_ROWS:
                raise TabularError(
                    f"The file has more than {MAX_ROWS} rows: split it.", line=number
                )
            yield number, row

    def records(self) -> Iterator[tuple[int, dict[str, str]]]:
        width = len(self.headers)
        for read, (number, row) in enumerate(self.numbered_rows(), start=1):
            if self.progress is not None and read % PROGRESS_EVERY == 0:
                self.progress(read)
            cells = row + [""] * (width - len(row))
            yield number, dict(zip(self.headers, cells, strict=False))

    def count(self) -> int:
        """How many rows under the header (read through once, then remembered)."""
        if self._count is None:
            self._count = sum(1 for _ in self.numbered_rows())
        return self._count

    def sample(self, limit: int) -> list[list[str]]:
        return [row for _n, row in itertools.islice(self.numbered_rows(), limit)]

    @property
    def rows(self) -> list[list[str]]:
        """Every row, in memory: for small files and tests; the checks use `records()`."""
        return [row for _n, row in self.numbered_rows()]

    @property
    def row_numbers(self) -> list[int]:
        return [n for n, _row in self.numbered_rows()]


def file_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def xlsx_max_bytes() -> int:
    """The most an XLSX file may hold once unzipped (`IMPORT_XLSX_MAX_MB`)."""
    return int(getattr(settings, "IMPORT_XLSX_MAX_MB", 50)) * 1024 * 1024


def _header_score(row: Sequence[str]) -> int:
    return sum(1 for cell in row if cell and normalize_header(cell) in KNOWN_HEADERS)


def read_table(data: bytes, filename: str = "") -> Table:
    """The file's header, and its rows as a stream, or a TabularError (a ServiceError on field
    "file") saying what is wrong. Reads the first rows to find the header (a workbook's
    unzipped size is checked first, a CSV file's bytes must all decode). A CSV file checked
    in the request (`checked_in_request`) is also read through once (row by row, nothing
    kept) so a malformed line or too many rows is refused now; a larger one is read through
    by the job that checks it, which refuses it the same way."""
    upload = read_upload(data, filename, max_bytes=MAX_FILE_BYTES, xlsx_max_bytes=xlsx_max_bytes())
    first = [row for _n, row in itertools.islice(iter_rows(upload), HEADER_SCAN_ROWS + 1)]
    if upload.format == CSV and first and max(len(r) for r in first[:HEADER_SCAN_ROWS]) < 2:
        raise TabularError(
            "The file is not a CSV file with columns: no separators were found on its first "
            "lines. Export the list as CSV UTF-8 or XLSX."
        )

    # The header: the row among the first ones naming the most known columns, else the first
    # row that is not empty.
    best, best_score = -1, 0
    for i, row in enumerate(first[:HEADER_SCAN_ROWS]):
        score = _header_score(row)
        if score > best_score:
            best, best_score = i, score
    if best < 0:
        best = next((i for i, row in enumerate(first) if any(row)), -1)
    if best < 0:
        raise TabularError("The file has no rows.")
    headers = list(first[best])
    while headers and not headers[-1]:
        headers.pop()
    seen: dict[str, int] = {}
    for i, title in enumerate(headers):
        title = title or f"Column {i + 1}"
        if title in seen:
            seen[title] += 1
            title = f"{title} ({seen[title]})"
        else:
            seen[title] = 1
        headers[i] = title
    # A second header line (NPSP: labels, then API names) is not data.
    skip_row = None
    if (
        best + 1 < len(first)
        and best_score
        and _header_score(first[best + 1]) >= max(2, best_score // 2)
    ):
        skip_row = best + 2
    table = Table(
        upload=upload,
        headers=headers,
        header_row=best + 1,
        skip_row=skip_row,
    )
    if upload.format == CSV and checked_in_request(len(data)):
        table.count()
    return table


def inline_check_bytes() -> int:
    """Files up to this size are checked in the request (`IMPORT_INLINE_CHECK_KB`); larger
    ones by a background job that reports its progress."""
    return int(getattr(settings, "IMPORT_INLINE_CHECK_KB", 256)) * 1024


def checked_in_request(size: int) -> bool:
    """Whether a file of `size` bytes is read through and checked in the request (up to
    `inline_check_bytes()`), or by a background job: the one rule for the API and the pages."""
    return size <= inline_check_bytes()
