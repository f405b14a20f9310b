"""Importing a chart of accounts (the UCOA/Banana export or the simple layout; see reading)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ifm.accounts.models import User
from ifm.audit.services import audit_record
from ifm.ledger.chart.services import NUMBER_HELP, NUMBER_RE
from ifm.ledger.imports.reading import columns_of, header_error, read_rows
from ifm.ledger.imports.results import ChartImportResult, Problem, Skipped, problems_error
from ifm.ledger.models import Account, AccountType, JournalLine, NetAssetClass
from ifm.tenancy.models import Organization

UCOA_COLUMNS = ["Group", "Account", "Description", "Gr"]


SIMPLE_COLUMNS = ["number", "name", "type", "parent_number"]


SIMPLE_OPTIONAL = ["net_asset_class"]


BANANA_SEGMENT_PREFIXES = (".", ",", ";", ":")

# A new asset account is a cash or bank account (Account.is_cash: offered where money is
# deposited or paid from) when it is filed in a group that held cash accounts before the import
# (the chart's cash group), or when its name says so. Finance corrects either guess on the
# account's page.
CASH_NAME = re.compile(
    r"\b(checking|savings|bank|petty cash|money market|cash on hand)\b|^cash\s*([-:(]|$)", re.I
)


def _looks_like_cash(type_: str, name: str, parent: Account | None, cash_groups: set[int]) -> bool:
    if type_ != AccountType.ASSET:
        return False
    return bool(CASH_NAME.search(name)) or (parent is not None and parent.pk in cash_groups)


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


@dataclass
class _UcoaGroup:
    """A group row of the UCOA export: it becomes a header when it holds detail accounts."""

    row: int
    name: str
    gr: str
    types: set[str] = field(default_factory=set)


@dataclass
class _UcoaDetail:
    """An account row of the UCOA export; its type comes from the section row above it."""

    row: int
    number: str
    name: str
    gr: str
    type: str | None


def _read_ucoa(
    rows: list[tuple[int, list[str]]], header: list[str], result: ChartImportResult
) -> tuple[list[_UcoaDetail], dict[str, _UcoaGroup]]:
    """Sort the rows into section rows, account rows and group rows (in file order)."""
    section: str | None = None
    details: list[_UcoaDetail] = []
    groups: dict[str, _UcoaGroup] = {}
    for row, record in rows:
        cols = columns_of(header, record)
        group, number, description, gr = (
            cols.get("group", ""),
            cols.get("account", ""),
            cols.get("description", ""),
            cols.get("gr", ""),
        )
        if not group and not number:
            if description:
                section = _section_type(description)
        elif group and number:
            result.problems.append(
                Problem(row, "Group", "a row is either a group or an account, not both")
            )
        elif number:
            _read_ucoa_account(_UcoaDetail(row, number, description, gr, section), details, result)
        else:
            _read_ucoa_group(row, group, description, gr, section, groups, result)
    return details, groups


def _read_ucoa_account(
    detail: _UcoaDetail, details: list[_UcoaDetail], result: ChartImportResult
) -> None:
    if detail.number.startswith(BANANA_SEGMENT_PREFIXES) or detail.type == "skip":
        result.skipped.append(
            Skipped(detail.row, detail.number, "cost centre, donor or segment: not an account")
        )
        return
    details.append(detail)


def _read_ucoa_group(
    row: int,
    group: str,
    description: str,
    gr: str,
    section: str | None,
    groups: dict[str, _UcoaGroup],
    result: ChartImportResult,
) -> None:
    if section == "skip" or group.startswith(BANANA_SEGMENT_PREFIXES):
        result.skipped.append(Skipped(row, group, "total of cost centres, donors or segments"))
        return
    if group in groups:
        result.problems.append(
            Problem(row, "Group", f"the group {group} is already on row {groups[group].row}")
        )
        return
    # Banana ends some group names with a colon ("Fixed operating assets:").
    name = description.rstrip().removesuffix(":").rstrip()
    groups[group] = _UcoaGroup(row, name, gr)


def _settle_detail_types(
    details: list[_UcoaDetail], groups: dict[str, _UcoaGroup], existing_types: dict[str, str]
) -> None:
    """Give each account without a section the type of an existing account of that number or
    group, and note on each group the types of the accounts it directly holds."""
    for detail in details:
        g = groups.get(detail.gr)
        if detail.type is None:
            # No section above: take the type of an existing account of that number or group.
            detail.type = existing_types.get(detail.number) or existing_types.get(detail.gr)
        if g is not None and detail.type:
            g.types.add(detail.type)


def _header_types(groups: dict[str, _UcoaGroup], result: ChartImportResult) -> dict[str, str]:
    """The groups that become header accounts, with their type; summary groups are skipped."""
    headers: dict[str, str] = {}
    for number, g in groups.items():
        if not g.types:
            result.skipped.append(
                Skipped(
                    g.row,
                    number,
                    "summary group (adds up other groups or the year's result): "
                    "the ledger computes totals itself",
                )
            )
            continue
        if len(g.types) > 1:
            kinds = ", ".join(sorted(g.types))
            result.problems.append(
                Problem(g.row, "Group", f"the group {number} holds accounts of types {kinds}")
            )
            continue
        headers[number] = next(iter(g.types))
    return headers


def _plan_ucoa_headers(groups: dict[str, _UcoaGroup], headers: dict[str, str]) -> list[_Planned]:
    planned: list[_Planned] = []
    for number, type_ in headers.items():
        g = groups[number]
        parent = g.gr if g.gr in headers else None
        if parent is None and g.gr and g.gr not in groups:
            parent = g.gr  # may be an existing account; checked with the rest
        planned.append(
            _Planned(
                g.row, number, g.name, type_, parent, None, "Group", "Description", "Group", "Gr"
            )
        )
    return planned


def _plan_ucoa_details(
    details: list[_UcoaDetail], groups: dict[str, _UcoaGroup], result: ChartImportResult
) -> list[_Planned]:
    planned: list[_Planned] = []
    for detail in details:
        if detail.type is None:
            result.problems.append(
                Problem(
                    detail.row,
                    "Account",
                    "no section row above says the account's type "
                    "(such as ,,ASSETS, or ,,EXPENSES,)",
                )
            )
            continue
        parent_ref: str | None = detail.gr or None
        if parent_ref is not None and parent_ref in groups and not groups[parent_ref].types:
            parent_ref = None
        planned.append(
            _Planned(
                detail.row,
                detail.number,
                detail.name,
                detail.type,
                parent_ref,
                None,
                "Account",
                "Description",
                "Account",
                "Gr",
            )
        )
    return planned


def _infer_net_asset_classes(planned: list[_Planned]) -> None:
    """Net-asset class for new net-asset accounts, from their name or their header."""
    by_number = {p.number: p for p in planned}
    for p in planned:
        if p.type == AccountType.NET_ASSETS:
            inferred = _infer_class(p.name)
            if not inferred and p.parent in by_number:
                inferred = _infer_class(by_number[p.parent].name)
            p.net_asset_class = inferred or None


def _plan_ucoa(
    rows: list[tuple[int, list[str]]], header: list[str], result: ChartImportResult
) -> list[_Planned]:
    existing_types = dict(Account.objects.values_list("number", "type"))
    details, groups = _read_ucoa(rows, header, result)
    # A group becomes a header account when it directly holds detail accounts.
    _settle_detail_types(details, groups, existing_types)
    headers = _header_types(groups, result)
    planned = _plan_ucoa_headers(groups, headers) + _plan_ucoa_details(details, groups, result)
    _infer_net_asset_classes(planned)
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
        cols = columns_of(header, record)
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


def _parent_number(account: Account) -> str | None:
    return account.parent.number if account.parent_id and account.parent else None


@dataclass
class _Chart:
    """The chart as it is: accounts by number, and which of them have postings or children."""

    existing: dict[str, Account]
    with_postings: set[str]
    has_children: set[str]

    @classmethod
    def load(cls) -> _Chart:
        return cls(
            existing={a.number: a for a in Account.objects.select_related("parent")},
            with_postings=set(
                JournalLine.objects.values_list("account__number", flat=True).distinct()
            ),
            has_children=set(
                Account.objects.filter(parent__isnull=False).values_list(
                    "parent__number", flat=True
                )
            ),
        )


def _plan_file(
    header: list[str], rows: list[tuple[int, list[str]]], dry_run: bool
) -> tuple[ChartImportResult, list[_Planned]]:
    """Recognize the layout by its header and plan its rows (a wrong header is an error)."""
    lowered = [h.lower() for h in header]
    if {c.lower() for c in UCOA_COLUMNS} <= set(lowered):
        result = ChartImportResult(format="ucoa", dry_run=dry_run)
        return result, _plan_ucoa(rows, header, result)
    if set(SIMPLE_COLUMNS[:3]) <= set(lowered):
        result = ChartImportResult(format="simple", dry_run=dry_run)
        missing = [c for c in SIMPLE_COLUMNS if c not in lowered]
        if missing:
            raise header_error(header, ",".join(SIMPLE_COLUMNS) + "[,net_asset_class]", missing)
        for name in header:
            if name.lower() not in SIMPLE_COLUMNS + SIMPLE_OPTIONAL:
                result.problems.append(Problem(1, name or "(blank)", "unknown column"))
        return result, _plan_simple(rows, header, result)
    expected = (
        ",".join(SIMPLE_COLUMNS)
        + "[,net_asset_class], or the UCOA export "
        + ",".join(UCOA_COLUMNS)
    )
    missing = [c for c in SIMPLE_COLUMNS if c not in lowered]
    raise header_error(header, expected, missing)


def _row_problem(
    p: _Planned, valid: dict[str, _Planned], existing: dict[str, Account]
) -> Problem | None:
    """What is wrong with a planned row on its own (its name is tidied on the way)."""
    if not p.number:
        return Problem(p.row, p.number_col, "the number is missing")
    if not NUMBER_RE.match(p.number):
        return Problem(
            p.row, p.number_col, f"{p.number[:40]!r} is not an account number: {NUMBER_HELP}"
        )
    p.name = " ".join(p.name.split())
    if not p.name:
        return Problem(p.row, p.name_col, "the name is missing")
    if len(p.name) > 200:
        return Problem(p.row, p.name_col, "the name is longer than 200 characters")
    if p.number in valid:
        return Problem(
            p.row, p.number_col, f"the number {p.number} is already on row {valid[p.number].row}"
        )
    current = existing.get(p.number)
    if current is not None and current.type != p.type:
        return Problem(
            p.row,
            p.type_col,
            f"account {p.number} exists as {current.get_type_display().lower()}; "
            f"the file says {AccountType(p.type).label.lower()} (an account's type "
            "cannot change)",
        )
    return None


def _check_rows(
    planned: list[_Planned], existing: dict[str, Account], result: ChartImportResult
) -> dict[str, _Planned]:
    """The rows that pass the row-level checks, by number; the others become problems."""
    valid: dict[str, _Planned] = {}
    for p in planned:
        problem = _row_problem(p, valid, existing)
        if problem is not None:
            result.problems.append(problem)
            continue
        valid[p.number] = p
    return valid


def _parent_type(
    parent: str, valid: dict[str, _Planned], existing: dict[str, Account]
) -> str | None:
    """The type of the parent, from the file or else the chart; None when it is in neither."""
    parent_type: str | None = valid[parent].type if parent in valid else None
    if parent_type is None and parent in existing:
        parent_type = existing[parent].type
    return parent_type


def _moves_under_inactive(
    p: _Planned, parent: str, existing: dict[str, Account], final_parent: dict[str, str | None]
) -> bool:
    """An inactive parent may stay an account's parent, but no account may move under it."""
    if parent not in existing or existing[parent].is_active:
        return False
    current = existing.get(p.number)
    return current is None or final_parent.get(p.number) != _parent_number(current)


def _parent_problem(
    p: _Planned,
    parent: str,
    valid: dict[str, _Planned],
    chart: _Chart,
    final_parent: dict[str, str | None],
) -> str | None:
    """Parents must be known, of the same type, make no loop and not be an account with
    postings (or an inactive account the row moves under)."""
    parent_type = _parent_type(parent, valid, chart.existing)
    if parent_type is None:
        return f"there is no account {parent} in the file or the chart"
    if parent_type != p.type:
        return (
            f"the parent {parent} is {AccountType(parent_type).label.lower()}, "
            f"this account is {AccountType(p.type).label.lower()}: they must match"
        )
    if parent == p.number or _has_cycle(p.number, final_parent):
        return f"the parent {parent} makes a loop in the chart"
    if parent in chart.with_postings and parent not in chart.has_children:
        return f"account {parent} has postings, so it cannot become a header"
    if _moves_under_inactive(p, parent, chart.existing, final_parent):
        return f"the parent {parent} is inactive"
    return None


def _check_parents(
    valid: dict[str, _Planned], chart: _Chart, result: ChartImportResult
) -> dict[str, _Planned]:
    """The valid rows whose parent is fine too, by number; the others become problems."""
    final_parent: dict[str, str | None] = {n: _parent_number(a) for n, a in chart.existing.items()}
    for p in valid.values():
        final_parent[p.number] = p.parent
    ok: dict[str, _Planned] = {}
    for p in valid.values():
        if p.parent is not None:
            problem = _parent_problem(p, p.parent, valid, chart, final_parent)
            if problem is not None:
                result.problems.append(Problem(p.row, p.parent_col, problem))
                continue
        ok[p.number] = p
    return ok


def _changes(p: _Planned, current: Account, layout: str) -> dict[str, dict[str, Any]]:
    """What the row would change in an existing account (the class only in the simple layout)."""
    changes: dict[str, dict[str, Any]] = {}
    if current.name != p.name:
        changes["name"] = {"before": current.name, "after": p.name}
    current_parent = _parent_number(current)
    if current_parent != p.parent:
        changes["parent"] = {"before": current_parent, "after": p.parent}
    if (
        p.net_asset_class is not None
        and layout == "simple"
        and current.net_asset_class != p.net_asset_class
    ):
        changes["net_asset_class"] = {
            "before": current.net_asset_class,
            "after": p.net_asset_class,
        }
    return changes


def _list_changes(
    ok: dict[str, _Planned], existing: dict[str, Account], result: ChartImportResult
) -> None:
    """What would change: accounts created, accounts updated and the count left as they are."""
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
        changes = _changes(p, current, result.format)
        if changes:
            result.updated.append({"row": p.row, "number": p.number, "changes": changes})
        else:
            result.unchanged += 1


def chart_import(
    *, organization: Organization, actor: User, file: Any, dry_run: bool
) -> ChartImportResult:
    header, rows = read_rows(file)
    result, planned = _plan_file(header, rows, dry_run)
    chart = _Chart.load()
    valid = _check_rows(planned, chart.existing, result)
    ok = _check_parents(valid, chart, result)
    _list_changes(ok, chart.existing, result)
    if result.problems:
        result.problems.sort(key=lambda pr: (pr.row or 0, pr.column))
        if dry_run:
            return result
        raise problems_error(result.problems, "chart of accounts")
    if dry_run:
        return result

    _apply_chart(organization, actor, ok, chart.existing, result)
    return result


def _apply_chart(
    organization: Organization,
    actor: User,
    planned: dict[str, _Planned],
    existing: dict[str, Account],
    result: ChartImportResult,
) -> None:
    user = actor if getattr(actor, "is_authenticated", False) else None
    accounts: dict[str, Account] = dict(existing)
    created_numbers = {c["number"] for c in result.created}
    updates = {u["number"]: u["changes"] for u in result.updated}
    cash = Account.objects.filter(is_cash=True, parent__isnull=False)
    cash_groups = set(cash.values_list("parent_id", flat=True))

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
            is_cash=_looks_like_cash(p.type, p.name, parent, cash_groups),
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
