"""Real files from several banks, read as they are. The expected counts and sums were taken
from the files by hand (each TRNAMT, each Debit and Credit cell), not from the reader."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from ifm.banking.statements import ColumnProfile, parse_statement

REALDATA = Path(__file__).parent / "fixtures" / "realdata"

LLOYDS = ColumnProfile(
    date_column="Transaction Date",
    date_format="%d/%m/%Y",
    debit_column="Debit Amount",
    credit_column="Credit Amount",
    payee_column="Transaction Description",
    reference_column="Transaction Type",
)


def _read(name: str, profile: ColumnProfile | None = None):
    return parse_statement((REALDATA / name).read_bytes(), filename=name, profile=profile)


@pytest.mark.parametrize(
    ("name", "count", "total", "account", "currency", "closing", "closing_date"),
    [
        ("anzcc.ofx", 1, "-5.50", "1234123412341234", "AUD", "-123.45", date(2017, 5, 10)),
        ("suncorp.ofx", 1, "-16.85", "123456789", "AUD", "1234.12", date(2013, 12, 15)),
        ("bank_medium.ofx", 3, "-345.27", "12300 000012345678", "CAD", "382.34", date(2009, 5, 23)),
        # -1500.0000 +115.8331 -197.1063 -197.1220: each line in cents, -1778.40 (the file's
        # four-decimal total is -1778.3952).
        ("fidelity-savings.ofx", 4, "-1778.40", "X0000001", "USD", None, None),
        ("ofx-v102-empty-tags.ofx", 1, "12.34", "12345678", "", None, None),
    ],
)
def test_each_real_ofx_file_reads_with_its_count_sum_and_balance(
    name, count, total, account, currency, closing, closing_date
):
    statement = _read(name)

    assert statement.format == "ofx"
    assert len(statement.lines) == count
    assert sum(line.amount for line in statement.lines) == Decimal(total)
    assert statement.account_number == account
    assert statement.currency == currency
    assert statement.closing_balance == (Decimal(closing) if closing else None)
    assert statement.closing_balance_date == closing_date
    assert statement.opening_balance is None


def test_the_canadian_sgml_file_keeps_payees_ids_and_local_dates():
    statement = _read("bank_medium.ofx")

    first, check, _ = statement.lines
    assert first.date == date(2009, 4, 1)  # 20090401122017.000[-5:EST]: the day as written
    assert first.payee == "MCDONALD'S #112"
    assert first.memo == "POS MERCHANDISE;MCDONALD'S #112"
    assert first.bank_id == "0000123456782009040100001"
    assert first.kind == "POS"
    assert check.kind == "CHECK"
    assert check.reference == ""  # CHECKNUM 0: no check number
    assert (statement.start_date, statement.end_date) == (date(2009, 4, 1), date(2009, 5, 23))


def test_fidelity_cash_lines_of_an_investment_statement_keep_their_check_number():
    statement = _read("fidelity-savings.ofx")

    assert [line.reference for line in statement.lines] == ["0000001001", "", "", ""]
    assert [line.amount for line in statement.lines] == [
        Decimal("-1500.00"),
        Decimal("115.83"),
        Decimal("-197.11"),
        Decimal("-197.12"),
    ]
    assert statement.lines[1].payee == "TRANSFERRED FROM VS X10-08144"


def test_suncorp_cdata_values_are_read_as_text():
    (line,) = _read("suncorp.ofx").lines

    assert line.payee == "EFTPOS WDL HANDYWAY ALDI STORE"
    assert line.memo == "EFTPOS WDL HANDYWAY ALDI STORE GEELONG WEST VICAU"
    assert line.bank_id == "1"


def test_the_empty_tags_file_reads_without_its_empty_values():
    statement = _read("ofx-v102-empty-tags.ofx")

    (line,) = statement.lines
    assert line.bank_id == ""  # <FITID></FITID>
    assert line.payee == ""  # <NAME></NAME>
    assert line.kind == "CREDIT"  # written "Credit"
    assert line.memo == "CBA:Transfer"
    assert line.date == date(2018, 5, 7)


def test_the_lloyds_csv_reads_with_debit_and_credit_columns():
    statement = _read("sample-statement.csv", LLOYDS)

    assert statement.format == "csv"
    assert len(statement.lines) == 12
    # Debit Amount cells add up to 6381.99, Credit Amount cells to 2500.
    assert sum(line.amount for line in statement.lines) == Decimal("-3881.99")
    first = statement.lines[0]
    assert (first.date, first.amount, first.reference) == (
        date(2024, 1, 15),
        Decimal("-8.99"),
        "DEB",
    )
    assert first.payee == "ACME STORE CD 1417 14JAN24"
    assert statement.lines[3].amount == Decimal("2000.00")
    assert statement.lines[0].where == "row 2"


def test_the_lloyds_running_balance_is_checked_and_its_one_slip_named():
    """The file's Balance column disagrees with its amounts once: row 6's balance (6029.49)
    counts row 7's 4.12 a second time (6039.58 - 5.97 would be 6033.61). Read with the
    Balance column, the lines import as the bank listed them, the slip is a note naming the
    row, and the closing balance is the newest line's (2040.59), as the bank wrote it."""
    profile = ColumnProfile(**{**LLOYDS.__dict__, "balance_column": "Balance"})

    statement = _read("sample-statement.csv", profile)

    assert len(statement.lines) == 12
    assert sum(line.amount for line in statement.lines) == Decimal("-3881.99")
    (note,) = statement.notes
    assert note.startswith("The bank's balance column slips at row 6")
    assert "6029.49" in note
    assert "-4.12" in note
    assert statement.closing_balance == Decimal("2040.59")
    assert statement.closing_balance_date == date(2024, 1, 15)
    assert statement.opening_balance is None
