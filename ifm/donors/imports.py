"""Importing donors and donations from CSV or XLSX files made by older donor systems.

The steps, each a function here:

1. `read_table(data, filename)`: the file's rows. UTF-8 (with or without a byte-order mark) CSV,
   or an XLSX workbook's first sheet. Anything else is refused with a message saying why.
   The header row is found among the first rows (the Salesforce NPSP template has four lines of
   instructions, then field labels, then API names); a second header line is skipped.
2. `suggest_mapping(kind, headers)`: which column feeds which field, from the header names of
   Salesforce NPSP, Little Green Light, CiviCRM, DonorPerfect and plain names. The organization's
   remembered mapping (`ImportMapping`) wins over the suggestion.
3. `import_check(...)`: the dry run. Every problem with its row and column, nothing written.
4. `import_start(...)` queues `import_commit_job`, which writes everything or nothing.

Row numbers are the file's row numbers as a spreadsheet shows them (the first line is row 1).
"""

from __future__ import annotations

import csv
import hashlib
import io
import itertools
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, NamedTuple

from defusedxml import DefusedXmlException
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from ifm.audit.services import audit_record
from ifm.core.bulk import insert_columns, reserve_ids
from ifm.core.errors import ServiceError
from ifm.core.money import MoneyError
from ifm.core.money import parse_money as core_parse_money
from ifm.core.org_context import org_context, require_org_id
from ifm.core.tasks import org_task
from ifm.donors import normalize
from ifm.tenancy.permissions import require_perm

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_ROWS = 500_000
HEADER_SCAN_ROWS = 12
PROGRESS_EVERY = 2000
# A workbook part that unzips to more than this many times its zipped size (and to more than
# the floor) is refused: spreadsheet XML compresses about 10 to 30 times.
XLSX_MAX_RATIO = 200
XLSX_RATIO_FLOOR = 5 * 1024 * 1024

KIND_DONORS = "donors"
KIND_DONATIONS = "donations"
KINDS = (KIND_DONORS, KIND_DONATIONS)


# --- Reading the file ----------------------------------------------------------------------------


class Table:
    """The header of a file, and its rows under the header read as a stream: `records()` reads
    the file again each time and holds one row at a time, so a large file costs its bytes, not
    its rows, in memory. Row numbers are the file's (1-based)."""

    def __init__(
        self,
        *,
        data: bytes,
        format: str,
        headers: list[str],
        header_row: int,
        skip_row: int | None,
        file_hash: str | None = None,
    ):
        self.data = data
        self.format = format
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
        than MAX_ROWS rows is a ServiceError."""
        count = 0
        for number, row in enumerate(_file_rows(self.data, self.format), start=1):
            if number <= self.header_row or number == self.skip_row or not any(row):
                continue
            count += 1
            if count > MAX_ROWS:
                raise ServiceError(
                    f"The file has more than {MAX_ROWS} rows: split it.", field="file"
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


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        if value.hour == value.minute == value.second == 0:
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        # Spreadsheets store money as floats: 25.1 must read back as "25.1", not 25.100000000001.
        text = repr(value)
        return text[:-2] if text.endswith(".0") else text
    return str(value).strip()


# A DTD or entity declaration (an XML bomb or an external entity): defusedxml, which openpyxl
# uses when it is installed, refuses to expand it.
_XML_ENTITIES = (
    "The workbook contains XML entity declarations, which are not accepted: save it again as "
    ".xlsx from Excel or LibreOffice, or as CSV UTF-8."
)


def _defused(exc: BaseException | None) -> bool:
    """defusedxml refused the XML (openpyxl re-raises it as a ValueError)."""
    while exc is not None:
        if isinstance(exc, DefusedXmlException):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def xlsx_max_bytes() -> int:
    """The most an XLSX file may hold once unzipped (`IMPORT_XLSX_MAX_MB`)."""
    return int(getattr(settings, "IMPORT_XLSX_MAX_MB", 50)) * 1024 * 1024


def _check_xlsx_size(data: bytes) -> None:
    """Refuse, before parsing, a workbook that would unzip to more than the cap, or whose
    parts are compressed suspiciously well (a zip bomb). The sizes are the ones the zip
    declares, and the unzipping never reads past them."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ServiceError(
            "The file looks like an Excel workbook but cannot be opened: save it again as "
            ".xlsx or as CSV UTF-8.",
            field="file",
        ) from exc
    total = sum(m.file_size for m in members)
    cap = xlsx_max_bytes()
    if total > cap:
        raise ServiceError(
            f"The workbook unzips to {total // (1024 * 1024)} MB, more than the "
            f"{cap // (1024 * 1024)} MB an import may hold: save it as CSV UTF-8 (up to "
            f"{MAX_FILE_BYTES // (1024 * 1024)} MB) or split it into smaller workbooks.",
            field="file",
        )
    for member in members:
        if member.file_size > XLSX_RATIO_FLOOR and member.file_size > XLSX_MAX_RATIO * max(
            member.compress_size, 1
        ):
            raise ServiceError(
                f"The workbook's part {member.filename!r} is compressed more than "
                f"{XLSX_MAX_RATIO} to 1, which no spreadsheet does: save it again from the "
                "spreadsheet program as .xlsx or as CSV UTF-8.",
                field="file",
            )


def _xlsx_rows(data: bytes) -> Iterator[list[str]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        if _defused(exc):
            raise ServiceError(_XML_ENTITIES, field="file") from exc
        raise ServiceError(
            "The file looks like an Excel workbook but cannot be opened: save it again as "
            ".xlsx or as CSV UTF-8.",
            field="file",
        ) from exc
    try:
        sheet = book.worksheets[0] if book.worksheets else None
        if sheet is None:
            return
        for values in sheet.iter_rows(values_only=True):
            yield [_cell_text(v) for v in values]
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError) as exc:
        if _defused(exc):
            raise ServiceError(_XML_ENTITIES, field="file") from exc
        raise ServiceError(
            "The workbook cannot be read: save it again as .xlsx or as CSV UTF-8.",
            field="file",
        ) from exc
    finally:
        book.close()


def _decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ServiceError(
            "The file is UTF-16 text: save it as CSV UTF-8 (in Excel: Save As, "
            '"CSV UTF-8 (Comma delimited)").',
            field="file",
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ServiceError(
            f"The file is not UTF-8 text: byte 0x{data[exc.start]:02x} on line {line} cannot "
            "be read. Save it as CSV UTF-8 (in Excel: Save As, "
            '"CSV UTF-8 (Comma delimited)") and import it again.',
            field="file",
        ) from exc


def _csv_rows(data: bytes) -> Iterator[list[str]]:
    head = data[:4096]
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ServiceError(
            "The file is not a CSV or XLSX file (it holds binary data). "
            "Export the list as CSV UTF-8 or XLSX.",
            field="file",
        )
    # Every byte must be UTF-8 (refused now, naming the line); the rows are then decoded as
    # they are read, so the file is never held as text in full.
    sample = _decode(data)[:8192]
    delimiter = ","
    first_lines = sample.splitlines()[:HEADER_SCAN_ROWS]
    counts = {d: sum(line.count(d) for line in first_lines) for d in (",", ";", "\t")}
    if counts[","] == 0 and max(counts.values()) > 0:
        delimiter = max(counts, key=lambda d: counts[d])
    stream = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8-sig", newline="")
    reader = csv.reader(stream, delimiter=delimiter, strict=True)
    try:
        for row in reader:
            yield [cell.strip() for cell in row]
    except csv.Error as exc:
        raise ServiceError(
            f"The CSV file is malformed on line {reader.line_num}: {exc}.", field="file"
        ) from exc


def _file_rows(data: bytes, fmt: str) -> Iterator[list[str]]:
    return _xlsx_rows(data) if fmt == "xlsx" else _csv_rows(data)


def _header_score(row: Sequence[str]) -> int:
    known = _ALL_ALIASES
    return sum(1 for cell in row if cell and normalize_header(cell) in known)


def read_table(data: bytes, filename: str = "") -> Table:
    """The file's header, and its rows as a stream, or a ServiceError (field "file") saying
    what is wrong. Reads the first rows to find the header (a workbook's unzipped size is
    checked first, a CSV file's bytes must all be UTF-8). A CSV file checked in the request
    (`checked_in_request`) is also read through once (row by row, nothing kept) so a
    malformed line or too many rows is refused now; a larger one is read through by the job
    that checks it, which refuses it the same way."""
    if not data:
        raise ServiceError("The file is empty.", field="file")
    if len(data) > MAX_FILE_BYTES:
        raise ServiceError(
            f"The file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB: split it.",
            field="file",
        )
    name = filename.lower()
    if data.startswith(b"PK\x03\x04"):
        _check_xlsx_size(data)
        fmt = "xlsx"
    elif name.endswith((".xls", ".xlsx", ".xlsm", ".ods", ".pdf", ".zip", ".docx")) or (
        data.startswith((b"%PDF", b"\xd0\xcf\x11\xe0", b"\x89PNG", b"\xff\xd8\xff", b"GIF8"))
    ):
        raise ServiceError(
            "The file is not a CSV or XLSX file. Export the list as CSV UTF-8 or XLSX.",
            field="file",
        )
    else:
        fmt = "csv"
    first = list(itertools.islice(_file_rows(data, fmt), HEADER_SCAN_ROWS + 1))
    if fmt == "csv" and first and max(len(r) for r in first[:HEADER_SCAN_ROWS]) < 2:
        raise ServiceError(
            "The file is not a CSV file with columns: no separators were found on its first "
            "lines. Export the list as CSV UTF-8 or XLSX.",
            field="file",
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
        raise ServiceError("The file has no rows.", field="file")
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
        data=data,
        format=fmt,
        headers=headers,
        header_row=best + 1,
        skip_row=skip_row,
    )
    if fmt == "csv" and checked_in_request(len(data)):
        table.count()
    return table


# --- Column mapping ------------------------------------------------------------------------------


def normalize_header(title: str) -> str:
    """'Contact1 First Name' and 'NPSP__CONTACT1_FIRSTNAME__C' both become 'contact1firstname'."""
    text = title.strip().lower()
    text = re.sub(r"^npsp__", "", text)
    text = re.sub(r"__c$", "", text)
    return re.sub(r"[^a-z0-9]", "", text)


# target field -> header names it is known by, best first (compared normalized).
DONOR_FIELDS: dict[str, list[str]] = {
    "external_id": [
        "External ID",
        "External Identifier",
        "LGL Constituent ID",
        "Constituent ID",
        "donor_id",
        "Donor ID",
        "Contact ID",
        "Contact1 Id",
    ],
    "first_name": ["First Name", "Contact1 First Name", "First", "Given Name", "first_name"],
    "last_name": [
        "Last Name",
        "Contact1 Last Name",
        "Last",
        "Surname",
        "Family Name",
        "last_name",
    ],
    "organization_name": [
        "Organization Name",
        "Organization",
        "Company",
        "Company Name",
        "Account1 Name",
        "Org Name",
        "Organization name",
    ],
    "salutation": ["Salutation", "Contact1 Salutation", "Addressee", "Greeting", "Prefix"],
    "email": [
        "Email",
        "Email Address",
        "E-mail",
        "Contact1 Personal Email",
        "Contact1 Preferred Email",
        "Contact1 Work Email",
        "Primary Email",
        "email",
    ],
    "phone": [
        "Phone",
        "Phone Number",
        "Contact1 Home Phone",
        "Contact1 Mobile Phone",
        "Contact1 Preferred Phone",
        "Home Phone",
        "Mobile Phone",
        "Primary Phone",
    ],
    # Further emails and phones become the donor's secondary contacts (labelled after their
    # column: "Work Phone" a work phone). After email and phone: those take their column first.
    "email_2": [
        "Email 2",
        "Secondary Email",
        "Alternate Email",
        "Other Email",
        "Work Email",
        "Home Email",
        "Personal Email",
        "Contact1 Work Email",
        "Contact1 Alternate Email",
        "npe01__AlternateEmail__c",
        "npe01__WorkEmail__c",
        "npe01__HomeEmail__c",
    ],
    "phone_2": [
        "Phone 2",
        "Secondary Phone",
        "Work Phone",
        "Business Phone",
        "Other Phone",
        "Home Phone",
        "Contact1 Work Phone",
        "Contact1 Other Phone",
        "npe01__WorkPhone__c",
        "business_phone",
        "home_phone",
    ],
    "mobile_phone": [
        "Mobile Phone",
        "Mobile",
        "Cell Phone",
        "Cell",
        "Contact1 Mobile Phone",
        "MobilePhone",
        "mobile_phone",
    ],
    "address_line1": [
        "Address",
        "Street",
        "Street Address",
        "Address Line 1",
        "Address 1",
        "Home Street",
        "Account1 Street",
        "address",
    ],
    "address_line2": ["Address Line 2", "Address 2", "Supplemental Address 1", "address2"],
    "city": ["City", "Home City", "Account1 City", "Town"],
    "state": [
        "State",
        "State/Province",
        "Province",
        "Home State/Province",
        "Account1 State/Province",
        "Region",
    ],
    "postal_code": [
        "Postal Code",
        "Zip",
        "ZIP Code",
        "Zip/Postal Code",
        "Home Zip/Postal Code",
        "Account1 Zip/Postal Code",
        "Postcode",
    ],
    "country": ["Country", "Home Country", "Account1 Country"],
    "no_email": ["No Email", "Do Not Email", "Email Opt Out"],
    "no_mail": ["No Mail", "Do Not Mail"],
    "no_phone": ["No Phone", "Do Not Phone", "Do Not Call"],
    "is_deceased": ["Deceased", "Is Deceased"],
}

DONATION_FIELDS: dict[str, list[str]] = {
    "external_id": [
        "Gift ID",
        "LGL Gift ID",
        "Donation ID",
        "Contribution ID",
        "gift_id",
        "Transaction ID",
        "Invoice ID",
    ],
    "donor_external_id": [
        "LGL Constituent ID",
        "External Identifier",
        "Donor External ID",
        "donor_id",
        "Donor ID",
        "Constituent ID",
        "Contact ID",
    ],
    "email": [
        "Email",
        "Donor Email",
        "Email Address",
        "Contact1 Personal Email",
        "Contact1 Preferred Email",
        "Contact1 Work Email",
    ],
    "first_name": ["First Name", "Contact1 First Name", "first_name"],
    "last_name": ["Last Name", "Contact1 Last Name", "last_name"],
    "organization_name": ["Organization Name", "Organization", "Company", "Account1 Name"],
    "postal_code": ["Postal Code", "Zip", "ZIP Code", "Home Zip/Postal Code", "Zip/Postal Code"],
    "amount": [
        "Amount",
        "Gift Amount",
        "Donation Amount",
        "Total Amount",
        "amount",
        "Gift Amt",
    ],
    "date": ["Date", "Gift Date", "Gift date", "Donation Date", "Receive Date", "gift_date"],
    "method": [
        "Method",
        "Payment Method",
        "Payment type",
        "Payment Instrument",
        "gift_type",
        "Gift Type",
    ],
    "check_number": [
        "Check Number",
        "Check/Reference No.",
        "Payment Check/Reference Number",
        "Check No",
        "reference",
        "Reference",
    ],
    "fund": ["Fund", "Financial Type", "gl_code", "GL Code", "Fund Code", "Designation Fund"],
    "description": ["Description", "Donation Description", "Gift Note", "Note", "Notes"],
    "goods_services_value": [
        "Goods Value",
        "Non-deductible Amount",
        "fmv",
        "Fair Market Value",
        "Goods and Services Value",
    ],
    "goods_services_description": ["Goods Description", "Goods and Services Description"],
    "deductible_amount": ["Deductible amount", "Deductible Amount", "Tax Deductible Amount"],
    "campaign": ["Campaign", "Campaign Name", "campaign"],
    "appeal": ["Appeal", "solicit_code", "Solicitation", "Appeal Code"],
    "anonymous": ["Anonymous", "Anonymous gift?", "Anonymous Gift", "Is Anonymous"],
    "designation": ["Designation"],
}

FIELDS = {KIND_DONORS: DONOR_FIELDS, KIND_DONATIONS: DONATION_FIELDS}

FIELD_LABELS: dict[str, str] = {
    "external_id": "External id",
    "donor_external_id": "Donor external id",
    "first_name": "First name",
    "last_name": "Last name",
    "organization_name": "Organization name",
    "salutation": "Salutation",
    "email": "Email",
    "phone": "Phone",
    "email_2": "Second email",
    "phone_2": "Second phone",
    "mobile_phone": "Mobile phone",
    "address_line1": "Address line 1",
    "address_line2": "Address line 2",
    "city": "City",
    "state": "State",
    "postal_code": "Postal code",
    "country": "Country",
    "no_email": "No email",
    "no_mail": "No mail",
    "no_phone": "No phone",
    "is_deceased": "Deceased",
    "amount": "Amount",
    "date": "Date",
    "method": "Method",
    "check_number": "Check number",
    "fund": "Fund (code or name)",
    "description": "Description",
    "goods_services_value": "Goods or services value",
    "goods_services_description": "Goods or services description",
    "deductible_amount": "Deductible amount",
    "campaign": "Campaign",
    "appeal": "Appeal",
    "anonymous": "Anonymous",
    "designation": "Designation",
}

# A gift with a goods-or-services value needs a description for its receipt; older systems
# often keep only the value (CiviCRM's "Non-deductible Amount", DonorPerfect's fmv).
GOODS_DEFAULT_DESCRIPTION = "Goods or services provided (value as recorded in the imported file)"

REQUIRED: dict[str, list[str]] = {KIND_DONORS: [], KIND_DONATIONS: ["amount", "date"]}

_ALL_ALIASES = {
    normalize_header(alias)
    for fields in FIELDS.values()
    for aliases in fields.values()
    for alias in aliases
} | {
    # Further columns of the NPSP template that identify a header row without being imported.
    normalize_header(t)
    for t in ("Donation Donor", "Donation Name", "Donation Stage", "Donation Record Type Name")
}


def suggest_mapping(kind: str, headers: Sequence[str]) -> dict[str, str]:
    """{field: header} for the fields whose column can be recognized by its header."""
    fields = FIELDS[kind]
    by_norm: dict[str, str] = {}
    for title in headers:
        by_norm.setdefault(normalize_header(title), title)
        by_norm.setdefault(title.strip().lower(), title)
    mapping: dict[str, str] = {}
    used: set[str] = set()
    for target, aliases in fields.items():
        for alias in [target, *aliases]:
            found = by_norm.get(normalize_header(alias))
            if found is not None and found not in used:
                mapping[target] = found
                used.add(found)
                break
    return mapping


def clean_mapping(kind: str, mapping: dict[str, Any], headers: Sequence[str]) -> dict[str, str]:
    """A mapping sent by a person: known fields only, columns that exist, each column once."""
    if kind not in FIELDS:
        raise ServiceError(f"Unknown import kind {kind!r}: use donors or donations.", field="kind")
    fields = FIELDS[kind]
    errors: list[dict[str, str]] = []
    out: dict[str, str] = {}
    for target, title in mapping.items():
        if title in (None, ""):
            continue
        if target not in fields:
            errors.append({"field": f"mapping.{target}", "message": "Unknown field."})
        elif not isinstance(title, str) or title not in headers:
            errors.append(
                {"field": f"mapping.{target}", "message": f"The file has no column {title!r}."}
            )
        else:
            out[target] = title
    for target in REQUIRED[kind]:
        if target not in out and not errors:
            errors.append(
                {
                    "field": f"mapping.{target}",
                    "message": f"Choose the column that holds {FIELD_LABELS[target].lower()}.",
                }
            )
    if kind == KIND_DONORS and not errors and not ({"last_name", "organization_name"} & out.keys()):
        errors.append(
            {
                "field": "mapping.last_name",
                "message": "Choose a column for last name or organization name.",
            }
        )
    identifies = {"donor_external_id", "email", "last_name", "organization_name"}
    if kind == KIND_DONATIONS and not errors and not (identifies & out.keys()):
        errors.append(
            {
                "field": "mapping.donor_external_id",
                "message": "Choose a column that identifies the donor "
                "(donor external id, email or name).",
            }
        )
    if errors:
        raise ServiceError(
            "The column mapping has errors: " + "; ".join(e["message"] for e in errors),
            errors=errors,
        )
    return out


# --- Values --------------------------------------------------------------------------------------


class ValueProblem(ValueError):
    pass


def parse_money(text: str) -> Decimal:
    """An amount in an imported file (ifm.core.money's text rules); rows check its sign."""
    try:
        return core_parse_money(text, text=True, allow_negative=True, allow_zero=True)
    except MoneyError as exc:
        raise ValueProblem(exc.message) from None


_DATE_FORMATS = (
    "%Y-%m-%d",
    "%m/%d/%Y",
    "%m/%d/%y",
    "%Y/%m/%d",
    "%m-%d-%Y",
    "%d.%m.%Y",
    "%b %d, %Y",
    "%d %b %Y",
    "%B %d, %Y",
)


_ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


def parse_date(text: str) -> date:
    raw = text.strip()
    if re.match(r"^\d{4}-\d{2}-\d{2}[ T]", raw):
        raw = raw[:10]  # "2024-03-01 00:00:00" (CiviCRM), "2024-03-01T10:00:00Z"
    if _ISO_DATE.match(raw):  # the common case, without strptime's cost
        try:
            return date.fromisoformat(raw)
        except ValueError:
            raise ValueProblem(f"{text!r} is not a date (no such day).") from None
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(raw, fmt).date()
        except ValueError:
            continue
    raise ValueProblem(f"{text!r} is not a date (use YYYY-MM-DD or MM/DD/YYYY).")


_TRUE = {"1", "y", "yes", "true", "t", "x", "checked"}
_FALSE = {"", "0", "n", "no", "false", "f"}


def parse_bool(text: str) -> bool:
    value = text.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueProblem(f"{text!r} is not yes or no.")


_METHODS = {
    "cash": "cash",
    "check": "check",
    "cheque": "check",
    "chk": "check",
    "ck": "check",
    "card": "card",
    "creditcard": "card",
    "credit": "card",
    "debitcard": "card",
    "visa": "card",
    "mastercard": "card",
    "amex": "card",
    "americanexpress": "card",
    "discover": "card",
    "cc": "card",
    "banktransfer": "bank_transfer",
    "bank": "bank_transfer",
    "ach": "bank_transfer",
    "eft": "bank_transfer",
    "wire": "bank_transfer",
    "wiretransfer": "bank_transfer",
    "directdebit": "bank_transfer",
    "online": "online",
    "paypal": "online",
    "stripe": "online",
    "web": "online",
    "website": "online",
    "inkind": "in_kind",
    "giftinkind": "in_kind",
    "noncash": "in_kind",
    "stock": "stock",
    "securities": "stock",
    "stockgift": "stock",
    "": "",
    "gift": "",  # LGL's and DonorPerfect's gift type "Gift"/"G" says nothing of the method
    "g": "",
    "donation": "",
}


def parse_method(text: str, *, has_check_number: bool) -> str:
    key = re.sub(r"[^a-z]", "", text.lower())
    default = "check" if has_check_number else "cash"
    if key in _METHODS:
        return _METHODS[key] or default
    raise ValueProblem(
        f"{text!r} is not a payment method (cash, check, card, bank transfer, online, "
        "in-kind, stock)."
    )


@dataclass
class Problem:
    row: int
    column: str
    field: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "column": self.column,
            "field": self.field,
            "message": self.message,
        }


@dataclass
class CheckResult:
    """What a dry run found. `rows` are the cleaned rows, ready for the commit."""

    kind: str
    total: int
    problems: list[Problem] = field(default_factory=list)
    rows: list[dict[str, Any]] = field(default_factory=list)
    new: int = 0
    already_imported: int = 0
    matched: int = 0

    def summary(self) -> dict[str, Any]:
        """The counts and problems (JSON), without the rows: what pages and the API show."""
        return {
            "kind": self.kind,
            "total": self.total,
            "new": self.new,
            "already_imported": self.already_imported,
            "matched_existing_donors": self.matched,
            "problems": [p.as_dict() for p in self.problems],
        }

    @classmethod
    def from_summary(cls, summary: dict[str, Any]) -> CheckResult:
        """A result read back from `summary()` (kept with an upload): counts and problems."""
        return cls(
            kind=summary["kind"],
            total=summary["total"],
            new=summary["new"],
            already_imported=summary["already_imported"],
            matched=summary["matched_existing_donors"],
            problems=[Problem(**p) for p in summary["problems"]],
        )


class ImportStarted(NamedTuple):
    """What import_start did: the check's result (None when a job checks the file), the run
    (None for a dry run or a file with problems checked in the request), and whether that run
    is an earlier import of the same file (nothing was queued this time)."""

    result: CheckResult | None
    run: Any
    earlier: bool = False


# --- Mappings remembered per organization ---------------------------------------------------------


def headers_signature(headers: Sequence[str]) -> str:
    joined = "\n".join(sorted(normalize_header(h) for h in headers))
    return hashlib.sha256(joined.encode()).hexdigest()


def mapping_for(*, organization: Any, kind: str, headers: Sequence[str]) -> dict[str, str]:
    """The mapping to propose: the one this organization last used for files with the same
    headers, else the last one of this kind whose columns all exist, else the suggestion."""
    from ifm.donors.models import ImportMapping

    with org_context(organization):
        saved = ImportMapping.objects.filter(kind=kind)
        exact = saved.filter(signature=headers_signature(headers)).first()
        if exact is not None:
            return {k: v for k, v in exact.mapping.items() if v in headers}
        for row in saved[:20]:
            if row.mapping and all(v in headers for v in row.mapping.values()):
                return dict(row.mapping)
    return suggest_mapping(kind, headers)


def mapping_remember(
    *, organization: Any, actor: Any, kind: str, headers: Sequence[str], mapping: dict[str, str]
) -> None:
    from ifm.donors.models import ImportMapping

    with org_context(organization):
        ImportMapping.objects.update_or_create(
            organization=organization,
            kind=kind,
            signature=headers_signature(headers),
            defaults={
                "headers": list(headers),
                "mapping": mapping,
                "updated_at": timezone.now(),
                "updated_by": actor if getattr(actor, "is_authenticated", False) else None,
            },
        )


# --- The dry run ---------------------------------------------------------------------------------

_COUNTRIES = {
    "unitedstates": "US",
    "unitedstatesofamerica": "US",
    "usa": "US",
    "us": "US",
    "canada": "CA",
    "unitedkingdom": "GB",
    "uk": "GB",
    "mexico": "MX",
}


def _row_key(values: Sequence[Any]) -> str:
    text = "\x1f".join(str(v) for v in values)
    return "row:" + hashlib.sha256(text.encode()).hexdigest()[:40]


class _Rows:
    """Helper for one row: read a mapped field, note a problem against its column."""

    def __init__(self, result: CheckResult, mapping: dict[str, str]):
        self.result = result
        self.mapping = mapping
        self.number = 0
        self.record: dict[str, str] = {}
        self.ok = True

    def start(self, number: int, record: dict[str, str]) -> None:
        self.number, self.record, self.ok = number, record, True

    def get(self, name: str) -> str:
        column = self.mapping.get(name)
        return (self.record.get(column) or "").strip() if column else ""

    def problem(self, name: str, message: str) -> None:
        self.ok = False
        self.result.problems.append(Problem(self.number, self.mapping.get(name, ""), name, message))

    def money(self, name: str) -> Decimal | None:
        text = self.get(name)
        if not text:
            return None
        try:
            return parse_money(text)
        except ValueProblem as exc:
            self.problem(name, str(exc))
            return None

    def flag(self, name: str) -> bool:
        try:
            return parse_bool(self.get(name))
        except ValueProblem as exc:
            self.problem(name, str(exc))
            return False

    def text(self, name: str, limit: int) -> str:
        value = self.get(name)
        if len(value) > limit:
            self.problem(name, f"Longer than {limit} characters.")
        return value[:limit]


def _existing_keys(kind: str, keys: Iterable[str]) -> dict[str, int]:
    from ifm.donors.models import ImportKey

    out: dict[str, int] = {}
    wanted = list(dict.fromkeys(keys))
    for i in range(0, len(wanted), 5000):
        chunk = wanted[i : i + 5000]
        out.update(
            ImportKey.objects.filter(kind=kind, key__in=chunk).values_list("key", "object_id")
        )
    return out


def _check_donors(table: Table, mapping: dict[str, str], result: CheckResult) -> None:
    rows = _Rows(result, mapping)
    seen_keys: dict[str, int] = {}
    in_file: dict[tuple[str, str], int] = {}  # (what, normalized value) -> index in result.rows
    planned: list[dict[str, Any]] = []
    for number, record in table.records():
        rows.start(number, record)
        values: dict[str, Any] = {
            "first_name": rows.text("first_name", 100),
            "last_name": rows.text("last_name", 100),
            "organization_name": rows.text("organization_name", 200),
            "salutation": rows.text("salutation", 200),
            "email": rows.text("email", 254),
            "phone": rows.text("phone", 40),
            "address_line1": rows.text("address_line1", 200),
            "address_line2": rows.text("address_line2", 200),
            "city": rows.text("city", 100),
            "state": rows.text("state", 50),
            "postal_code": rows.text("postal_code", 20),
            "no_email": rows.flag("no_email"),
            "no_mail": rows.flag("no_mail"),
            "no_phone": rows.flag("no_phone"),
            "is_deceased": rows.flag("is_deceased"),
        }
        if values["first_name"] or values["last_name"]:
            values["kind"] = "individual"
        elif values["organization_name"]:
            values["kind"] = "organization"
        else:
            rows.problem(
                "last_name" if "last_name" in mapping else "organization_name",
                "A donor needs a first or last name, or an organization name.",
            )
        country = rows.get("country")
        if country:
            code = _COUNTRIES.get(re.sub(r"[^a-z]", "", country.lower()))
            if code is None and len(country) == 2 and country.isalpha():
                code = country.upper()
            if code is None:
                rows.problem("country", f"{country!r} is not a two-letter country code.")
            values["country"] = code or "US"
        if values["email"]:
            try:
                validate_email(values["email"])
            except ValidationError:
                rows.problem("email", f"{values['email']!r} is not an email address.")
        emails, phones = _secondary_contacts(rows, values)
        external = rows.get("external_id")
        key = f"ext:{external}" if external else _row_key(sorted(values.items()))
        if key in seen_keys:
            key = f"{key}#{seen_keys[key] + 1}" if not external else key
        seen_keys[key] = seen_keys.get(key, 0) + 1
        if not rows.ok:
            continue
        norm = normalize.donor_fields(
            values, emails=[e for e, _label in emails], phones=[p for p, _label in phones]
        )
        planned.append(
            {
                "row": number,
                "key": key,
                "values": values,
                "norm": norm,
                "emails": emails,
                "phones": phones,
            }
        )

    done = _existing_keys("donors", (p["key"] for p in planned))
    by_email, by_name, by_phone, _keys = _donor_index()
    for p in planned:
        if p["key"] in done:
            result.already_imported += 1
            continue
        # The criteria of selectors.donor_duplicates (same normalized email, phone, or name
        # and postal code), against an index of the organization's donors built once.
        norm = p["norm"]
        names = {
            n
            for n in (
                normalize.name(p["values"]["first_name"], p["values"]["last_name"]),
                normalize.name(p["values"]["organization_name"]),
            )
            if n
        }
        emails_norm = [normalize.email(e) for e, _label in p["emails"]]
        found = [
            by_email.get(norm["email_norm"]) if norm["email_norm"] else None,
            *(by_email.get(e) for e in emails_norm),
            by_phone.get(norm["phone_norm"]) if norm["phone_norm"] else None,
            *(by_phone.get(normalize.phone(x)) for x, _label in p["phones"]),
            *(by_name.get(f"{n}|{norm['postal_norm']}") for n in names if norm["postal_norm"]),
        ]
        matches = sorted(pk for pk in found if pk)
        if matches:
            p["match"] = matches[0]
            result.matched += 1
        else:
            # Two rows of the file for the same person make one donor.
            norm = p["norm"]
            probes = [
                ("e", norm["email_norm"]),
                *(("e", e) for e in emails_norm),
                ("n", norm["name_norm"] + "|" + norm["postal_norm"]),
            ]
            first = next(
                (
                    in_file[probe]
                    for probe in probes
                    if probe[1] and probe[1] != "|" and probe in in_file
                ),
                None,
            )
            if first is not None:
                p["same_as"] = first
                result.matched += 1
            else:
                for probe in probes:
                    if probe[1] and probe[1] != "|" and not probe[1].endswith("|"):
                        in_file.setdefault(probe, len(result.rows))
                result.new += 1
        result.rows.append(p)


# The mapped fields that hold further emails and phones, and the label each one gets when
# its column's header does not say (_contact_label).
SECONDARY_EMAILS = {"email_2": "other"}
SECONDARY_PHONES = {"phone_2": "other", "mobile_phone": "mobile"}


def _contact_label(header: str, default: str) -> str:
    """The label a column's contacts get: "Work Phone" work, "Cell" mobile, "Home Email" home."""
    text = normalize_header(header)
    for label, words in (
        ("mobile", ("mobile", "cell")),
        ("work", ("work", "business", "office")),
        ("home", ("home", "personal")),
    ):
        if any(w in text for w in words):
            return label
    return default


def _secondary_contacts(
    rows: _Rows, values: dict[str, Any]
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """The row's further emails and phones as (value, label), each checked (a problem names
    the row and column); the first of them fills an empty primary email or phone in `values`.
    A value the row gives twice is one contact."""
    emails: list[tuple[str, str]] = []
    for name, default in SECONDARY_EMAILS.items():
        text = rows.text(name, 254)
        if not text:
            continue
        try:
            validate_email(text)
        except ValidationError:
            rows.problem(name, f"{text!r} is not an email address.")
            continue
        emails.append((text, _contact_label(rows.mapping[name], default)))
    phones: list[tuple[str, str]] = []
    for name, default in SECONDARY_PHONES.items():
        text = rows.text(name, 40)
        if not text:
            continue
        if not normalize.phone(text):
            rows.problem(name, f"{text!r} is not a phone number (at least 7 digits).")
            continue
        phones.append((text, _contact_label(rows.mapping[name], default)))
    if not values["email"] and emails:
        values["email"] = emails.pop(0)[0]
    if not values["phone"] and phones:
        values["phone"] = phones.pop(0)[0]

    def once(items: list[tuple[str, str]], primary: str, norm: Any) -> list[tuple[str, str]]:
        seen = {norm(primary)} - {""}
        out = []
        for value, label in items:
            if norm(value) not in seen:
                seen.add(norm(value))
                out.append((value, label))
        return out

    return (
        once(emails, values["email"], normalize.email),
        once(phones, values["phone"], normalize.phone),
    )


def _donor_index() -> tuple[dict[str, int], dict[str, int], dict[str, int], dict[str, int]]:
    """Existing donors by normalized email, name|postal and phone, and imported donor keys."""
    from ifm.donors.models import Donor, DonorEmail, DonorPhone, ImportKey

    by_email: dict[str, int] = {}
    by_name: dict[str, int] = {}
    by_phone: dict[str, int] = {}
    rows = (
        Donor.objects.filter(merged_into__isnull=True)
        .order_by("pk")
        .values_list("pk", "email_norm", "name_norm", "postal_norm", "phone_norm")
    )
    for pk, e, n, z, p in rows.iterator(chunk_size=10000):
        if e:
            by_email.setdefault(e, pk)
        if n and z:
            by_name.setdefault(f"{n}|{z}", pk)
        if p:
            by_phone.setdefault(p, pk)
    # Secondary emails and phones match too (a primary one wins where both would).
    for e, pk in DonorEmail.objects.filter(
        is_primary=False, donor__merged_into__isnull=True
    ).values_list("email_norm", "donor_id"):
        by_email.setdefault(e, pk)
    for p, pk in DonorPhone.objects.filter(
        is_primary=False, donor__merged_into__isnull=True
    ).values_list("phone_norm", "donor_id"):
        if p:
            by_phone.setdefault(p, pk)
    keys = dict(ImportKey.objects.filter(kind="donors").values_list("key", "object_id"))
    return by_email, by_name, by_phone, keys


def _check_donations(
    table: Table, mapping: dict[str, str], result: CheckResult, organization: Any
) -> None:
    from ifm.donors.models import Appeal, Campaign, Donor
    from ifm.ledger.fiscal_years import posting_calendar
    from ifm.ledger.models import Fund, Period, PeriodStatus

    funds_by_code = {f.code.lower(): f for f in Fund.objects.filter(is_active=True)}
    funds_by_name = {f.name.lower(): f for f in funds_by_code.values()}
    general = next((f for f in funds_by_code.values() if f.is_general), None)
    closed = list(
        Period.objects.filter(status=PeriodStatus.CLOSED).values_list("start_date", "end_date")
    )
    fiscal_years = posting_calendar(organization=organization)  # the ledger's date rules
    by_email, by_name, _by_phone, donor_keys = _donor_index()
    merged = dict(
        Donor.objects.filter(merged_into__isnull=False).values_list("pk", "merged_into_id")
    )
    campaigns = {c.name.lower(): c.pk for c in Campaign.objects.all()}
    appeals = {a.name.lower(): a.pk for a in Appeal.objects.all()}
    donor_column = next(
        (
            f
            for f in ("donor_external_id", "email", "last_name", "organization_name")
            if f in mapping
        ),
        "donor_external_id",
    )
    rows = _Rows(result, mapping)
    seen_keys: dict[str, int] = {}
    planned: list[dict[str, Any]] = []
    for number, record in table.records():
        rows.start(number, record)
        amount: Decimal | None = None
        if not rows.get("amount"):
            rows.problem("amount", "The amount is missing.")
        else:
            amount = rows.money("amount")
            if amount is not None and amount <= 0:
                rows.problem("amount", f"The amount must be above zero (it is {amount}).")
                amount = None
        on: date | None = None
        if not rows.get("date"):
            rows.problem("date", "The date is missing.")
        else:
            try:
                on = parse_date(rows.get("date"))
            except ValueProblem as exc:
                rows.problem("date", str(exc))
            else:
                if any(start <= on <= end for start, end in closed):
                    rows.problem("date", f"{on} is in a closed period.")
                elif (refused := fiscal_years.problem(on)) is not None:
                    rows.problem("date", refused)
        fund_text = rows.get("fund")
        fund = (
            (funds_by_code.get(fund_text.lower()) or funds_by_name.get(fund_text.lower()))
            if fund_text
            else general
        )
        if fund is None:
            rows.problem(
                "fund",
                f"No active fund {fund_text!r} (give a fund's code or name)."
                if fund_text
                else "The organization has no general fund.",
            )
        check_number = rows.text("check_number", 30)
        method = "cash"
        try:
            method = parse_method(rows.get("method"), has_check_number=bool(check_number))
        except ValueProblem as exc:
            rows.problem("method", str(exc))
        goods = rows.money("goods_services_value")
        deductible = rows.money("deductible_amount")
        if goods is not None and goods < 0:
            rows.problem("goods_services_value", "The goods or services value cannot be negative.")
        if amount is not None:
            if deductible is not None:
                if deductible < 0 or deductible > amount:
                    rows.problem(
                        "deductible_amount",
                        f"The deductible amount {deductible} is not between 0 and the amount "
                        f"{amount}.",
                    )
                elif goods is None:
                    goods = amount - deductible
            if goods is not None and goods > amount:
                rows.problem(
                    "goods_services_value",
                    f"The goods or services value {goods} is above the amount {amount}.",
                )
        anonymous = rows.flag("anonymous")
        description = rows.text("description", 2000)
        if method in ("in_kind", "stock") and not description:
            rows.problem("description", "Describe what was given (in-kind and stock gifts).")
        # The donor.
        donor_id: int | None = None
        external = rows.get("donor_external_id")
        if external:
            donor_id = donor_keys.get(f"ext:{external}")
        if donor_id is None:
            e = normalize.email(rows.get("email"))
            n = normalize.name(rows.get("first_name"), rows.get("last_name")) or normalize.name(
                rows.get("organization_name")
            )
            z = normalize.postal(rows.get("postal_code"))
            donor_id = (by_email.get(e) if e else None) or (
                by_name.get(f"{n}|{z}") if n and z else None
            )
        donor_id = merged.get(donor_id, donor_id) if donor_id else None
        if donor_id is None:
            shown = (
                external
                or rows.get("email")
                or rows.get("last_name")
                or rows.get("organization_name")
            )
            rows.problem(
                donor_column,
                f"No donor matches {shown!r}: import the donors first, or correct the row."
                if shown
                else "The row does not say who gave (no donor id, email or name).",
            )
        campaign = rows.text("campaign", 200)
        appeal = rows.text("appeal", 200)
        gift_id = rows.get("external_id")
        natural = [donor_id, on, amount, check_number, fund.pk if fund else "", description]
        key = f"ext:{gift_id}" if gift_id else _row_key(natural)
        count = seen_keys.get(key, 0)
        seen_keys[key] = count + 1
        if count:
            if gift_id:
                rows.problem("external_id", f"The gift id {gift_id!r} is in the file twice.")
            else:
                key = f"{key}#{count + 1}"
        if not rows.ok:
            continue
        assert amount is not None
        assert on is not None
        assert fund is not None
        assert donor_id
        planned.append(
            {
                "row": number,
                "key": key,
                "donor_id": donor_id,
                "date": on,
                "amount": amount,
                "method": method,
                # The donation services keep check numbers for checks only; another method's
                # reference number (LGL's "Check/Reference No.") goes to the notes.
                "check_number": check_number if method == "check" else "",
                "reference": check_number if method != "check" else "",
                "fund": fund,
                "description": description,
                "goods_services_value": goods or Decimal("0.00"),
                "goods_services_description": rows.text("goods_services_description", 2000)
                or (GOODS_DEFAULT_DESCRIPTION if goods else ""),
                "campaign": campaign,
                "campaign_id": campaigns.get(campaign.lower()) if campaign else None,
                "appeal": appeal,
                "appeal_id": appeals.get(appeal.lower()) if appeal else None,
                "designation": rows.text("designation", 500),
                "anonymous": anonymous,
            }
        )
    done = _existing_keys("donations", (p["key"] for p in planned))
    for p in planned:
        if p["key"] in done:
            result.already_imported += 1
        else:
            result.new += 1
            result.rows.append(p)


def import_check(
    *, organization: Any, kind: str, table: Table, mapping: dict[str, str]
) -> CheckResult:
    """The dry run: every problem with its row and column; the rows to create. Writes nothing."""
    mapping = clean_mapping(kind, mapping, table.headers)
    result = CheckResult(kind=kind, total=table.count())
    with org_context(organization):
        if kind == KIND_DONORS:
            _check_donors(table, mapping, result)
        else:
            _check_donations(table, mapping, result, organization)
    return result


# --- Starting and committing ---------------------------------------------------------------------


def inline_check_bytes() -> int:
    """Files up to this size are checked in the request (`IMPORT_INLINE_CHECK_KB`); larger
    ones by a background job that reports its progress."""
    return int(getattr(settings, "IMPORT_INLINE_CHECK_KB", 256)) * 1024


def checked_in_request(size: int) -> bool:
    """Whether a file of `size` bytes is read through and checked in the request (up to
    `inline_check_bytes()`), or by a background job: the one rule for the API and the pages."""
    return size <= inline_check_bytes()


def import_start(
    *,
    organization: Any,
    actor: Any,
    access: Any,
    kind: str,
    data: bytes,
    filename: str,
    mapping: dict[str, str] | None = None,
    dry_run: bool = True,
) -> ImportStarted:
    """Read and check a file. A small file is checked here: a dry run (or a file with
    problems) writes nothing and returns (result, None, False). A large file is not checked in
    the request: a dry run queues a dry-run ImportRun whose job checks it and keeps the result
    on the run: (None, run, False). Otherwise the mapping is remembered and an ImportRun is
    queued for the background job, which checks the file again and writes it:
    (result or None, run, False). The same file queued, running or imported before queues
    nothing and returns that earlier run: (result or None, run, True)."""
    from ifm.donors.models import ImportRun, ImportStatus

    require_perm(access, "donors.import")
    if kind not in KINDS:
        raise ServiceError(f"Unknown import kind {kind!r}: use donors or donations.", field="kind")
    if kind == KIND_DONATIONS:
        require_perm(access, "donations.record")
    table = read_table(data, filename)
    if mapping is None:
        mapping = mapping_for(organization=organization, kind=kind, headers=table.headers)
    result: CheckResult | None = None
    if checked_in_request(len(data)):
        result = import_check(organization=organization, kind=kind, table=table, mapping=mapping)
        if dry_run or result.problems:
            return ImportStarted(result, None)
    mapping = clean_mapping(kind, mapping, table.headers)
    with org_context(organization), transaction.atomic():
        if not dry_run:
            earlier = (
                ImportRun.objects.filter(kind=kind, file_hash=table.file_hash, dry_run=False)
                .exclude(status=ImportStatus.FAILED)
                .first()
            )
            if earlier is not None:
                return ImportStarted(result, earlier, earlier=True)
            mapping_remember(
                organization=organization,
                actor=actor,
                kind=kind,
                headers=table.headers,
                mapping=mapping,
            )
        run = ImportRun.objects.create(
            kind=kind,
            dry_run=dry_run,
            file_name=filename[:255],
            file_hash=table.file_hash,
            data=data,
            mapping=mapping,
            total=result.total if result is not None else 0,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        if not dry_run:
            audit_record(
                action="donors.import_start",
                actor=actor,
                organization=organization,
                obj=run,
                changes={"kind": kind, "file": filename, "rows": run.total},
            )
        job = import_check_job if dry_run else import_commit_job
        organization_id = organization.pk
        transaction.on_commit(lambda: job.enqueue(organization_id=organization_id, run_id=run.pk))
    return ImportStarted(result, run)


def _progress(run: Any, **fields: Any) -> None:
    from ifm.donors.models import ImportRun

    for name, value in fields.items():
        setattr(run, name, value)
    ImportRun.objects.filter(pk=run.pk).update(**fields)


@task()
@org_task
def import_commit_job(*, organization_id: int, run_id: int) -> dict[str, Any]:
    """Check the queued file again and write it, all or nothing. Records progress on the run."""
    from ifm.donors.models import ImportRun, ImportStatus
    from ifm.tenancy.models import Organization

    run = ImportRun.objects.filter(pk=run_id).first()
    if run is None or run.status == ImportStatus.DONE:
        return {"status": "skipped"}
    organization = Organization.objects.get(pk=organization_id)
    actor = run.created_by
    _progress(run, status=ImportStatus.RUNNING, phase="checking", started_at=timezone.now())
    result: CheckResult | None = None
    try:
        table = read_table(bytes(run.data), run.file_name)
        result = CheckResult(kind=run.kind, total=table.count())
        _progress(run, total=result.total)
        table.progress = lambda read: _progress(run, done=read)
        mapping = clean_mapping(run.kind, run.mapping, table.headers)
        if run.kind == KIND_DONORS:
            _check_donors(table, mapping, result)
        else:
            _check_donations(table, mapping, result, organization)
        if result.problems:
            raise ServiceError(
                f"The file has {len(result.problems)} problems: nothing was imported.",
                errors=[{"field": f"row {p.row}", "message": p.message} for p in result.problems],
            )
        _progress(run, phase="writing", done=result.already_imported)
        with transaction.atomic():
            if run.kind == KIND_DONORS:
                created = _write_donors(organization, actor, run, result)
            else:
                created = _write_donations(organization, actor, run, result)
            audit_record(
                action="donors.import",
                actor=actor,
                organization=organization,
                obj=run,
                changes={
                    "kind": run.kind,
                    "created": created,
                    "already_imported": result.already_imported,
                    "matched_existing_donors": result.matched,
                },
            )
            _progress(
                run,
                status=ImportStatus.DONE,
                phase="",
                done=result.total,
                created_count=created,
                skipped_count=result.total - created,
                finished_at=timezone.now(),
                data=b"",
            )
    except ServiceError as exc:
        problems = [p.as_dict() for p in result.problems] if result is not None else []
        field_name = exc.errors[0]["field"] if exc.errors else ""
        _progress(
            run,
            status=ImportStatus.FAILED,
            phase="",
            finished_at=timezone.now(),
            errors=problems
            or [{"row": 0, "column": "", "field": field_name, "message": exc.message}],
        )
        return {"status": "failed"}
    return {"status": "done", "created": run.created_count}


@task()
@org_task
def import_check_job(*, organization_id: int, run_id: int) -> dict[str, Any]:
    """The dry run of a large file: check it, reading its rows as a stream, record progress on
    the run and keep the counts and problems (`CheckResult.summary()`) in `run.result`.
    Writes nothing else; the file is dropped once checked."""
    from ifm.donors.models import ImportRun, ImportStatus
    from ifm.tenancy.models import Organization

    run = ImportRun.objects.filter(pk=run_id, dry_run=True).first()
    if run is None or run.status == ImportStatus.DONE:
        return {"status": "skipped"}
    organization = Organization.objects.get(pk=organization_id)
    _progress(run, status=ImportStatus.RUNNING, phase="checking", started_at=timezone.now())
    try:
        table = read_table(bytes(run.data), run.file_name)
        _progress(run, total=table.count(), done=0)
        table.progress = lambda read: _progress(run, done=read)
        result = import_check(
            organization=organization, kind=run.kind, table=table, mapping=run.mapping
        )
    except ServiceError as exc:
        field_name = exc.errors[0]["field"] if exc.errors else ""
        _progress(
            run,
            status=ImportStatus.FAILED,
            phase="",
            finished_at=timezone.now(),
            errors=[{"row": 0, "column": "", "field": field_name, "message": exc.message}],
        )
        return {"status": "failed"}
    _progress(
        run,
        status=ImportStatus.DONE,
        phase="",
        done=result.total,
        total=result.total,
        result={
            **result.summary(),
            "mapping": run.mapping,
            "headers": table.headers,
            "header_row": table.header_row,
        },
        finished_at=timezone.now(),
        data=b"",
    )
    return {"status": "done", "problems": len(result.problems)}


def _write_keys(run: Any, kind: str, pairs: list[tuple[str, int]]) -> None:
    from ifm.donors.models import ImportKey

    insert_columns(
        ImportKey,
        {
            "organization_id": run.organization_id,
            "kind": kind,
            "key": [k for k, _pk in pairs],
            "object_id": [pk for _k, pk in pairs],
            "run_id": run.pk,
        },
        len(pairs),
    )


def _write_donors(organization: Any, actor: Any, run: Any, result: CheckResult) -> int:
    from ifm.donors.models import Donor, DonorKind

    created_by = actor if getattr(actor, "is_authenticated", False) else None
    new_rows = [p for p in result.rows if "match" not in p and "same_as" not in p]
    donors = Donor.objects.bulk_create(
        [
            Donor(
                organization=organization,
                created_by=created_by,
                **{**p["values"], "kind": p["values"].get("kind", DonorKind.INDIVIDUAL)},
                **p["norm"],
            )
            for p in new_rows
        ],
        batch_size=2000,
    )
    for p, donor in zip(new_rows, donors, strict=True):
        p["donor_id"] = donor.pk
    _write_primary_contacts(organization, donors)
    _write_secondary_contacts(organization, new_rows, donors)
    pairs = []
    for p in result.rows:
        if "match" in p:
            pairs.append((p["key"], p["match"]))
        elif "same_as" in p:
            pairs.append((p["key"], result.rows[p["same_as"]]["donor_id"]))
        else:
            pairs.append((p["key"], p["donor_id"]))
    _write_keys(run, "donors", pairs)
    return len(donors)


def _write_primary_contacts(organization: Any, donors: Sequence[Any]) -> None:
    """The primary email, phone and address rows of new donors (equal to their columns)."""
    from ifm.donors.models import DonorAddress, DonorEmail, DonorPhone

    address = ("address_line1", "address_line2", "city", "state", "postal_code")
    common = {"organization": organization, "is_primary": True}
    DonorEmail.objects.bulk_create(
        [
            DonorEmail(donor=d, email=d.email, email_norm=d.email_norm, **common)
            for d in donors
            if d.email
        ],
        batch_size=2000,
    )
    DonorPhone.objects.bulk_create(
        [
            DonorPhone(donor=d, phone=d.phone, phone_norm=d.phone_norm, **common)
            for d in donors
            if d.phone
        ],
        batch_size=2000,
    )
    DonorAddress.objects.bulk_create(
        [
            DonorAddress(
                donor=d, country=d.country, **{f: getattr(d, f) for f in address}, **common
            )
            for d in donors
            if any(getattr(d, f) for f in address)
        ],
        batch_size=2000,
    )


def _write_secondary_contacts(
    organization: Any, rows: Sequence[dict[str, Any]], donors: Sequence[Any]
) -> None:
    """The further emails and phones of new donors (the file's Email 2, Work Phone ...), as
    secondary rows; the donors' search_text already holds them (_check_donors)."""
    from ifm.donors.models import DonorEmail, DonorPhone

    common = {"organization": organization, "is_primary": False}
    pairs = list(zip(rows, donors, strict=True))
    DonorEmail.objects.bulk_create(
        [
            DonorEmail(donor=d, email=e, email_norm=normalize.email(e), label=label, **common)
            for p, d in pairs
            for e, label in p["emails"]
        ],
        batch_size=2000,
    )
    DonorPhone.objects.bulk_create(
        [
            DonorPhone(donor=d, phone=x, phone_norm=normalize.phone(x), label=label, **common)
            for p, d in pairs
            for x, label in p["phones"]
        ],
        batch_size=2000,
    )


def _write_donations(organization: Any, actor: Any, run: Any, result: CheckResult) -> int:
    """Donations in bulk with the invariants of donation_record: each one its own balanced
    journal entry (source "donation", linked both ways), giving summaries rewritten."""
    from ifm.donors.gifts.posting import RoleAccounts, gift_entry_memo, gift_lines
    from ifm.donors.models import Appeal, Campaign, Donation, Donor
    from ifm.ledger.services import EntryInput, post_entries

    rows = result.rows
    if not rows:
        return 0
    created_by = actor if getattr(actor, "is_authenticated", False) else None
    # Campaigns and appeals named in the file that do not exist yet.
    for field_name, model in (("campaign", Campaign), ("appeal", Appeal)):
        missing = sorted(
            {p[field_name] for p in rows if p[field_name] and not p[f"{field_name}_id"]},
            key=str.lower,
        )
        made: dict[str, int] = {}
        for name in missing:
            if name.lower() not in made:
                made[name.lower()] = model.objects.create(organization=organization, name=name).pk
        for p in rows:
            if p[field_name] and not p[f"{field_name}_id"]:
                p[f"{field_name}_id"] = made[p[field_name].lower()]

    accounts = RoleAccounts()
    names = {
        donor.pk: donor.name
        for donor in Donor.objects.filter(pk__in={p["donor_id"] for p in rows}).only(
            "kind", "first_name", "last_name", "organization_name"
        )
    }
    ids = reserve_ids(Donation, len(rows))
    entries = []
    for pk, p in zip(ids, rows, strict=True):
        name = names[p["donor_id"]]
        reference = f"GIFT-{pk}"
        entries.append(
            EntryInput(
                date=p["date"],
                lines=gift_lines(
                    amount=p["amount"],
                    fund=p["fund"],
                    method=p["method"],
                    donor_name=name,
                    accounts=accounts,
                ),
                memo=gift_entry_memo(reference, name, note=f"import {run.pk}, row {p['row']}"),
                reference=reference,
                source_id=pk,
            )
        )
    posted = post_entries(
        organization=organization,
        actor=actor,
        entries=entries,
        source_type="donation",
        audit_obj=run,
    )
    now = timezone.now()
    name = run.file_name or "a file"
    insert_columns(
        Donation,
        {
            "id": ids,
            "organization_id": organization.pk,
            "donor_id": [p["donor_id"] for p in rows],
            "date": [p["date"] for p in rows],
            "amount": [p["amount"] for p in rows],
            "method": [p["method"] for p in rows],
            "check_number": [p["check_number"] for p in rows],
            "description": [p["description"] for p in rows],
            "fund_id": [p["fund"].pk for p in rows],
            "campaign_id": [p["campaign_id"] for p in rows],
            "appeal_id": [p["appeal_id"] for p in rows],
            "designation": [p["designation"] for p in rows],
            "goods_services_description": [p["goods_services_description"] for p in rows],
            "goods_services_value": [p["goods_services_value"] for p in rows],
            "anonymous": [p["anonymous"] for p in rows],
            "notes": [
                f"Imported from {name}, row {p['row']}."
                + (f" Reference: {p['reference']}." if p["reference"] else "")
                for p in rows
            ],
            "status": "active",
            "journal_entry_id": posted,
            "created_by_id": created_by.pk if created_by else None,
            "created_at": now,
            "updated_at": now,
            "updated_by_id": created_by.pk if created_by else None,
            "version": 1,
        },
        len(rows),
    )
    _write_keys(run, "donations", [(p["key"], pk) for pk, p in zip(ids, rows, strict=True)])
    summaries_refresh(donor_ids={p["donor_id"] for p in rows})
    return len(rows)


def summaries_refresh(*, donor_ids: Iterable[int]) -> None:
    """Rewrite the giving summaries of these donors from their donations, in a few grouped
    queries (the same figures as selectors.giving_aggregate, for many donors at once)."""
    from django.db.models import Count, Max, Min, Q, Sum

    from ifm.donors.models import Donation, DonationStatus, DonorGivingSummary

    year = timezone.localdate().year
    wanted = sorted(set(donor_ids))
    now = timezone.now()
    organization_id = require_org_id()
    for i in range(0, len(wanted), 5000):
        chunk = wanted[i : i + 5000]
        figures = {
            row["donor_id"]: row
            for row in Donation.objects.filter(donor_id__in=chunk, status=DonationStatus.ACTIVE)
            .values("donor_id")
            .annotate(
                first_gift_date=Min("date"),
                last_gift_date=Max("date"),
                largest_gift=Max("amount"),
                lifetime_total=Sum("amount"),
                gift_count=Count("pk"),
                this_year_total=Sum("amount", filter=Q(date__year=year)),
                last_year_total=Sum("amount", filter=Q(date__year=year - 1)),
            )
        }
        existing = {s.donor_id: s for s in DonorGivingSummary.objects.filter(donor_id__in=chunk)}
        fields = [
            "first_gift_date",
            "last_gift_date",
            "largest_gift",
            "lifetime_total",
            "gift_count",
            "this_year_total",
            "last_year_total",
        ]
        changed: list[DonorGivingSummary] = []
        new: list[DonorGivingSummary] = []
        for donor_id in chunk:
            row: dict[str, Any] = dict(figures.get(donor_id) or {})
            summary = existing.get(donor_id) or DonorGivingSummary(
                organization_id=organization_id, donor_id=donor_id
            )
            for name in fields:
                value = row.get(name)
                if value is None and name not in ("first_gift_date", "last_gift_date"):
                    value = 0 if name == "gift_count" else Decimal("0.00")
                setattr(summary, name, value)
            summary.year = year
            summary.updated_at = now
            (changed if summary.pk else new).append(summary)
        DonorGivingSummary.objects.bulk_update(
            changed, [*fields, "year", "updated_at"], batch_size=2000
        )
        DonorGivingSummary.objects.bulk_create(new, batch_size=2000)
