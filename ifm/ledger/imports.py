"""CSV imports of the ledger: a chart of accounts, and opening balances.

Called through ifm.ledger.services_chart (which checks the permission). Both imports read the
whole file first and list every problem with its row (the header is row 1) and column; a commit
with any problem writes nothing, and a dry run writes nothing at all.

Chart of accounts, two layouts (recognised by the header row):

1. UCOA / Banana Accounting export: ``Group,Account,Description,Gr``.
   - A row with only a Description (``,,ASSETS,``) starts a section that gives the type of the
     accounts below it (assets, liabilities, equity/net assets, revenue/income, expenses).
     Sections of cost centres, donors, projects or segments are skipped.
   - A row with an Account is a detail account: Description is its name, Gr its group.
   - A row with a Group is a group. A group that directly holds detail accounts becomes a header
     account; groups that only add up other groups (totals such as "Total assets", the year's
     profit or loss, "Difference should be = 0") are reported as skipped: the ledger computes
     totals itself.
   - Entries whose number starts with ``.``, ``,``, ``;`` or ``:`` (Banana cost centres and
     segments) are reported as skipped.

2. The simple layout: ``number,name,type,parent_number[,net_asset_class]`` where type is one of
   asset, liability, net_assets, revenue, expense; parent_number is blank for a top-level
   account; net_asset_class (without_donor_restrictions / with_donor_restrictions) may be blank.

Accounts are matched by number: a missing one is created, an existing one gets the file's name
and parent (its type, role, description and activity stay). Importing the same file twice
changes nothing the second time.

Opening balances: ``account_number,fund_code,debit,credit``, posted as one entry (source type
"opening") on the date given. Debits must equal credits; where one fund's lines do not balance on
their own the posting adds the due-to/due-from lines between funds.
"""

from __future__ import annotations

import contextlib
import csv
import io
import re
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction

from ifm.audit.services import audit_record
from ifm.core.errors import ServiceError
from ifm.core.money import MoneyError, parse_money
from ifm.ledger.models import (
    Account,
    AccountType,
    Fund,
    JournalEntry,
    JournalLine,
    NetAssetClass,
    SourceType,
)
from ifm.ledger.services_chart import NUMBER_HELP, NUMBER_RE
from ifm.tenancy.models import Organization

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
CENT = Decimal("0.01")
ZERO = Decimal("0.00")

UCOA_COLUMNS = ["Group", "Account", "Description", "Gr"]
SIMPLE_COLUMNS = ["number", "name", "type", "parent_number"]
SIMPLE_OPTIONAL = ["net_asset_class"]
OPENING_COLUMNS = ["account_number", "fund_code", "debit", "credit"]
BANANA_SEGMENT_PREFIXES = (".", ",", ";", ":")


@dataclass
class Problem:
    row: int | None  # None: the file as a whole
    column: str
    message: str

    @property
    def field(self) -> str:
        if self.row is None and self.column == "date":
            return "date"
        if self.row is None:
            return f"file.{self.column}" if self.column else "file"
        return f"row[{self.row}].{self.column}" if self.column else f"row[{self.row}]"

    def as_error(self) -> dict[str, str]:
        where = "The file" if self.row is None else f"Row {self.row}"
        if self.column:
            where += f", column {self.column}"
        return {"field": self.field, "message": f"{where}: {self.message}"}


@dataclass
class Skipped:
    row: int
    value: str
    reason: str


@dataclass
class ChartImportResult:
    format: str
    dry_run: bool
    created: list[dict[str, Any]] = field(default_factory=list)
    updated: list[dict[str, Any]] = field(default_factory=list)
    unchanged: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class OpeningBalancesResult:
    dry_run: bool
    date: date
    entry_id: int | None = None
    entry_number: int | None = None
    lines: int = 0
    total_debit: Decimal = ZERO
    total_credit: Decimal = ZERO
    interfund: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _fail(problems: list[Problem], what: str) -> ServiceError:
    count = len(problems)
    noun = "problem" if count == 1 else "problems"
    first = problems[0].as_error()["message"]
    return ServiceError(
        f"The {what} has {count} {noun}, so nothing was imported. First: {first}",
        errors=[p.as_error() for p in problems],
    )


class _Rollback(Exception):
    pass


# --- Reading the file --------------------------------------------------------------------------


def _read_bytes(file: Any) -> bytes:
    if isinstance(file, bytes | bytearray | memoryview):
        data = bytes(file)
    elif isinstance(file, str):
        data = file.encode("utf-8")
    elif hasattr(file, "read"):
        if hasattr(file, "seek"):
            with contextlib.suppress(OSError, ValueError):
                file.seek(0)
        raw = file.read(MAX_FILE_BYTES + 1)
        data = raw.encode("utf-8") if isinstance(raw, str) else bytes(raw)
    else:
        raise ServiceError("Choose a CSV file to import.", field="file")
    if len(data) > MAX_FILE_BYTES:
        raise ServiceError(
            f"The file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB: split it.",
            field="file",
        )
    return data


def _decode(data: bytes) -> str:
    """UTF-8 (a byte-order mark is fine); anything else is an error naming the row and column."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        start = exc.start
        row = data[:start].count(b"\n") + 1
        line_start = data.rfind(b"\n", 0, start) + 1
        prefix = data[line_start:start]
        header = data.split(b"\n", 1)[0].decode("latin-1").lstrip("\ufeff").strip("\r")
        names = next(csv.reader([header]), [])
        index = prefix.count(b",")
        column = names[index].strip() if index < len(names) else f"{index + 1}"
        byte = data[start : start + 1].hex().upper()
        raise ServiceError(
            f"The file is not UTF-8 text: row {row}, column {column} has the byte 0x{byte}. "
            "Save it as \u201cCSV UTF-8\u201d and import it again.",
            errors=[
                {
                    "field": f"row[{row}].{column}",
                    "message": f"Row {row}, column {column}: not UTF-8 text (byte 0x{byte}); "
                    "save the file as CSV UTF-8.",
                }
            ],
        ) from None


def _rows(file: Any) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header (as written) and the data rows with their row numbers (header = row 1)."""
    text = _decode(_read_bytes(file))
    if not text.strip():
        raise ServiceError("The file is empty.", field="file")
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[tuple[int, list[str]]] = []
    header: list[str] = []
    try:
        for number, record in enumerate(reader, start=1):
            if number == 1:
                header = [h.strip() for h in record]
                continue
            if number > MAX_ROWS + 1:
                raise ServiceError(
                    f"The file has more than {MAX_ROWS} rows: split it.", field="file"
                )
            if not any(cell.strip() for cell in record):
                continue
            rows.append((number, record))
    except csv.Error as exc:
        raise ServiceError(
            f"Row {reader.line_num}: the CSV cannot be read ({exc}).",
            errors=[
                {
                    "field": f"row[{reader.line_num}]",
                    "message": f"Row {reader.line_num}: the CSV cannot be read ({exc}).",
                }
            ],
        ) from None
    return header, rows


def _columns(header: list[str], row: list[str]) -> dict[str, str]:
    values = {}
    for i, name in enumerate(header):
        values[name.lower()] = row[i].strip() if i < len(row) else ""
    return values


def _header_error(header: list[str], expected: str, missing: list[str]) -> ServiceError:
    got = ",".join(header) or "(nothing)"
    message = f"Row 1: the columns are {got}; expected {expected}"
    if missing:
        message += f" (missing: {', '.join(missing)})"
    return ServiceError(
        message + ".",
        errors=[
            {"field": f"row[1].{m}", "message": message + "."} for m in (missing or ["header"])
        ],
    )


# --- Chart of accounts -------------------------------------------------------------------------


@dataclass
class _Planned:
    row: int
    number: str
    name: str
    type: str
    parent: str | None
    net_asset_class: str | None  # None: leave as it is
    number_col: str
    name_col: str
    type_col: str
    parent_col: str


def _section_type(description: str) -> str | None:
    """The account type a Banana section row announces; "skip" for non-account sections."""
    d = description.lower()
    if any(k in d for k in ("cost cent", "donor", "segment", "project")):
        return "skip"
    if "liabilit" in d:
        return AccountType.LIABILITY
    if "equity" in d or "net asset" in d:
        return AccountType.NET_ASSETS
    if "asset" in d:
        return AccountType.ASSET
    if "expense" in d:
        return AccountType.EXPENSE
    if any(k in d for k in ("revenue", "income", "support", "gain")):
        return AccountType.REVENUE
    return None


def _infer_class(name: str) -> str:
    n = name.lower()
    if "unrestricted" in n or "without donor" in n or "board" in n:
        return NetAssetClass.WITHOUT
    if "restricted" in n or "with donor" in n or "endowment" in n:
        return NetAssetClass.WITH
    return ""


def _plan_ucoa(
    rows: list[tuple[int, list[str]]], header: list[str], result: ChartImportResult
) -> list[_Planned]:
    existing_types = dict(Account.objects.values_list("number", "type"))
    section: str | None = None
    details: list[dict[str, Any]] = []
    groups: dict[str, dict[str, Any]] = {}
    group_order: list[str] = []
    for row, record in rows:
        cols = _columns(header, record)
        group, number, description, gr = (
            cols.get("group", ""),
            cols.get("account", ""),
            cols.get("description", ""),
            cols.get("gr", ""),
        )
        if not group and not number:
            if description:
                section = _section_type(description)
            continue
        if group and number:
            result.problems.append(
                Problem(row, "Group", "a row is either a group or an account, not both")
            )
            continue
        if number:
            if number.startswith(BANANA_SEGMENT_PREFIXES) or section == "skip":
                result.skipped.append(
                    Skipped(row, number, "cost centre, donor or segment: not an account")
                )
                continue
            details.append(
                {"row": row, "number": number, "name": description, "gr": gr, "type": section}
            )
        else:
            if section == "skip" or group.startswith(BANANA_SEGMENT_PREFIXES):
                result.skipped.append(
                    Skipped(row, group, "total of cost centres, donors or segments")
                )
                continue
            if group in groups:
                result.problems.append(
                    Problem(
                        row, "Group", f"the group {group} is already on row {groups[group]['row']}"
                    )
                )
                continue
            # Banana ends some group names with a colon ("Fixed operating assets:").
            name = description.rstrip().removesuffix(":").rstrip()
            groups[group] = {"row": row, "name": name, "gr": gr, "types": set()}
            group_order.append(group)

    # A group becomes a header account when it directly holds detail accounts.
    for detail in details:
        g = groups.get(detail["gr"])
        if detail["type"] is None:
            # No section above: take the type of an existing account of that number or group.
            detail["type"] = existing_types.get(detail["number"]) or existing_types.get(
                detail["gr"]
            )
        if g is not None and detail["type"]:
            g["types"].add(detail["type"])
    planned: list[_Planned] = []
    headers: dict[str, str] = {}
    for number in group_order:
        g = groups[number]
        if not g["types"]:
            result.skipped.append(
                Skipped(
                    g["row"],
                    number,
                    "summary group (adds up other groups or the year's result): "
                    "the ledger computes totals itself",
                )
            )
            continue
        if len(g["types"]) > 1:
            kinds = ", ".join(sorted(g["types"]))
            result.problems.append(
                Problem(g["row"], "Group", f"the group {number} holds accounts of types {kinds}")
            )
            continue
        headers[number] = next(iter(g["types"]))
    for number in group_order:
        if number not in headers:
            continue
        g = groups[number]
        parent = g["gr"] if g["gr"] in headers else None
        if parent is None and g["gr"] and g["gr"] not in groups:
            parent = g["gr"]  # may be an existing account; checked with the rest
        type_ = headers[number]
        planned.append(
            _Planned(
                g["row"],
                number,
                g["name"],
                type_,
                parent,
                None,
                "Group",
                "Description",
                "Group",
                "Gr",
            )
        )
    for detail in details:
        if detail["type"] is None:
            result.problems.append(
                Problem(
                    detail["row"],
                    "Account",
                    "no section row above says the account's type "
                    "(such as ,,ASSETS, or ,,EXPENSES,)",
                )
            )
            continue
        parent_ref: str | None = detail["gr"] or None
        if parent_ref is not None and parent_ref in groups and not groups[parent_ref]["types"]:
            parent_ref = None
        planned.append(
            _Planned(
                detail["row"],
                detail["number"],
                detail["name"],
                detail["type"],
                parent_ref,
                None,
                "Account",
                "Description",
                "Account",
                "Gr",
            )
        )
    # Net-asset class for new net-asset accounts, from their name or their header.
    by_number = {p.number: p for p in planned}
    for p in planned:
        if p.type == AccountType.NET_ASSETS:
            inferred = _infer_class(p.name)
            if not inferred and p.parent in by_number:
                inferred = _infer_class(by_number[p.parent].name)
            p.net_asset_class = inferred or None
    return planned


_TYPE_ALIASES = {
    **{t.value: t.value for t in AccountType},
    **{t.label.lower(): t.value for t in AccountType},
    "assets": "asset",
    "liabilities": "liability",
    "net assets": "net_assets",
    "equity": "net_assets",
    "income": "revenue",
    "expenses": "expense",
}
_CLASS_ALIASES = {
    **{c.value: c.value for c in NetAssetClass},
    **{c.label.lower(): c.value for c in NetAssetClass},
    "without": NetAssetClass.WITHOUT,
    "with": NetAssetClass.WITH,
}


def _plan_simple(
    rows: list[tuple[int, list[str]]], header: list[str], result: ChartImportResult
) -> list[_Planned]:
    planned = []
    has_class = "net_asset_class" in {h.lower() for h in header}
    for row, record in rows:
        cols = _columns(header, record)
        raw_type = cols.get("type", "")
        type_ = _TYPE_ALIASES.get(raw_type.lower().replace("-", " ").strip())
        if type_ is None:
            result.problems.append(
                Problem(
                    row,
                    "type",
                    f"{raw_type[:40]!r} is not a type: use asset, liability, net_assets, "
                    "revenue or expense",
                )
            )
            continue
        net_class: str | None = None
        if has_class and cols.get("net_asset_class"):
            raw = cols["net_asset_class"]
            net_class = _CLASS_ALIASES.get(raw.lower().strip())
            if net_class is None:
                result.problems.append(
                    Problem(
                        row,
                        "net_asset_class",
                        f"{raw[:40]!r} is not a class: use without_donor_restrictions or "
                        "with_donor_restrictions (or leave it blank)",
                    )
                )
                continue
        planned.append(
            _Planned(
                row,
                cols.get("number", ""),
                cols.get("name", ""),
                type_,
                cols.get("parent_number") or None,
                net_class,
                "number",
                "name",
                "type",
                "parent_number",
            )
        )
    return planned


def _has_cycle(start: str, parents: dict[str, str | None]) -> bool:
    seen = {start}
    node = parents.get(start)
    while node is not None:
        if node in seen:
            return True
        seen.add(node)
        node = parents.get(node)
    return False


def chart_import(
    *, organization: Organization, actor: Any, file: Any, dry_run: bool
) -> ChartImportResult:
    header, rows = _rows(file)
    lowered = [h.lower() for h in header]
    if {c.lower() for c in UCOA_COLUMNS} <= set(lowered):
        result = ChartImportResult(format="ucoa", dry_run=dry_run)
        planned = _plan_ucoa(rows, header, result)
    elif set(SIMPLE_COLUMNS[:3]) <= set(lowered):
        result = ChartImportResult(format="simple", dry_run=dry_run)
        missing = [c for c in SIMPLE_COLUMNS if c not in lowered]
        if missing:
            raise _header_error(header, ",".join(SIMPLE_COLUMNS) + "[,net_asset_class]", missing)
        for name in header:
            if name.lower() not in SIMPLE_COLUMNS + SIMPLE_OPTIONAL:
                result.problems.append(Problem(1, name or "(blank)", "unknown column"))
        planned = _plan_simple(rows, header, result)
    else:
        expected = (
            ",".join(SIMPLE_COLUMNS)
            + "[,net_asset_class], or the UCOA export "
            + ",".join(UCOA_COLUMNS)
        )
        missing = [c for c in SIMPLE_COLUMNS if c not in lowered]
        raise _header_error(header, expected, missing)

    existing = {a.number: a for a in Account.objects.select_related("parent")}
    with_postings = set(JournalLine.objects.values_list("account__number", flat=True).distinct())
    has_children = set(
        Account.objects.filter(parent__isnull=False).values_list("parent__number", flat=True)
    )

    # Row-level checks.
    valid: dict[str, _Planned] = {}
    for p in planned:
        if not p.number:
            result.problems.append(Problem(p.row, p.number_col, "the number is missing"))
            continue
        if not NUMBER_RE.match(p.number):
            result.problems.append(
                Problem(
                    p.row,
                    p.number_col,
                    f"{p.number[:40]!r} is not an account number: {NUMBER_HELP}",
                )
            )
            continue
        p.name = " ".join(p.name.split())
        if not p.name:
            result.problems.append(Problem(p.row, p.name_col, "the name is missing"))
            continue
        if len(p.name) > 200:
            result.problems.append(
                Problem(p.row, p.name_col, "the name is longer than 200 characters")
            )
            continue
        if p.number in valid:
            result.problems.append(
                Problem(
                    p.row,
                    p.number_col,
                    f"the number {p.number} is already on row {valid[p.number].row}",
                )
            )
            continue
        current = existing.get(p.number)
        if current is not None and current.type != p.type:
            result.problems.append(
                Problem(
                    p.row,
                    p.type_col,
                    f"account {p.number} exists as {current.get_type_display().lower()}; "
                    f"the file says {AccountType(p.type).label.lower()} (an account's type "
                    "cannot change)",
                )
            )
            continue
        valid[p.number] = p

    # Parents: known, same type, no loops, not an account with postings.
    final_parent: dict[str, str | None] = {
        n: (a.parent.number if a.parent_id and a.parent else None) for n, a in existing.items()
    }
    for p in valid.values():
        final_parent[p.number] = p.parent
    ok: dict[str, _Planned] = {}
    for p in valid.values():
        if p.parent is None:
            ok[p.number] = p
            continue
        parent_type = valid[p.parent].type if p.parent in valid else None
        if parent_type is None and p.parent in existing:
            parent_type = existing[p.parent].type
        if parent_type is None:
            result.problems.append(
                Problem(
                    p.row, p.parent_col, f"there is no account {p.parent} in the file or the chart"
                )
            )
            continue
        if parent_type != p.type:
            result.problems.append(
                Problem(
                    p.row,
                    p.parent_col,
                    f"the parent {p.parent} is {AccountType(parent_type).label.lower()}, "
                    f"this account is {AccountType(p.type).label.lower()}: they must match",
                )
            )
            continue
        if p.parent == p.number or _has_cycle(p.number, final_parent):
            result.problems.append(
                Problem(p.row, p.parent_col, f"the parent {p.parent} makes a loop in the chart")
            )
            continue
        if p.parent in with_postings and p.parent not in has_children:
            result.problems.append(
                Problem(
                    p.row,
                    p.parent_col,
                    f"account {p.parent} has postings, so it cannot become a header",
                )
            )
            continue
        if p.parent in existing and not existing[p.parent].is_active:
            current = existing.get(p.number)
            if current is None or final_parent.get(p.number) != (
                current.parent.number if current.parent_id and current.parent else None
            ):
                result.problems.append(
                    Problem(p.row, p.parent_col, f"the parent {p.parent} is inactive")
                )
                continue
        ok[p.number] = p

    # What would change.
    for p in ok.values():
        current = existing.get(p.number)
        if current is None:
            result.created.append(
                {
                    "row": p.row,
                    "number": p.number,
                    "name": p.name,
                    "type": p.type,
                    "parent": p.parent,
                }
            )
            continue
        changes: dict[str, dict[str, Any]] = {}
        if current.name != p.name:
            changes["name"] = {"before": current.name, "after": p.name}
        current_parent = current.parent.number if current.parent_id and current.parent else None
        if current_parent != p.parent:
            changes["parent"] = {"before": current_parent, "after": p.parent}
        if (
            p.net_asset_class is not None
            and result.format == "simple"
            and current.net_asset_class != p.net_asset_class
        ):
            changes["net_asset_class"] = {
                "before": current.net_asset_class,
                "after": p.net_asset_class,
            }
        if changes:
            result.updated.append({"row": p.row, "number": p.number, "changes": changes})
        else:
            result.unchanged += 1

    if result.problems:
        result.problems.sort(key=lambda pr: (pr.row or 0, pr.column))
        if dry_run:
            return result
        raise _fail(result.problems, "chart of accounts")
    if dry_run:
        return result

    _apply_chart(organization, actor, ok, existing, result)
    return result


def _apply_chart(
    organization: Organization,
    actor: Any,
    planned: dict[str, _Planned],
    existing: dict[str, Account],
    result: ChartImportResult,
) -> None:
    user = actor if getattr(actor, "is_authenticated", False) else None
    accounts: dict[str, Account] = dict(existing)
    created_numbers = {c["number"] for c in result.created}
    updates = {u["number"]: u["changes"] for u in result.updated}

    def ensure(number: str) -> Account:
        if number in accounts:
            return accounts[number]
        p = planned[number]
        parent = ensure(p.parent) if p.parent else None
        account = Account.objects.create(
            organization=organization,
            number=p.number,
            name=p.name,
            type=p.type,
            parent=parent,
            net_asset_class=p.net_asset_class
            or (parent.net_asset_class if parent and p.type == AccountType.NET_ASSETS else ""),
            updated_by=user,
        )
        accounts[number] = account
        audit_record(
            action="account.create",
            actor=actor,
            organization=organization,
            obj=account,
            changes={
                "number": {"before": None, "after": account.number},
                "name": {"before": None, "after": account.name},
                "type": {"before": None, "after": account.type},
                "parent": {"before": None, "after": p.parent},
                "source": "import",
            },
        )
        return account

    for number in sorted(created_numbers):
        ensure(number)
    for number, changes in sorted(updates.items()):
        account = accounts[number]
        fields = []
        if "name" in changes:
            account.name = changes["name"]["after"]
            fields.append("name")
        if "parent" in changes:
            after = changes["parent"]["after"]
            account.parent = accounts[after] if after else None
            fields.append("parent")
        if "net_asset_class" in changes:
            account.net_asset_class = changes["net_asset_class"]["after"]
            fields.append("net_asset_class")
        account.save_versioned(expected_version=account.version, user=user, fields=fields)
        audit_record(
            action="account.update",
            actor=actor,
            organization=organization,
            obj=account,
            changes={**changes, "source": "import"},
        )
    audit_record(
        action="chart.import",
        actor=actor,
        organization=organization,
        object_type="ledger.account",
        object_repr="Chart of accounts",
        changes={
            "format": result.format,
            "created": len(result.created),
            "updated": len(result.updated),
            "unchanged": result.unchanged,
            "skipped": len(result.skipped),
        },
    )


# --- Opening balances --------------------------------------------------------------------------


def opening_balances_import(
    *, organization: Organization, actor: Any, file: Any, on: date, dry_run: bool
) -> OpeningBalancesResult:
    from ifm.ledger.services import LineInput, post_entry

    header, rows = _rows(file)
    lowered = [h.lower() for h in header]
    missing = [c for c in OPENING_COLUMNS if c not in lowered]
    if missing:
        raise _header_error(header, ",".join(OPENING_COLUMNS), missing)
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
        cols = _columns(header, record)
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
                    raise _Rollback
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
        except _Rollback:
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
        raise _fail(result.problems, "opening balances file")
    return result
