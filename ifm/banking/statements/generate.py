"""Statement files written from lines, for tests and benchmarks: valid OFX (SGML or XML),
CAMT.053 (versions .001.02 to .001.08), CSV and XLSX files of any size, quickly.

Each writer puts every field of a `ParsedLine` that its format has where the readers look for
it, so `parse_statement(writer(lines))` gives the lines back: OFX has no running balance, CSV
and XLSX only date, payee (the Description column), amount and balance.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal
from xml.sax.saxutils import escape, quoteattr

from openpyxl import Workbook

from ifm.banking.statements.types import ColumnProfile, ParsedLine

CSV_PROFILE = ColumnProfile(
    date_column="Date",
    amount_column="Amount",
    payee_column="Description",
    balance_column="Balance",
)
_OFX_V1_HEADER = (
    "OFXHEADER:100\r\nDATA:OFXSGML\r\nVERSION:102\r\nSECURITY:NONE\r\nENCODING:UTF-8\r\n"
    "CHARSET:NONE\r\nCOMPRESSION:NONE\r\nOLDFILEUID:NONE\r\nNEWFILEUID:NONE\r\n\r\n"
)
_OFX_V2_HEADER = (
    '<?xml version="1.0" encoding="UTF-8" standalone="no"?>\r\n'
    '<?OFX OFXHEADER="200" VERSION="220" SECURITY="NONE" OLDFILEUID="NONE" '
    'NEWFILEUID="NONE"?>\r\n'
)


def _ofx_day(value: date) -> str:
    return value.strftime("%Y%m%d")


def _span(lines: Sequence[ParsedLine], fallback: date | None) -> tuple[date, date]:
    if lines:
        days = [line.date for line in lines]
        return min(days), max(days)
    today = fallback or date(2000, 1, 1)
    return today, today


def ofx_bytes(
    lines: Sequence[ParsedLine],
    *,
    account_number: str = "123456789",
    currency: str = "USD",
    closing_balance: Decimal | None = None,
    closing_date: date | None = None,
    sgml: bool = True,
    credit_card: bool = False,
) -> bytes:
    """An OFX bank (or `credit_card`) statement: OFX 1.02 SGML without end tags on data
    elements, or OFX 2.2 XML."""

    def element(tag: str, value: str) -> str:
        return f"<{tag}>{value}" if sgml else f"<{tag}>{value}</{tag}>"

    start, end = _span(lines, closing_date)
    parts = [_OFX_V1_HEADER if sgml else _OFX_V2_HEADER]
    parts.append(
        "<OFX><SIGNONMSGSRSV1><SONRS><STATUS>"
        + element("CODE", "0")
        + element("SEVERITY", "INFO")
        + "</STATUS>"
        + element("DTSERVER", _ofx_day(end))
        + element("LANGUAGE", "ENG")
        + "</SONRS></SIGNONMSGSRSV1>\n"
    )
    rs, account = ("CCSTMTRS", "CCACCTFROM") if credit_card else ("STMTRS", "BANKACCTFROM")
    messages = "CREDITCARDMSGSRSV1" if credit_card else "BANKMSGSRSV1"
    trnrs = "CCSTMTTRNRS" if credit_card else "STMTTRNRS"
    parts.append(
        f"<{messages}><{trnrs}>"
        + element("TRNUID", "1")
        + "<STATUS>"
        + element("CODE", "0")
        + element("SEVERITY", "INFO")
        + f"</STATUS><{rs}>"
        + element("CURDEF", currency)
        + f"<{account}>"
        + ("" if credit_card else element("BANKID", "000000000"))
        + element("ACCTID", escape(account_number))
        + ("" if credit_card else element("ACCTTYPE", "CHECKING"))
        + f"</{account}><BANKTRANLIST>"
        + element("DTSTART", _ofx_day(start))
        + element("DTEND", _ofx_day(end))
        + "\n"
    )
    parts.extend(_ofx_transaction(line, element) + "\n" for line in lines)
    parts.append("</BANKTRANLIST>")
    if closing_balance is not None:
        parts.append(
            "<LEDGERBAL>"
            + element("BALAMT", str(closing_balance))
            + element("DTASOF", _ofx_day(closing_date or end))
            + "</LEDGERBAL>"
        )
    parts.append(f"</{rs}></{trnrs}></{messages}></OFX>\n")
    return "".join(parts).encode()


def _ofx_transaction(line: ParsedLine, element: Callable[[str, str], str]) -> str:
    kind = line.kind or ("CREDIT" if line.amount > 0 else "DEBIT")
    out = [
        "<STMTTRN>",
        element("TRNTYPE", kind),
        element("DTPOSTED", _ofx_day(line.date)),
        element("TRNAMT", str(line.amount)),
    ]
    if line.bank_id:
        out.append(element("FITID", escape(line.bank_id)))
    if line.reference:
        out.append(
            element(
                "CHECKNUM" if line.reference.strip("0").isdigit() else "REFNUM",
                escape(line.reference),
            )
        )
    if line.payee:
        out.append(element("NAME", escape(line.payee)))
    if line.memo:
        out.append(element("MEMO", escape(line.memo)))
    out.append("</STMTTRN>")
    return "".join(out)


# --- CAMT.053 -------------------------------------------------------------------------------------


def camt_bytes(
    lines: Sequence[ParsedLine],
    *,
    iban: str = "DE89370400440532013000",
    account_number: str = "",
    currency: str = "EUR",
    opening_balance: Decimal | None = None,
    closing_balance: Decimal | None = None,
    version: str = "053.001.02",
) -> bytes:
    """A camt.053 statement in `version` ("053.001.02" ... "053.001.08"), for the IBAN, or for
    `account_number` (as `Othr/Id`) when one is given. With an opening balance and no closing
    one, the closing balance is the opening plus the lines."""
    number = int(version.rsplit(".", 1)[-1])
    if opening_balance is not None and closing_balance is None:
        closing_balance = opening_balance + sum((line.amount for line in lines), Decimal("0"))
    start, end = _span(lines, None)
    account_id = (
        f"<Othr><Id>{escape(account_number)}</Id></Othr>"
        if account_number
        else f"<IBAN>{escape(iban)}</IBAN>"
    )
    ccy = quoteattr(currency)
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.{version}">\n<BkToCstmrStmt>'
        f"<GrpHdr><MsgId>MSG-{end:%Y%m%d}</MsgId><CreDtTm>{end}T18:00:00</CreDtTm></GrpHdr>\n"
        f"<Stmt><Id>STMT-{end:%Y%m%d}</Id><CreDtTm>{end}T18:00:00</CreDtTm>"
        f"<FrToDt><FrDtTm>{start}T00:00:00</FrDtTm><ToDtTm>{end}T23:59:59</ToDtTm></FrToDt>"
        f"<Acct><Id>{account_id}</Id><Ccy>{escape(currency)}</Ccy></Acct>\n"
    ]
    for code, balance, day in (("OPBD", opening_balance, start), ("CLBD", closing_balance, end)):
        if balance is not None:
            parts.append(
                f"<Bal><Tp><CdOrPrtry><Cd>{code}</Cd></CdOrPrtry></Tp>"
                f"<Amt Ccy={ccy}>{abs(balance)}</Amt>"
                f"<CdtDbtInd>{'DBIT' if balance < 0 else 'CRDT'}</CdtDbtInd>"
                f"<Dt><Dt>{day}</Dt></Dt></Bal>\n"
            )
    parts.extend(_camt_entry(line, ccy, number) for line in lines)
    parts.append("</Stmt>\n</BkToCstmrStmt>\n</Document>\n")
    return "".join(parts).encode()


def _camt_entry(line: ParsedLine, ccy: str, version: int) -> str:
    indicator = "DBIT" if line.amount < 0 else "CRDT"
    amount = f"<Amt Ccy={ccy}>{abs(line.amount)}</Amt>"
    status = "<Sts><Cd>BOOK</Cd></Sts>" if version >= 8 else "<Sts>BOOK</Sts>"
    party = "Cdtr" if line.amount < 0 else "Dbtr"
    name = escape(line.payee)
    name = f"<Pty><Nm>{name}</Nm></Pty>" if version >= 8 else f"<Nm>{name}</Nm>"
    detail_amount = (
        f"{amount}<CdtDbtInd>{indicator}</CdtDbtInd>"
        if version >= 4
        else f"<AmtDtls><TxAmt>{amount}</TxAmt></AmtDtls>"
    )
    return (
        f"<Ntry>{amount}<CdtDbtInd>{indicator}</CdtDbtInd>{status}"
        f"<BookgDt><Dt>{line.date}</Dt></BookgDt><ValDt><Dt>{line.date}</Dt></ValDt>"
        + (f"<AcctSvcrRef>{escape(line.bank_id)}</AcctSvcrRef>" if line.bank_id else "")
        + (
            f"<BkTxCd><Prtry><Cd>{escape(line.kind)}</Cd><Issr>BANK</Issr></Prtry></BkTxCd>"
            if line.kind
            else ""
        )
        + "<NtryDtls><TxDtls><Refs>"
        + f"<EndToEndId>{escape(line.reference) or 'NOTPROVIDED'}</EndToEndId></Refs>"
        + detail_amount
        + (f"<RltdPties><{party}>{name}</{party}></RltdPties>" if line.payee else "")
        + (f"<RmtInf><Ustrd>{escape(line.memo)}</Ustrd></RmtInf>" if line.memo else "")
        + "</TxDtls></NtryDtls></Ntry>\n"
    )


# --- CSV and XLSX ---------------------------------------------------------------------------------

CSV_COLUMNS = ("Date", "Description", "Amount", "Balance")


def _table_rows(lines: Sequence[ParsedLine]) -> list[list[object]]:
    return [
        [line.date, line.payee, line.amount, "" if line.balance is None else line.balance]
        for line in lines
    ]


def csv_bytes(lines: Sequence[ParsedLine]) -> bytes:
    """A CSV export with the columns Date (YYYY-MM-DD), Description, Amount, Balance (empty
    when a line has none), read with `CSV_PROFILE`."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    writer.writerows(
        [
            line.date.isoformat(),
            line.payee,
            str(line.amount),
            "" if line.balance is None else str(line.balance),
        ]
        for line in lines
    )
    return out.getvalue().encode()


def xlsx_bytes(lines: Sequence[ParsedLine], *, title_rows: Sequence[str] = ()) -> bytes:
    """A workbook with the CSV columns, dates as real Excel dates and amounts as numbers,
    under optional title rows (as banks put the account's name above the table)."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Statement")
    for title in title_rows:
        sheet.append([title])
    sheet.append(list(CSV_COLUMNS))
    for row in _table_rows(lines):
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
