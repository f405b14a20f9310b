"""OFX quirks, one test each (the names are those in ofx_normalize's docstring), and the
statement-level rules of the OFX reader."""

from __future__ import annotations

import codecs
from datetime import date
from decimal import Decimal

import pytest

from ifm.banking.statements import StatementError, parse_statement
from ifm.banking.statements import ofx_normalize as normalize

V1_HEADER = (
    "OFXHEADER:100\nDATA:OFXSGML\nVERSION:102\nSECURITY:NONE\nENCODING:USASCII\n"
    "CHARSET:1252\nCOMPRESSION:NONE\nOLDFILEUID:NONE\nNEWFILEUID:NONE\n\n"
)
V2_HEADER = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<?OFX OFXHEADER="200" VERSION="220" SECURITY="NONE" OLDFILEUID="NONE" NEWFILEUID="NONE"?>\n'
)
TRN = "<STMTTRN><TRNTYPE>DEBIT<DTPOSTED>20240105<TRNAMT>-12.50<FITID>A1<NAME>Cafe<MEMO>latte"


def ofx(
    transactions: str = TRN,
    *,
    header: str = V1_HEADER,
    extra: str = "",
    rs: str = "STMTRS",
    account: str = "BANKACCTFROM",
    acctid: str = "999",
) -> bytes:
    body = (
        "<OFX><SIGNONMSGSRSV1><SONRS><STATUS><CODE>0<SEVERITY>INFO</STATUS>"
        "<DTSERVER>20240131<LANGUAGE>ENG</SONRS></SIGNONMSGSRSV1>"
        f"<BANKMSGSRSV1><STMTTRNRS><TRNUID>1<STATUS><CODE>0<SEVERITY>INFO</STATUS><{rs}>"
        f"<CURDEF>USD<{account}><BANKID>1<ACCTID>{acctid}<ACCTTYPE>CHECKING</{account}>"
        f"<BANKTRANLIST><DTSTART>20240101<DTEND>20240131{transactions}</BANKTRANLIST>"
        f"<LEDGERBAL><BALAMT>100.00<DTASOF>20240131</LEDGERBAL></{rs}></STMTTRNRS>"
        f"</BANKMSGSRSV1>{extra}</OFX>"
    )
    return (header + body).encode("cp1252")


def one_line(data: bytes):
    (line,) = parse_statement(data).lines
    return line


# --- header and encoding --------------------------------------------------------------------------


def test_header_spacing_blank_lines_spaces_and_lower_case_names():
    header = (
        "\n\n  ofxheader : 100\r\ndata: OFXSGML\r\nversion :102\r\nsecurity:NONE\r\n"
        "encoding:USASCII\r\ncharset:1252\r\ncompression:NONE\r\noldfileuid:NONE\r\n"
        "newfileuid:NONE\r\n"
    )
    assert one_line(ofx(header=header)).amount == Decimal("-12.50")


def test_header_and_body_on_one_line():
    header = V1_HEADER.replace("\n", " ")
    assert one_line(ofx(header=header)).payee == "Cafe"


def test_encoding_charset_1252_reads_accented_payees():
    data = ofx(TRN.replace("Cafe", "Café Noël"))
    assert one_line(data).payee == "Café Noël"


def test_encoding_utf8_bom_and_utf8_text_under_a_1252_header():
    data = codecs.BOM_UTF8 + ofx().replace(b"Cafe", "Caf\u00e9 \u2615".encode())
    assert one_line(data).payee == "Café ☕"


def test_encoding_utf16_with_bom():
    data = ofx(header=V2_HEADER).decode("cp1252").encode("utf-16")
    assert one_line(data).payee == "Cafe"


def test_no_header_starts_at_ofx():
    assert one_line(ofx(header="")).bank_id == "A1"


def test_ofx2_xml_with_end_tags():
    xml = TRN.replace("DEBIT", "DEBIT</TRNTYPE>").replace("latte", "latte</MEMO></STMTTRN>")
    assert one_line(ofx(xml, header=V2_HEADER)).memo == "latte"


# --- body -----------------------------------------------------------------------------------------


def test_junk_after_end_is_dropped():
    data = ofx() + b"\x00\x00<html>junk</html> and more"
    assert one_line(data).amount == Decimal("-12.50")


def test_truncated_file_is_refused_saying_so():
    data = ofx()[:-200]
    with pytest.raises(StatementError) as caught:
        parse_statement(data)
    assert "truncated" in str(caught.value)
    assert caught.value.problems[0].field == "OFX"


def test_cdata_with_markup_inside():
    data = ofx(TRN.replace("Cafe", "<![CDATA[Tom & <Jerry>]]>"))
    assert one_line(data).payee == "Tom & <Jerry>"


def test_comments_inside_the_body():
    data = ofx(TRN.replace("<MEMO>", "<!-- a <comment> --><MEMO>"))
    assert one_line(data).memo == "latte"


def test_lowercase_tags():
    data = ofx(TRN.lower().replace("cafe", "Cafe"))
    line = one_line(data)
    assert (line.payee, line.kind, line.amount) == ("Cafe", "DEBIT", Decimal("-12.50"))


@pytest.mark.parametrize(
    "empty",
    ["<MEMO></MEMO>", "<MEMO>", "<MEMO/>", "<MEMO>   \n"],
)
def test_empty_elements_do_not_swallow_their_siblings(empty):
    transaction = f"<STMTTRN><TRNTYPE>DEBIT{empty}<DTPOSTED>20240105<TRNAMT>-1.00<FITID>X<NAME>Shop"
    line = one_line(ofx(transaction))
    assert (line.memo, line.payee, line.bank_id) == ("", "Shop", "X")


def test_missing_end_tags_between_transactions():
    two = TRN + TRN.replace("A1", "A2")  # no </STMTTRN> at all
    lines = parse_statement(ofx(two)).lines
    assert [line.bank_id for line in lines] == ["A1", "A2"]


def test_stray_end_tags_and_text_after_them():
    transaction = TRN.replace("Cafe", "Cafe</NAME>stray text</FOO>") + "</STMTTRN>junk"
    assert one_line(ofx(transaction)).payee == "Cafe"


def test_literal_lt_in_a_value():
    assert one_line(ofx(TRN.replace("Cafe", "A<B CORP"))).payee == "A<B CORP"


def test_entities_are_unescaped():
    assert one_line(ofx(TRN.replace("Cafe", "AT&amp;T &lt;3"))).payee == "AT&T <3"


def test_unknown_elements_and_aggregates_are_skipped():
    transaction = TRN + "<CATEGORY>Food<INTU.XTRA><SUB>1</INTU.XTRA><ACCTBAL>5.00"
    assert one_line(ofx(transaction)).memo == "latte"


# --- values ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "value"),
    [
        ("12,50", "12.50"),  # COMMA_DECIMAL
        ("+115.83", "115.83"),  # PLUS_SIGN
        ("-00000000001500.0000", "-1500.0000"),  # LEADING_ZEROS
        ("1,234.56", "1234.56"),  # THOUSANDS
        ("-1.234,56", "-1234.56"),
        (" 7 ", "7"),
    ],
)
def test_amount_forms(written, value):
    assert normalize.amount(written) == Decimal(value)


@pytest.mark.parametrize("written", ["NaN", "Infinity", "1e5", "12.5.5", "", "abc", "--1"])
def test_amounts_that_are_not(written):
    with pytest.raises(ValueError):  # noqa: PT011 - the message is tested through the reader
        normalize.amount(written)


@pytest.mark.parametrize(
    ("written", "day"),
    [
        ("20240105", date(2024, 1, 5)),
        ("20240105120000", date(2024, 1, 5)),
        ("20240105120000.000", date(2024, 1, 5)),
        ("20240105000000.000[-3:GMT]", date(2024, 1, 5)),
        ("20240105000000[+10:EST]", date(2024, 1, 5)),  # not moved to the 4th (UTC)
        ("20240105235959[-5:EST]", date(2024, 1, 5)),  # not moved to the 6th (UTC)
        ("20240105000000[0]", date(2024, 1, 5)),
        ("20180804093914:014", date(2018, 8, 4)),
        ("2024-01-05", date(2024, 1, 5)),
    ],
)
def test_date_forms_give_the_day_as_written(written, day):
    assert normalize.day(written) == day


@pytest.mark.parametrize("written", ["2024010", "20241305", "20240230", "yesterday", ""])
def test_dates_that_are_not(written):
    with pytest.raises(ValueError):  # noqa: PT011
        normalize.day(written)


def test_a_bad_amount_and_a_bad_date_are_both_reported_with_their_transaction():
    bad = TRN.replace("-12.50", "twelve") + TRN.replace("20240105", "20241399")
    with pytest.raises(StatementError) as caught:
        parse_statement(ofx(bad))
    problems = caught.value.problems
    assert [(p.where, p.field) for p in problems] == [
        ("transaction 1 (line 11)", "TRNAMT"),
        ("transaction 2 (line 11)", "DTPOSTED"),
    ]
    assert "'twelve' is not an amount" in problems[0].message


def test_missing_amount_and_date_are_problems():
    with pytest.raises(StatementError) as caught:
        parse_statement(ofx("<STMTTRN><TRNTYPE>DEBIT<FITID>1</STMTTRN>"))
    assert {p.field for p in caught.value.problems} == {"DTPOSTED", "TRNAMT"}


# --- statements -----------------------------------------------------------------------------------


def test_bank_statement_fields():
    statement = parse_statement(ofx())
    assert statement.account_number == "999"
    assert statement.currency == "USD"
    assert statement.closing_balance == Decimal("100.00")
    assert statement.closing_balance_date == date(2024, 1, 31)
    assert (statement.start_date, statement.end_date) == (date(2024, 1, 1), date(2024, 1, 31))


def test_credit_card_statement():
    data = ofx(rs="CCSTMTRS", account="CCACCTFROM").replace(b"BANKMSGSRSV1", b"CREDITCARDMSGSRSV1")
    statement = parse_statement(data)
    assert statement.account_number == "999"
    assert len(statement.lines) == 1


def test_payee_aggregate_and_refnum():
    transaction = (
        "<STMTTRN><TRNTYPE>PAYMENT<DTPOSTED>20240105<TRNAMT>-9<FITID>P<REFNUM>R-7"
        "<PAYEE><NAME>City Water<ADDR1>1 Main St<CITY>X<STATE>Y<POSTALCODE>1</PAYEE></STMTTRN>"
    )
    line = one_line(ofx(transaction))
    assert (line.payee, line.reference, line.amount) == ("City Water", "R-7", Decimal("-9.00"))


def test_two_statements_of_one_account_are_read_together():
    second = (
        "<STMTTRNRS><TRNUID>2<STATUS><CODE>0<SEVERITY>INFO</STATUS><STMTRS><CURDEF>USD"
        "<BANKACCTFROM><BANKID>1<ACCTID>999<ACCTTYPE>CHECKING</BANKACCTFROM><BANKTRANLIST>"
        f"<DTSTART>20240201<DTEND>20240229{TRN.replace('A1', 'B1')}</BANKTRANLIST>"
        "<LEDGERBAL><BALAMT>87.50<DTASOF>20240229</LEDGERBAL></STMTRS></STMTTRNRS>"
    )
    data = ofx().replace(b"</STMTTRNRS>", b"</STMTTRNRS>" + second.encode())
    statement = parse_statement(data)
    assert [line.bank_id for line in statement.lines] == ["A1", "B1"]
    assert statement.closing_balance == Decimal("87.50")
    assert statement.end_date == date(2024, 2, 29)


def test_statements_of_two_accounts_are_refused_naming_them():
    second = (
        "<STMTTRNRS><TRNUID>2<STATUS><CODE>0<SEVERITY>INFO</STATUS><STMTRS><CURDEF>USD"
        "<BANKACCTFROM><BANKID>1<ACCTID>555<ACCTTYPE>SAVINGS</BANKACCTFROM><BANKTRANLIST>"
        f"<DTSTART>20240101<DTEND>20240131{TRN}</BANKTRANLIST></STMTRS></STMTTRNRS>"
    )
    data = ofx().replace(b"</STMTTRNRS>", b"</STMTTRNRS>" + second.encode())
    with pytest.raises(StatementError) as caught:
        parse_statement(data)
    assert "2 accounts (555, 999)" in str(caught.value)


def test_an_error_status_instead_of_a_statement():
    data = ofx().replace(
        b"<CODE>0<SEVERITY>INFO</STATUS><STMTRS>",
        b"<CODE>2000<SEVERITY>ERROR<MESSAGE>Try later</STATUS><X>",
    )
    data = data.replace(b"</STMTRS>", b"</X>")
    with pytest.raises(StatementError) as caught:
        parse_statement(data)
    assert "error 2000 (Try later)" in str(caught.value)


def test_a_statement_with_no_transactions_but_a_balance_is_read():
    statement = parse_statement(ofx(""))
    assert statement.lines == []
    assert statement.closing_balance == Decimal("100.00")


def test_a_file_with_no_statement_is_refused():
    data = b"<OFX><SIGNONMSGSRSV1><SONRS><STATUS><CODE>0</STATUS></SONRS></SIGNONMSGSRSV1></OFX>"
    with pytest.raises(StatementError) as caught:
        parse_statement(data)
    assert "no bank or credit card statement" in str(caught.value)
