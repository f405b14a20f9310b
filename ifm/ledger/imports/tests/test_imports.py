"""CSV imports: the real UCOA/Banana chart export, the simple layout, opening balances."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from ifm.audit.models import AuditEvent
from ifm.core.errors import ServiceError
from ifm.ledger.balances.selectors import trial_balance
from ifm.ledger.conftest import acct
from ifm.ledger.imports.services import chart_import_csv, opening_balances_import_csv
from ifm.ledger.journal.posting import reverse_entry
from ifm.ledger.models import Account, Fund, JournalEntry, JournalLine, Restriction
from ifm.ledger.periods.services import books_close_through
from ifm.tenancy.models import Membership

FIXTURES = Path(__file__).parent / "fixtures"
BANANA = (FIXTURES / "ucoa_banana_accounts.csv").read_bytes()
TODAY = date.today()


@pytest.fixture
def ctx(books: Any, cast: dict[str, Any]) -> dict[str, Any]:
    return {
        "organization": books,
        "actor": cast["admin"],
        "access": Membership.objects.get(user=cast["admin"]),
    }


def _state() -> list[tuple[Any, ...]]:
    return list(
        Account.objects.order_by("number").values_list(
            "number", "name", "type", "parent__number", "net_asset_class", "version"
        )
    )


def _parent(number: str) -> str | None:
    parent = acct(number).parent
    return parent.number if parent else None


def _fields(exc: pytest.ExceptionInfo[ServiceError]) -> list[str]:
    return [e["field"] for e in exc.value.errors]


# --- The real UCOA / Banana export ---------------------------------------------------------------


def test_banana_dry_run_writes_nothing_and_reports(ctx: dict[str, Any]) -> None:
    before = _state()
    events = AuditEvent.objects.count()
    result = chart_import_csv(**ctx, file=BANANA, dry_run=True)
    assert result.format == "ucoa"
    assert result.problems == []
    assert _state() == before
    assert AuditEvent.objects.count() == events
    created = {c["number"] for c in result.created}
    assert {"1115", "1300", "1310", "9800", "9930", "3200"} <= created
    # Cost centres, donors and segments at the end are skipped and reported.
    skipped = {s.value: s.reason for s in result.skipped}
    assert {".PRO1", ".PRO2", ";D001", ":100", ":980", "S1", "P", "D"} <= set(skipped)
    # Total groups (Banana's report layout) are not accounts.
    assert {"1", "10", "15", "2-3", "4-5-6", "PL", "00", "3900"} <= set(skipped)
    assert "summary group" in skipped["10"]


def test_banana_import_on_a_fresh_chart(books: Any, ctx: dict[str, Any]) -> None:
    Account.objects.filter(role="").filter(parent__isnull=False).delete()
    result = chart_import_csv(**ctx, file=BANANA, dry_run=False)
    assert result.problems == []
    numbers = set(Account.objects.values_list("number", flat=True))
    details = {"1010", "1115", "2910", "3210", "4520", "5490", "6930", "7580", "8670", "9930"}
    headers = {"1000", "1800", "2800", "3200", "4300", "5300", "6800", "7500", "8600", "9800"}
    assert details | headers <= numbers
    assert not numbers & {"1", "10", "2-3", "PL", "00", ".PRO1", ":100", "S1"}
    a = acct("1115")
    assert (a.name, a.type, _parent("1115")) == ("Doubtful accounts allowance", "asset", "1100")
    assert acct("1600").name == "Fixed operating assets"  # the trailing colon is dropped
    assert acct("1600").parent is None
    assert (acct("2910").type, _parent("2910")) == ("liability", "2800")
    assert (acct("3210").type, _parent("3210")) == ("net_assets", "3200")
    assert acct("3200").net_asset_class == "with_donor_restrictions"
    assert acct("3030").net_asset_class == "without_donor_restrictions"
    assert (acct("4310").type, acct("5370").type, acct("6810").type) == ("revenue",) * 3
    assert (acct("7010").type, acct("8110").type, acct("9810").type) == ("expense",) * 3
    # Every imported header groups accounts of its own type.
    for account in Account.objects.filter(parent__isnull=False).select_related("parent"):
        assert account.parent is not None
        assert account.parent.type == account.type, account
    assert AuditEvent.objects.filter(action="chart.import").count() == 1


def test_banana_import_twice_changes_nothing(books: Any, ctx: dict[str, Any]) -> None:
    first = chart_import_csv(**ctx, file=BANANA, dry_run=False)
    assert first.created
    assert first.updated
    after_first = _state()
    events = AuditEvent.objects.count()
    second = chart_import_csv(**ctx, file=BANANA, dry_run=False)
    assert (second.created, second.updated) == ([], [])
    assert second.unchanged == len(first.created) + len(first.updated) + first.unchanged
    assert _state() == after_first
    # Only the summary event of the second import.
    assert AuditEvent.objects.count() == events + 1


def test_banana_import_keeps_roles_and_updates_names(books: Any, ctx: dict[str, Any]) -> None:
    chart_import_csv(**ctx, file=BANANA, dry_run=False)
    bank = Account.objects.get(role="default_bank")
    assert (bank.number, bank.name) == ("1010", "Cash in bank-operating")
    assert acct("1900").role == "interfund_receivable"  # not in the file: left alone
    assert _parent("5180") == "5100"
    event = AuditEvent.objects.get(action="account.update", object_id=str(bank.pk))
    assert event.changes["name"]["after"] == "Cash in bank-operating"


def test_banana_header_with_postings_is_refused(books: Any, ctx: dict[str, Any]) -> None:
    # 1300 is new in the file and a header there; make an account 1300 with postings first.
    from ifm.ledger.journal.posting import LineInput, post_entry

    account = Account.objects.create(number="1300", name="Other receivables", type="asset")
    general = Fund.objects.get(is_general=True)
    post_entry(
        organization=books,
        actor=None,
        date=TODAY,
        lines=[
            LineInput(account, general, debit=Decimal("1.00")),
            LineInput(acct("4010"), general, credit=Decimal("1.00")),
        ],
    )
    before = _state()
    result = chart_import_csv(**ctx, file=BANANA, dry_run=True)
    assert [(p.row, p.column) for p in result.problems] == [(18, "Gr"), (19, "Gr"), (20, "Gr")]
    assert "has postings" in result.problems[0].message
    with pytest.raises(ServiceError) as exc:
        chart_import_csv(**ctx, file=BANANA, dry_run=False)
    assert _fields(exc) == ["row[18].Gr", "row[19].Gr", "row[20].Gr"]
    assert _state() == before


def test_banana_type_clash_names_row_and_column(books: Any, ctx: dict[str, Any]) -> None:
    Account.objects.create(number="1115", name="Mistyped", type="expense")
    result = chart_import_csv(**ctx, file=BANANA, dry_run=True)
    problem = result.problems[0]
    assert (problem.row, problem.column) == (10, "Account")
    assert "exists as expense" in problem.message


UCOA_ROWS = b"""Group,Account,Description,Gr
,,ASSETS,
,1010,Cash in bank,1000
10,1011,both,
,.seg,segment,
,,Cost centres,
,CC1,cc,
CC,,total cc,
,,ASSETS,
1000,,Cash and equivalents:  ,1
1000,,dup,1
1,,Total assets,
MIX,,Mixed,1
,1095,a,MIX
,,EXPENSES,
,8999,b,MIX
,,Weird section,
,1020,c,1000
,7777,no type,
,,LIABILITIES,
2X,,Loans,2000
,2994,Loan 4,2X
,2993,Loan 3,
"""


def test_ucoa_rows_are_sorted_skipped_and_checked_in_row_order(ctx: dict[str, Any]) -> None:
    result = chart_import_csv(**ctx, file=UCOA_ROWS, dry_run=True)
    number_help = "up to 20 characters: digits, dots and dashes, starting with a digit"
    assert [(p.row, p.column, p.message) for p in result.problems] == [
        (4, "Group", "a row is either a group or an account, not both"),
        (11, "Group", "the group 1000 is already on row 10"),
        (13, "Group", "the group MIX holds accounts of types asset, expense"),
        (14, "Gr", "there is no account MIX in the file or the chart"),
        (16, "Gr", "there is no account MIX in the file or the chart"),
        (
            19,
            "Account",
            "no section row above says the account's type (such as ,,ASSETS, or ,,EXPENSES,)",
        ),
        (21, "Group", f"'2X' is not an account number: {number_help}"),
        (22, "Gr", "there is no account 2X in the file or the chart"),
    ]
    assert [(s.row, s.value) for s in result.skipped] == [
        (5, ".seg"),
        (7, "CC1"),
        (8, "CC"),
        (12, "1"),
    ]
    assert result.created == [
        {"row": 23, "number": "2993", "name": "Loan 3", "type": "liability", "parent": None}
    ]
    assert [(u["row"], u["number"], u["changes"]) for u in result.updated] == [
        (10, "1000", {"name": {"before": "Cash", "after": "Cash and equivalents"}}),
        (3, "1010", {"name": {"before": "Cash in bank - operating", "after": "Cash in bank"}}),
        (18, "1020", {"name": {"before": "Cash in bank - payroll", "after": "c"}}),
    ]


UCOA_NET_ASSETS = b"""Group,Account,Description,Gr
,,NET ASSETS,
39,,Restricted reserves:,
,3999,Reserve,39
,3998,Board designated,39
,3997,Plain,
,,LIABILITIES,
29,,Loans,2000
,2991,Loan,29
,,Anything,
,1096,Unknown type,1000
"""


def test_ucoa_headers_parents_and_net_asset_classes(books: Any, ctx: dict[str, Any]) -> None:
    result = chart_import_csv(**ctx, file=UCOA_NET_ASSETS, dry_run=False)
    assert [(c["number"], c["parent"], c["type"]) for c in result.created] == [
        ("39", None, "net_assets"),
        ("29", "2000", "liability"),
        ("3999", "39", "net_assets"),
        ("3998", "39", "net_assets"),
        ("3997", None, "net_assets"),
        ("2991", "29", "liability"),
        ("1096", "1000", "asset"),
    ]
    assert {n: acct(n).net_asset_class for n in ("39", "3999", "3998", "3997", "2991")} == {
        "39": "with_donor_restrictions",
        "3999": "with_donor_restrictions",
        "3998": "without_donor_restrictions",
        "3997": "",
        "2991": "",
    }
    assert acct("39").name == "Restricted reserves"
    assert AuditEvent.objects.filter(action="account.create").count() == 7
    event = AuditEvent.objects.get(action="chart.import")
    assert event.changes == {
        "format": "ucoa",
        "created": 7,
        "updated": 0,
        "unchanged": 0,
        "skipped": 0,
    }


# --- The simple layout ---------------------------------------------------------------------------

SIMPLE = b"""number,name,type,parent_number,net_asset_class
1080,Cash held by partners,asset,1000,
3300,Board reserves,net_assets,,without_donor_restrictions
3310,Operating reserve,net_assets,3300,
8700,Depreciation,expense,,
8710,Depreciation - equipment,expense,8700,
"""


def test_simple_layout_creates_with_parents_in_any_order(books: Any, ctx: dict[str, Any]) -> None:
    data = (
        b"number,name,type,parent_number\n"
        b"8711,Vehicles depreciation,expense,8701\n"
        b"8701,Depreciation,Expense,\n"
    )
    result = chart_import_csv(**ctx, file=data, dry_run=False)
    assert result.format == "simple"
    assert acct("8711").parent == acct("8701")
    result = chart_import_csv(**ctx, file=SIMPLE, dry_run=False)
    assert {c["number"] for c in result.created} == {"1080", "3300", "3310", "8700", "8710"}
    assert acct("1080").parent == acct("1000")
    # Filed beside the bank accounts: a cash account, offered where money is deposited or paid.
    assert acct("1080").is_cash
    assert not acct("8700").is_cash
    assert acct("3300").net_asset_class == "without_donor_restrictions"
    again = chart_import_csv(**ctx, file=SIMPLE, dry_run=False)
    assert (again.created, again.updated, again.unchanged) == ([], [], 5)


def test_imported_cash_accounts_are_told_by_their_group_or_name(
    books: Any, ctx: dict[str, Any]
) -> None:
    data = (
        b"number,name,type,parent_number\n"
        b"1960,Other assets,asset,\n"
        b"1961,Second Bank checking,asset,1960\n"
        b"1962,Petty cash - youth office,asset,1960\n"
        b"1963,Prepaid insurance,asset,1960\n"
        b"1964,Cash surrender value,asset,1960\n"
        b"8960,Bank charges,expense,\n"
    )
    chart_import_csv(**ctx, file=data, dry_run=False)
    cash = set(Account.objects.filter(is_cash=True).values_list("number", flat=True))
    assert {"1961", "1962"} <= cash
    # Not by sharing a group with an account this import itself judged to be cash.
    assert not {"1960", "1963", "1964", "8960"} & cash


def test_simple_layout_lists_every_problem(books: Any, ctx: dict[str, Any]) -> None:
    data = (
        b"number,name,type,parent_number,colour\n"
        b"10x0,Bad number,asset,,\n"  # row 2
        b"1081,,asset,,\n"  # row 3: no name
        b"1082,Wrong type,assets-ish,,\n"  # row 4
        b"1083,Wrong parent type,asset,2000,\n"  # row 5
        b"1084,Unknown parent,asset,1999,\n"  # row 6
        b"1085,Fine,asset,1000,\n"  # row 7
        b"1085,Duplicate,asset,1000,\n"  # row 8
        b"4010,Type clash,expense,,\n"  # row 9
    )
    before = _state()
    result = chart_import_csv(**ctx, file=data, dry_run=True)
    assert [(p.row, p.column) for p in result.problems] == [
        (1, "colour"),
        (2, "number"),
        (3, "name"),
        (4, "type"),
        (5, "parent_number"),
        (6, "parent_number"),
        (8, "number"),
        (9, "type"),
    ]
    with pytest.raises(ServiceError) as exc:
        chart_import_csv(**ctx, file=data, dry_run=False)
    assert len(exc.value.errors) == 8
    assert exc.value.errors[1] == {
        "field": "row[2].number",
        "message": "Row 2, column number: '10x0' is not an account number: up to 20 "
        "characters: digits, dots and dashes, starting with a digit",
    }
    assert _state() == before  # all or nothing: row 7 was fine but nothing was written


def test_simple_layout_name_class_and_parent_problems(books: Any, ctx: dict[str, Any]) -> None:
    from ifm.ledger.journal.posting import LineInput, post_entry

    Account.objects.filter(number="1040").update(is_active=False)
    general = Fund.objects.get(is_general=True)
    post_entry(
        organization=books,
        actor=None,
        date=TODAY,
        lines=[
            LineInput(acct("1020"), general, debit=Decimal("1.00")),
            LineInput(acct("4010"), general, credit=Decimal("1.00")),
        ],
    )
    data = (
        b"number,name,type,parent_number,net_asset_class\n"
        b",No number,asset,,\n"  # row 2
        b'1086,"  Spaced   name ",asset,1000,\n'  # row 3
        b"1087," + b"x" * 201 + b",asset,,\n"  # row 4
        b"3010,Renamed net assets,net_assets,,with_donor_restrictions\n"  # row 5
        b"1010,Cash in bank - operating,asset,1086,\n"  # row 6
        b"1088,Under inactive,asset,1040,\n"  # row 7
        b"3320,Bad class,net_assets,,nope\n"  # row 8
        b"9000,Self,expense,9000,\n"  # row 9
        b"1099,Under posted,asset,1020,\n"  # row 10
        b"1050,Undeposited funds,asset,1000,\n"  # row 11: unchanged
    )
    result = chart_import_csv(**ctx, file=data, dry_run=True)
    assert [(p.row, p.column, p.message) for p in result.problems] == [
        (2, "number", "the number is missing"),
        (4, "name", "the name is longer than 200 characters"),
        (7, "parent_number", "the parent 1040 is inactive"),
        (
            8,
            "net_asset_class",
            "'nope' is not a class: use without_donor_restrictions or with_donor_restrictions "
            "(or leave it blank)",
        ),
        (9, "parent_number", "the parent 9000 makes a loop in the chart"),
        (10, "parent_number", "account 1020 has postings, so it cannot become a header"),
    ]
    assert result.created == [
        {"row": 3, "number": "1086", "name": "Spaced name", "type": "asset", "parent": "1000"}
    ]
    assert [(u["number"], u["changes"]) for u in result.updated] == [
        (
            "3010",
            {
                "name": {"before": "Unrestricted net assets", "after": "Renamed net assets"},
                "parent": {"before": "3000", "after": None},
                "net_asset_class": {
                    "before": "without_donor_restrictions",
                    "after": "with_donor_restrictions",
                },
            },
        ),
        ("1010", {"parent": {"before": "1000", "after": "1086"}}),
    ]
    assert result.unchanged == 1


def test_loop_in_file_is_refused(ctx: dict[str, Any]) -> None:
    data = b"number,name,type,parent_number\n8801,A,expense,8802\n8802,B,expense,8801\n"
    result = chart_import_csv(**ctx, file=data, dry_run=True)
    assert {(p.row, p.column) for p in result.problems} == {
        (2, "parent_number"),
        (3, "parent_number"),
    }
    assert "loop" in result.problems[0].message


def test_wrong_columns_name_the_header(ctx: dict[str, Any]) -> None:
    with pytest.raises(ServiceError) as exc:
        chart_import_csv(**ctx, file=b"acct,title\n1,x\n", dry_run=True)
    assert "Row 1" in exc.value.message
    assert "row[1].number" in _fields(exc)


def test_not_utf8_names_row_and_column(ctx: dict[str, Any]) -> None:
    data = "number,name,type,parent_number\n1086,Caf\u00e9 float,asset,1000\n".encode("latin-1")
    with pytest.raises(ServiceError) as exc:
        chart_import_csv(**ctx, file=data, dry_run=True)
    assert _fields(exc) == ["row[2].name"]
    assert "UTF-8" in exc.value.message
    assert not Account.objects.filter(number="1086").exists()


def test_utf8_with_bom_and_semicolons(ctx: dict[str, Any]) -> None:
    data = "\ufeffnumber;name;type;parent_number\n1087;Caf\u00e9 float;asset;1000\n".encode()
    result = chart_import_csv(**ctx, file=data, dry_run=False)
    assert result.problems == []
    assert acct("1087").name == "Caf\u00e9 float"


def test_a_workbook_is_read_like_its_csv(ctx: dict[str, Any]) -> None:
    """The shared reader takes XLSX as well: the same chart rows from a sheet."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["number", "name", "type", "parent_number"])
    sheet.append([1088, "Petty cash (sheet)", "asset", 1000])
    out = io.BytesIO()
    book.save(out)
    result = chart_import_csv(**ctx, file=out.getvalue(), dry_run=False)
    assert result.problems == []
    assert acct("1088").name == "Petty cash (sheet)"


def test_a_malformed_line_names_its_row(ctx: dict[str, Any]) -> None:
    data = b'number,name,type,parent_number\n1089,"Unclosed,asset,1000\n'
    with pytest.raises(ServiceError) as exc:
        chart_import_csv(**ctx, file=data, dry_run=True)
    assert _fields(exc)[0].startswith("row[")
    assert not Account.objects.filter(number="1089").exists()


def test_a_blank_file_is_empty(ctx: dict[str, Any]) -> None:
    for data in (b"", b" \n\n"):
        with pytest.raises(ServiceError) as exc:
            chart_import_csv(**ctx, file=data, dry_run=True)
        assert exc.value.message == "The file is empty."
        assert _fields(exc) == ["file"]


# --- Opening balances ----------------------------------------------------------------------------

OPENING = b"""account_number,fund_code,debit,credit
1010,GEN,"12,500.00",
1070,GEN,5000,
2010,GEN,,1500.00
3010,GEN,,16000.00
1040,GEN,0,0
"""


def test_opening_balances_post_one_entry(books: Any, ctx: dict[str, Any]) -> None:
    dry = opening_balances_import_csv(**ctx, file=OPENING, date=TODAY, dry_run=True)
    assert dry.problems == []
    assert dry.entry_id is None
    assert (dry.lines, dry.total_debit, dry.total_credit) == (
        4,
        Decimal("17500.00"),
        Decimal("17500.00"),
    )
    assert [s.row for s in dry.skipped] == [6]
    assert not JournalEntry.objects.exists()
    result = opening_balances_import_csv(**ctx, file=OPENING, date=TODAY, dry_run=False)
    entry = JournalEntry.objects.get()
    assert (entry.pk, entry.source_type, entry.date) == (result.entry_id, "opening", TODAY)
    tb = trial_balance(as_of=TODAY)
    assert {r.number: (r.debit, r.credit) for r in tb.rows} == {
        "1010": (Decimal("12500.00"), Decimal("0")),
        "1070": (Decimal("5000.00"), Decimal("0")),
        "2010": (Decimal("0"), Decimal("1500.00")),
        "3010": (Decimal("0"), Decimal("16000.00")),
    }
    assert AuditEvent.objects.filter(action="opening_balances.import").count() == 1
    # A second import is refused until the first is reversed.
    with pytest.raises(ServiceError) as exc:
        opening_balances_import_csv(**ctx, file=OPENING, date=TODAY, dry_run=False)
    assert _fields(exc) == ["date"]
    reverse_entry(organization=books, actor=None, entry=entry)
    opening_balances_import_csv(**ctx, file=OPENING, date=TODAY, dry_run=False)
    assert JournalEntry.objects.filter(source_type="opening").count() == 2


def test_opening_balances_across_funds_get_interfund_lines(
    books: Any, ctx: dict[str, Any], restricted: Fund
) -> None:
    data = (
        b"account_number,fund_code,debit,credit\n1010,GEN,1000,\n1010,YOUTH,500,\n3010,GEN,,1500\n"
    )
    result = opening_balances_import_csv(**ctx, file=data, date=TODAY, dry_run=False)
    assert result.interfund == [
        {"fund": "GEN", "difference": Decimal("-500.00")},
        {"fund": "YOUTH", "difference": Decimal("500.00")},
    ]
    lines = JournalLine.objects.filter(entry_id=result.entry_id)
    assert lines.count() == 5
    for fund in (Fund.objects.get(is_general=True), restricted):
        mine = lines.filter(fund=fund)
        assert sum(x.debit for x in mine) == sum(x.credit for x in mine)
    assert restricted.restriction == Restriction.PURPOSE


def test_opening_balances_problems_name_row_and_column(books: Any, ctx: dict[str, Any]) -> None:
    acct("1020").is_active = False
    Account.objects.filter(number="1020").update(is_active=False)
    data = (
        b"account_number,fund_code,debit,credit\n"
        b"9999,GEN,10,\n"  # 2 unknown account
        b"1010,NOPE,10,\n"  # 3 unknown fund
        b"1010,GEN,-5,\n"  # 4 negative
        b"1010,GEN,5,5\n"  # 5 both
        b"1010,GEN,abc,\n"  # 6 not an amount
        b"1000,GEN,10,\n"  # 7 header
        b"1020,GEN,10,\n"  # 8 inactive
        b"1010,GEN,1.005,\n"  # 9 three decimals
    )
    result = opening_balances_import_csv(**ctx, file=data, date=TODAY, dry_run=True)
    assert [(p.row, p.column) for p in result.problems] == [
        (2, "account_number"),
        (3, "fund_code"),
        (4, "debit"),
        (5, "credit"),
        (6, "debit"),
        (7, "account_number"),
        (8, "account_number"),
        (9, "debit"),
    ]
    with pytest.raises(ServiceError):
        opening_balances_import_csv(**ctx, file=data, date=TODAY, dry_run=False)
    assert not JournalEntry.objects.exists()


def test_opening_balances_list_every_problem_of_a_row_and_skip_zero_rows(
    books: Any, ctx: dict[str, Any], restricted: Fund
) -> None:
    Fund.objects.filter(pk=restricted.pk).update(is_active=False)
    data = (
        b"account_number,fund_code,debit,credit,extra\n"
        b"1010,YOUTH,5,,\n"  # 2 inactive fund
        b"1010,gen,5,,\n"  # 3 fine: fund codes match in any case
        b"9999,NOPE,abc,-1,\n"  # 4 four problems
        b"1010,GEN,0,0,\n"  # 5 zero: skipped
        b",GEN,0,0,\n"  # 6 zero but no account: a problem, not skipped
        b"1010,GEN,99999999999999999,,\n"  # 7 too large
        b"1040,GEN,1.005,2.001,\n"  # 8 both columns
        b"1020,GEN,,5,\n"  # 9 fine
    )
    result = opening_balances_import_csv(**ctx, file=data, date=TODAY, dry_run=True)
    assert [(p.row, p.column, p.message) for p in result.problems] == [
        (1, "extra", "unknown column"),
        (2, "fund_code", "fund YOUTH Youth program is inactive"),
        (4, "account_number", "there is no account '9999' in the chart"),
        (4, "credit", "amounts must not be negative: use the other column"),
        (4, "debit", "'abc' is not an amount"),
        (4, "fund_code", "there is no fund 'NOPE'"),
        (6, "account_number", "the account number is missing"),
        (7, "debit", "99999999999999999 is too large"),
        (8, "credit", "2.001 has more than two decimals"),
        (8, "debit", "1.005 has more than two decimals"),
    ]
    assert [(s.row, s.value, s.reason) for s in result.skipped] == [(5, "1010", "zero balance")]
    assert (result.lines, result.total_debit, result.total_credit) == (
        2,
        Decimal("5.00"),
        Decimal("5.00"),
    )
    assert result.entry_id is None
    empty = opening_balances_import_csv(
        **ctx,
        file=b"account_number,fund_code,debit,credit\n1010,GEN,0,0\n",
        date=TODAY,
        dry_run=True,
    )
    assert [(p.row, p.column, p.message) for p in empty.problems] == [
        (None, "", "there are no amounts to import")
    ]
    assert not JournalEntry.objects.exists()


def test_opening_balances_commit_is_audited_with_its_totals(
    books: Any, ctx: dict[str, Any]
) -> None:
    data = b"account_number,fund_code,debit,credit\n1010,gen,1000,\n3010,GEN,,1000\n"
    result = opening_balances_import_csv(**ctx, file=data, date=TODAY, dry_run=False)
    assert (result.entry_id, result.entry_number) == (
        JournalEntry.objects.get().pk,
        JournalEntry.objects.get().number,
    )
    event = AuditEvent.objects.get(action="opening_balances.import")
    assert event.changes == {"date": TODAY.isoformat(), "lines": 2, "total": "1000.00"}
    assert result.interfund == []


def test_opening_balances_must_balance(books: Any, ctx: dict[str, Any]) -> None:
    data = b"account_number,fund_code,debit,credit\n1010,GEN,100,\n3010,GEN,,90\n"
    with pytest.raises(ServiceError) as exc:
        opening_balances_import_csv(**ctx, file=data, date=TODAY, dry_run=False)
    assert "differ by 10.00" in exc.value.message
    assert not JournalEntry.objects.exists()


def test_opening_balances_wrong_columns_and_encoding(books: Any, ctx: dict[str, Any]) -> None:
    with pytest.raises(ServiceError) as exc:
        opening_balances_import_csv(
            **ctx, file=b"account,fund,amount\n1010,GEN,5\n", date=TODAY, dry_run=True
        )
    assert set(_fields(exc)) == {
        f"row[1].{c}" for c in ("account_number", "fund_code", "debit", "credit")
    }
    data = "account_number,fund_code,debit,credit\n1010,G\u00c9N,5,\n".encode("cp1252")
    with pytest.raises(ServiceError) as exc:
        opening_balances_import_csv(**ctx, file=data, date=TODAY, dry_run=True)
    assert _fields(exc) == ["row[2].fund_code"]


def test_opening_balances_in_closed_period(
    books: Any, ctx: dict[str, Any], cast: dict[str, Any]
) -> None:
    from ifm.ledger.periods.selectors import period_for

    period = period_for(TODAY)
    assert period is not None
    books_close_through(
        organization=books, actor=cast["admin"], access=ctx["access"], period=period
    )
    result = opening_balances_import_csv(**ctx, file=OPENING, date=TODAY, dry_run=True)
    assert [p.field for p in result.problems] == ["date"]
    assert not JournalEntry.objects.exists()
