"""CSV and XLSX exports read with a column profile."""

from __future__ import annotations

import io
from datetime import date, datetime
from decimal import Decimal

import pytest
from openpyxl import Workbook

from ifm.banking.statements import ColumnProfile, ParsedLine, StatementError, parse_statement
from ifm.banking.statements.generate import CSV_PROFILE, csv_bytes, xlsx_bytes
from ifm.banking.statements.values import AmountError, text_amount

SIGNED = ColumnProfile(
    date_column="Date", date_format="%m/%d/%Y", amount_column="Amount", payee_column="Payee"
)


def read(text: str, profile: ColumnProfile = SIGNED, encoding: str = "utf-8"):
    return parse_statement(text.encode(encoding), filename="export.csv", profile=profile)


def problems_of(text: str, profile: ColumnProfile = SIGNED):
    with pytest.raises(StatementError) as caught:
        read(text, profile)
    return caught.value.problems


@pytest.mark.parametrize(
    ("written", "value", "decimal_comma"),
    [
        ("-$7,971.39", "-7971.39", False),
        ("$-7,971.39", "-7971.39", False),
        ("$1,234.56-", "-1234.56", False),
        ("(1,234.56)", "-1234.56", False),
        ("1.234,56", "1234.56", True),
        ("-1.234,56", "-1234.56", True),
        ("1 234,56", "1234.56", True),
        ("1\u00a0234,56", "1234.56", True),
        ("1'234.56", "1234.56", False),
        ("12.00 CR", "12.00", False),
        ("12.00 DR", "-12.00", False),
        ("12.00DR", "-12.00", False),
        ("+5", "5.00", False),
        ("\u22123.50", "-3.50", False),
        ("EUR 12,50", "12.50", True),
        ("12.50 USD", "12.50", False),
        ("£0.99", "0.99", False),
    ],
)
def test_amount_spellings(written, value, decimal_comma):
    assert text_amount(written, decimal_comma=decimal_comma) == Decimal(value)


@pytest.mark.parametrize(
    ("written", "said"),
    [
        ("12,50", "set the decimal comma"),
        ("10.005", "more than two decimals"),
        ("--5", "more than one sign"),
        ("-5-", "more than one sign"),
        ("abc", "is not an amount"),
        ("1e5", "is not an amount"),
        ("NaN", "is not an amount"),
        ("9999999999999", "too large"),
    ],
)
def test_amounts_that_are_not(written, said):
    with pytest.raises(AmountError, match=said):
        text_amount(written)


def test_header_rows_above_the_table_are_skipped_and_columns_matched_loosely():
    statement = read(
        "Account statement\nAccount:,12345\n\n  DATE , payee ,AMOUNT\n01/05/2024,Cafe,-3.50\n"
    )
    (line,) = statement.lines
    assert (line.date, line.payee, line.amount, line.where) == (
        date(2024, 1, 5),
        "Cafe",
        Decimal("-3.50"),
        "row 5",
    )


@pytest.mark.parametrize(
    ("delimiter", "encoding", "bom"),
    [(",", "utf-8", ""), (";", "utf-8", "\ufeff"), ("\t", "cp1252", ""), (";", "cp1252", "")],
)
def test_delimiters_and_encodings(delimiter, encoding, bom):
    text = (
        bom
        + delimiter.join(["Date", "Payee", "Amount"])
        + "\n"
        + delimiter.join(["01/05/2024", "Café Müller", '"-1,234.50"'])
        + "\n"
    )
    (line,) = read(text, encoding=encoding).lines
    assert (line.payee, line.amount) == ("Café Müller", Decimal("-1234.50"))


def test_semicolon_file_with_decimal_commas():
    profile = ColumnProfile(
        date_column="Buchungstag",
        date_format="%d.%m.%Y",
        amount_column="Betrag",
        payee_column="Empfänger",
        decimal_comma=True,
    )
    text = (
        "Buchungstag;Empfänger;Betrag\n05.01.2024;Stadtwerke;-1.234,56\n06.01.2024;Spende;50,00\n"
    )
    assert [x.amount for x in read(text, profile).lines] == [Decimal("-1234.56"), Decimal("50.00")]


def test_debit_and_credit_columns_and_blank_rows():
    profile = ColumnProfile(
        date_column="Date",
        date_format="%Y-%m-%d",
        debit_column="Withdrawal",
        credit_column="Deposit",
        memo_column="Memo",
        reference_column="Check",
    )
    text = (
        "Date,Memo,Check,Withdrawal,Deposit\n2024-01-02,Rent,101,1200.00,\n,,,,\n\n"
        "2024-01-03,Gift,,,500\n2024-01-04,Fee,,-2.00,\n"
    )
    lines = read(text, profile).lines
    assert [(x.amount, x.memo, x.reference) for x in lines] == [
        (Decimal("-1200.00"), "Rent", "101"),
        (Decimal("500.00"), "Gift", ""),
        (Decimal("-2.00"), "Fee", ""),
    ]


def test_negated_amounts_for_card_exports():
    profile = ColumnProfile(**{**SIGNED.__dict__, "negate_amounts": True})
    (line,) = read("Date,Payee,Amount\n01/05/2024,Shop,25.00\n", profile).lines
    assert line.amount == Decimal("-25.00")


def test_a_running_balance_is_kept_checked_and_gives_the_balances():
    profile = ColumnProfile(**{**SIGNED.__dict__, "balance_column": "Balance"})
    text = (
        "Date,Payee,Amount,Balance\n01/01/2024,A,10.00,110.00\n01/02/2024,B,-5.00,105.00\n"
        "01/03/2024,C,1.00,106.00\n"
    )
    statement = read(text, profile)
    assert [x.balance for x in statement.lines] == [
        Decimal("110.00"),
        Decimal("105.00"),
        Decimal("106.00"),
    ]
    assert (statement.opening_balance, statement.closing_balance) == (
        Decimal("100.00"),
        Decimal("106.00"),
    )
    assert statement.closing_balance_date == date(2024, 1, 3)

    # One slip in the bank's balance column: the amounts are imported, the slip is a note and
    # only the closing balance (the newest line's, as the bank wrote it) is taken.
    slipped = read(text.replace("105.00", "104.00"), profile)
    assert [x.amount for x in slipped.lines] == [x.amount for x in statement.lines]
    assert len(slipped.notes) == 2
    assert slipped.notes[0].startswith("The bank's balance column slips at row 3")
    assert (slipped.opening_balance, slipped.closing_balance) == (None, Decimal("106.00"))


def test_a_balance_column_that_disagrees_on_most_rows_is_refused():
    """Most rows off: the profile reads the wrong sign, column or separator."""
    profile = ColumnProfile(**{**SIGNED.__dict__, "balance_column": "Balance"})
    text = (
        "Date,Payee,Amount,Balance\n01/01/2024,A,10.00,110.00\n01/02/2024,B,5.00,105.00\n"
        "01/03/2024,C,1.00,104.00\n01/04/2024,D,2.00,102.00\n"
    )
    (problem,) = problems_of(text, profile)
    assert (problem.where, problem.field) == ("file", "balance")
    assert "3 of 3 rows" in problem.message
    assert "sign of withdrawals" in problem.message


def test_newest_first_running_balance():
    profile = ColumnProfile(**{**SIGNED.__dict__, "balance_column": "Balance"})
    text = (
        "Date,Payee,Amount,Balance\n01/03/2024,C,1.00,106.00\n01/02/2024,B,-5.00,105.00\n"
        "01/01/2024,A,10.00,110.00\n"
    )
    statement = read(text, profile)
    assert (statement.opening_balance, statement.closing_balance) == (
        Decimal("100.00"),
        Decimal("106.00"),
    )
    assert statement.closing_balance_date == date(2024, 1, 3)


def test_every_bad_cell_is_reported_with_its_row_and_column():
    text = (
        "Date,Payee,Amount\n01/05/2024,A,1.00\n2024-01-06,B,2.00\n01/07/2024,C,two\n"
        "01/08/2024,D,\n,E,5.00\n"
    )
    problems = problems_of(text)
    assert [(p.where, p.field) for p in problems] == [
        ("row 3", "Date"),
        ("row 4", "Amount"),
        ("row 5", "Amount"),
        ("row 6", "Date"),
    ]
    assert "not a date written MM/DD/YYYY" in problems[0].message


def test_a_missing_column_names_what_the_header_has():
    profile = ColumnProfile(**{**SIGNED.__dict__, "memo_column": "Notes"})
    (problem,) = problems_of("Date,Payee,Amount\n01/05/2024,A,1.00\n", profile)
    assert problem.where == "row 1"
    assert "'Notes'" in problem.message
    assert "'Date', 'Payee', 'Amount'" in problem.message


def test_no_header_row_at_all():
    (problem,) = problems_of("When,Who,How much\n01/05/2024,A,1.00\n")
    assert problem.field == "header"
    assert "'Date', 'Amount'" in problem.message
    assert "'When', 'Who', 'How much'" in problem.message


def test_a_time_after_the_date_is_ignored():
    (line,) = read("Date,Payee,Amount\n01/05/2024 13:45,A,1.00\n").lines
    assert line.date == date(2024, 1, 5)


def test_csv_needs_a_profile():
    with pytest.raises(StatementError, match="column profile"):
        parse_statement(b"Date,Amount\n2024-01-01,1\n")


def test_the_generated_csv_reads_back():
    lines = [
        ParsedLine(
            date(2024, 1, 1), Decimal("-1.50"), payee='Say "hi", & <b>', balance=Decimal("8.50")
        ),
        ParsedLine(date(2024, 1, 2), Decimal("2.00"), payee="Ünïcødé", balance=Decimal("10.50")),
    ]
    statement = parse_statement(csv_bytes(lines), profile=CSV_PROFILE)
    assert [(x.date, x.amount, x.payee, x.balance) for x in statement.lines] == [
        (x.date, x.amount, x.payee, x.balance) for x in lines
    ]


# --- XLSX ---------------------------------------------------------------------------------------


def workbook(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_xlsx_with_title_rows_real_dates_and_numbers():
    lines = [
        ParsedLine(date(2024, 2, 1), Decimal("-7971.39"), payee="Rent", balance=Decimal("100.00")),
        ParsedLine(date(2024, 2, 2), Decimal("0.10"), payee="Interest", balance=Decimal("100.10")),
    ]
    data = xlsx_bytes(lines, title_rows=["Checking account", "Statement for February"])
    statement = parse_statement(data, filename="feb.xlsx", profile=CSV_PROFILE)
    assert statement.format == "xlsx"
    assert [(x.date, x.amount, x.payee, x.balance, x.where) for x in statement.lines] == [
        (date(2024, 2, 1), Decimal("-7971.39"), "Rent", Decimal("100.00"), "row 4"),
        (date(2024, 2, 2), Decimal("0.10"), "Interest", Decimal("100.10"), "row 5"),
    ]


def test_xlsx_text_dates_serial_dates_and_float_noise():
    profile = ColumnProfile(
        date_column="Date", date_format="%d/%m/%Y", amount_column="Amount", decimal_comma=True
    )
    data = workbook(
        [
            ["Date", "Amount"],
            ["05/01/2024", 0.1 + 0.2],
            [45300, "1.234,50"],
            [datetime(2024, 1, 7, 9, 30), -5],
        ]
    )
    lines = parse_statement(data, profile=profile).lines
    assert [(x.date, x.amount) for x in lines] == [
        (date(2024, 1, 5), Decimal("0.30")),
        (date(2024, 1, 9), Decimal("1234.50")),  # serial 45300
        (date(2024, 1, 7), Decimal("-5.00")),
    ]


def test_xlsx_formulas_with_saved_values_are_read_without_running_them():
    book = Workbook()
    sheet = book.active
    sheet.append(["Date", "Amount"])
    sheet.append([date(2024, 1, 5), "=1+1"])  # openpyxl saves no value for a formula
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(StatementError) as caught:
        parse_statement(
            out.getvalue(),
            profile=CSV_PROFILE.__class__(date_column="Date", amount_column="Amount"),
        )
    problems = caught.value.problems
    assert (problems[0].where, problems[0].field) == ("row 2", "B")
    assert "'=1+1' without a saved value" in problems[0].message
