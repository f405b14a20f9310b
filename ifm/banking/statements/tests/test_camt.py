"""CAMT.053: versions, namespaces, entries and their details, balances, and what is refused."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from ifm.banking.statements import ParsedLine, StatementError, parse_statement
from ifm.banking.statements.generate import camt_bytes

VERSIONS = [f"053.001.{n:02d}" for n in range(2, 9)]
LINES = [
    ParsedLine(
        date(2024, 3, 1),
        Decimal("250.00"),
        payee="Ada Donor",
        memo="Gift March",
        reference="E2E-1",
        bank_id="REF1",
    ),
    ParsedLine(
        date(2024, 3, 2),
        Decimal("-40.10"),
        payee="Paper & Co",
        memo="Invoice 7",
        bank_id="REF2",
        kind="PMNT",
    ),
]


def document(
    entries: str,
    *,
    ns: str = "urn:iso:std:iso:20022:tech:xsd:camt.053.001.02",
    balances: str = "",
    account: str = "<IBAN>DE02100100109307118603</IBAN>",
) -> bytes:
    xmlns = f' xmlns="{ns}"' if ns else ""
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><Document{xmlns}><BkToCstmrStmt>'
        "<GrpHdr><MsgId>1</MsgId><CreDtTm>2024-03-31T10:00:00</CreDtTm></GrpHdr>"
        f"<Stmt><Id>S1</Id><Acct><Id>{account}</Id><Ccy>EUR</Ccy></Acct>{balances}{entries}"
        "</Stmt></BkToCstmrStmt></Document>"
    ).encode()


def entry(amount: str, indicator: str = "CRDT", details: str = "", extra: str = "") -> str:
    return (
        f'<Ntry><NtryRef>N1</NtryRef><Amt Ccy="EUR">{amount}</Amt><CdtDbtInd>{indicator}'
        f"</CdtDbtInd>{extra}<Sts>BOOK</Sts><BookgDt><Dt>2024-03-05</Dt></BookgDt>"
        f"<ValDt><Dt>2024-03-06</Dt></ValDt><AcctSvcrRef>ASR-1</AcctSvcrRef>"
        f"<BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly>"
        f"</Domn></BkTxCd>{details}<AddtlNtryInf>SEPA CREDIT</AddtlNtryInf></Ntry>"
    )


def tx(amount: str, name: str, text: str = "", party: str = "Dbtr") -> str:
    return (
        f"<TxDtls><Refs><EndToEndId>E-{name}</EndToEndId></Refs>"
        f'<Amt Ccy="EUR">{amount}</Amt><RltdPties><{party}><Nm>{name}</Nm></{party}>'
        f"</RltdPties><RmtInf><Ustrd>{text}</Ustrd></RmtInf></TxDtls>"
    )


def balance(code: str, amount: str, indicator: str = "CRDT", day: str = "2024-03-31") -> str:
    return (
        f"<Bal><Tp><CdOrPrtry><Cd>{code}</Cd></CdOrPrtry></Tp>"
        f'<Amt Ccy="EUR">{amount}</Amt><CdtDbtInd>{indicator}</CdtDbtInd>'
        f"<Dt><Dt>{day}</Dt></Dt></Bal>"
    )


@pytest.mark.parametrize("version", VERSIONS)
def test_every_version_reads_the_same_lines(version):
    data = camt_bytes(LINES, opening_balance=Decimal("10.00"), version=version)
    statement = parse_statement(data)

    assert statement.format == "camt"
    assert [
        (x.date, x.amount, x.payee, x.memo, x.reference, x.bank_id, x.kind) for x in statement.lines
    ] == [(x.date, x.amount, x.payee, x.memo, x.reference, x.bank_id, x.kind) for x in LINES]
    assert statement.opening_balance == Decimal("10.00")
    assert statement.closing_balance == Decimal("219.90")
    assert statement.currency == "EUR"
    assert statement.account_number == "DE89370400440532013000"


def test_no_namespace_and_a_prefixed_namespace():
    plain = document(entry("5.00"), ns="")
    assert parse_statement(plain).lines[0].amount == Decimal("5.00")
    prefixed = (
        document(entry("5.00"))
        .decode()
        .replace('<Document xmlns="', '<c:Document xmlns:c="')
        .replace("<", "<c:")
        .replace("<c:/", "</c:")
        .replace("<c:?xml", "<?xml")
        .replace("</c:c:", "</c:")
        .replace("<c:c:", "<c:")
    )
    assert parse_statement(prefixed.encode()).lines[0].amount == Decimal("5.00")


def test_entry_fields_from_its_single_transaction_detail():
    (line,) = parse_statement(
        document(entry("99.95", details=f"<NtryDtls>{tx('99.95', 'Bea', 'Thanks')}</NtryDtls>"))
    ).lines

    assert line.date == date(2024, 3, 5)  # booking date, not value date
    assert line.payee == "Bea"
    assert line.memo == "Thanks"
    assert line.reference == "E-Bea"
    assert line.bank_id == "ASR-1"
    assert line.kind == "PMNT/RCDT/ESCT"
    assert line.where == "entry 1"


def test_entry_without_details_keeps_its_additional_information():
    (line,) = parse_statement(document(entry("12.00", "DBIT"))).lines
    assert (line.amount, line.memo, line.payee) == (Decimal("-12.00"), "SEPA CREDIT", "")


def test_debit_counterparty_is_the_creditor():
    details = f"<NtryDtls>{tx('30.00', 'Landlord', party='Cdtr')}</NtryDtls>"
    (line,) = parse_statement(document(entry("30.00", "DBIT", details))).lines
    assert (line.amount, line.payee) == (Decimal("-30.00"), "Landlord")


def test_version_8_party_names_under_pty():
    detail = "<TxDtls><RltdPties><Dbtr><Pty><Nm>New Style</Nm></Pty></Dbtr></RltdPties></TxDtls>"
    data = document(
        entry("1.00", details=f"<NtryDtls>{detail}</NtryDtls>"),
        ns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08",
    )
    assert parse_statement(data).lines[0].payee == "New Style"


def test_a_batch_splits_into_one_line_per_transaction_when_the_parts_add_up():
    details = "<NtryDtls>" + tx("100.00", "Ann") + tx("50.00", "Bob") + "</NtryDtls>"
    lines = parse_statement(document(entry("150.00", details=details))).lines

    assert [(x.amount, x.payee, x.bank_id, x.where) for x in lines] == [
        (Decimal("100.00"), "Ann", "ASR-1/1", "entry 1, part 1"),
        (Decimal("50.00"), "Bob", "ASR-1/2", "entry 1, part 2"),
    ]


def test_a_batch_in_version_2_amount_details_splits_too():
    part = (
        '<TxDtls><AmtDtls><TxAmt><Amt Ccy="EUR">{}</Amt></TxAmt></AmtDtls>'
        "<RltdPties><Dbtr><Nm>{}</Nm></Dbtr></RltdPties></TxDtls>"
    )
    details = f"<NtryDtls>{part.format('1.25', 'A')}{part.format('2.75', 'B')}</NtryDtls>"
    lines = parse_statement(document(entry("4.00", details=details))).lines
    assert [x.amount for x in lines] == [Decimal("1.25"), Decimal("2.75")]


@pytest.mark.parametrize(
    "details",
    [
        tx("100.00", "Ann") + tx("40.00", "Bob"),  # do not add up to 150
        tx("100.00", "Ann") + "<TxDtls><RltdPties><Dbtr><Nm>Bob</Nm></Dbtr></RltdPties></TxDtls>",
    ],
)
def test_a_batch_whose_parts_do_not_add_up_stays_one_line(details):
    (line,) = parse_statement(
        document(entry("150.00", details=f"<NtryDtls>{details}</NtryDtls>"))
    ).lines
    assert (line.amount, line.bank_id) == (Decimal("150.00"), "ASR-1")


def test_balances_open_and_close_and_must_add_up():
    balances = balance("PRCD", "10.00", "DBIT") + balance("CLBD", "140.00")
    statement = parse_statement(document(entry("150.00"), balances=balances))
    assert statement.opening_balance == Decimal("-10.00")
    assert statement.closing_balance == Decimal("140.00")
    assert statement.closing_balance_date == date(2024, 3, 31)

    wrong = balance("OPBD", "10.00") + balance("CLBD", "140.00")
    with pytest.raises(StatementError) as caught:
        parse_statement(document(entry("150.00"), balances=wrong))
    (problem,) = caught.value.problems
    assert problem.field == "closing balance"
    assert "difference of -20.00" in problem.message


def test_an_empty_statement_with_balances_is_read():
    statement = parse_statement(document("", balances=balance("OPBD", "5") + balance("CLBD", "5")))
    assert statement.lines == []
    assert statement.closing_balance == Decimal("5.00")


def test_other_account_id_reversal_and_pending_entries():
    entries = entry("20.00", "DBIT", extra="<RvslInd>true</RvslInd>") + entry("7.00").replace(
        "<Sts>BOOK</Sts>", "<Sts>PDNG</Sts>"
    )
    statement = parse_statement(document(entries, account="<Othr><Id>12345</Id></Othr>"))
    assert statement.account_number == "12345"
    assert [line.amount for line in statement.lines] == [Decimal("20.00")]
    assert statement.notes == ["1 entries not yet booked (pending) were left out."]


def test_date_time_booking_dates_keep_the_day_written():
    data = document(
        entry("1.00").replace("<Dt>2024-03-05</Dt>", "<DtTm>2024-03-05T23:30:00-05:00</DtTm>")
    )
    assert parse_statement(data).lines[0].date == date(2024, 3, 5)


def test_bad_entries_are_all_reported():
    entries = (
        entry("abc")
        + entry("1.00", "XXXX")
        + entry("2.00").replace("2024-03-05", "2024-13-05").replace("2024-03-06", "bad")
    )
    with pytest.raises(StatementError) as caught:
        parse_statement(document(entries))
    assert [(p.where, p.field) for p in caught.value.problems] == [
        ("entry 1", "Amt"),
        ("entry 2", "CdtDbtInd"),
        ("entry 3", "BookgDt"),
    ]


def test_an_entry_in_another_currency_is_a_problem():
    with pytest.raises(StatementError) as caught:
        parse_statement(document(entry("1.00").replace('Ccy="EUR"', 'Ccy="USD"')))
    assert "in USD, the account in EUR" in str(caught.value)


def test_two_accounts_in_one_file_are_refused():
    data = document(entry("1.00")).replace(
        b"</Stmt>",
        b"</Stmt><Stmt><Acct><Id><IBAN>FR7630006000011234567890189</IBAN></Id></Acct></Stmt>",
    )
    with pytest.raises(StatementError) as caught:
        parse_statement(data)
    assert "2 accounts (DE02100100109307118603, FR7630006000011234567890189)" in str(caught.value)


@pytest.mark.parametrize(
    ("root", "ns", "said"),
    [
        ("BkToCstmrAcctRpt", "camt.052.001.02", "camt.052"),
        ("BkToCstmrDbtCdtNtfctn", "camt.054.001.02", "camt.054"),
    ],
)
def test_reports_and_notifications_are_refused_politely(root, ns, said):
    data = (
        f'<?xml version="1.0"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:{ns}">'
        f"<{root}><GrpHdr/></{root}></Document>"
    ).encode()
    with pytest.raises(StatementError) as caught:
        parse_statement(data)
    assert said in str(caught.value)
    assert "camt.053" in str(caught.value)


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>
<Stmt><Ntry><AddtlNtryInf>&lol3;</AddtlNtryInf></Ntry></Stmt></BkToCstmrStmt></Document>"""

EXTERNAL = b"""<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt><Stmt>
<Ntry><AddtlNtryInf>&x;</AddtlNtryInf></Ntry></Stmt></BkToCstmrStmt></Document>"""


@pytest.mark.parametrize(
    "data", [BILLION_LAUGHS, EXTERNAL, BILLION_LAUGHS.decode().encode("utf-16")]
)
def test_dtds_and_entities_are_refused(data):
    with pytest.raises(StatementError) as caught:
        parse_statement(data)
    (problem,) = caught.value.problems
    assert problem.field == "DOCTYPE"
    assert "DTD or entities" in problem.message


def test_truncated_xml_is_refused_with_its_position():
    data = camt_bytes(LINES)[:-40]
    with pytest.raises(StatementError) as caught:
        parse_statement(data)
    (problem,) = caught.value.problems
    assert problem.field == "XML"
    assert problem.where.startswith("line ")
