"""ISO 20022 CAMT.053 bank-to-customer statements, versions .001.02 to .001.08 (and later
ones written the same way), with the namespace banks send or with none.

A file that declares a DTD or an entity (the "billion laughs" and external-entity attacks) is
refused before it is parsed; the XML parser then knows no entity but XML's own five and loads
nothing from outside. (defusedxml's parser does the same check while parsing, in Python,
and takes twice as long on a large statement.)
camt.052 (intraday account report) and camt.054 (debit/credit notification) are refused with a
word on what to ask the bank for instead.

Read per statement (`Stmt`): `Acct/Id/IBAN` or `Acct/Id/Othr/Id`, `Acct/Ccy`, the balances
(`Bal`: `OPBD` or `PRCD` opening, `CLBD` closing, `CdtDbtInd` giving their sign, `Dt/Dt` or
`Dt/DtTm`), `FrToDt`. Per entry (`Ntry`, booked ones; pending `PDNG` and `INFO` entries are
left out and counted): `Amt` with its `Ccy`, `CdtDbtInd`, `RvslInd` (a reversal turns the
sign), `BookgDt` (else `ValDt`), `AcctSvcrRef` (else `NtryRef`) → bank_id, `BkTxCd` → kind,
`AddtlNtryInf`; from its transaction details (`NtryDtls/TxDtls`): the counterparty's name
(`RltdPties/Dbtr|Cdtr/Nm`, or `.../Pty/Nm` from version .08) → payee, `RmtInf/Ustrd` → memo,
`Refs/ChqNb`, `Refs/EndToEndId` or the creditor reference → reference. An entry that batches
several transactions is split into one line per `TxDtls` when each has its amount and they add
up to the entry; otherwise it stays one line.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from ifm.banking.statements.checks import ProblemList, check_line_count, check_totals, refuse
from ifm.banking.statements.types import ParsedLine, ParsedStatement
from ifm.banking.statements.values import to_cents

_NAMESPACE = re.compile(r"camt\.(\d{3})\.001\.(\d{2})")
_DECLARATION = re.compile(rb"<!\s*(?:DOCTYPE|ENTITY|ELEMENT|ATTLIST)", re.I)
_DECIMAL = re.compile(r"\s*[+-]?\d+(\.\d+)?\s*")
_OTHER_MESSAGES = {
    "BkToCstmrAcctRpt": (
        "This is a camt.052 account report (the day's movements so far), not a statement: "
        "download the end-of-day statement as camt.053 instead."
    ),
    "BkToCstmrDbtCdtNtfctn": (
        "This is a camt.054 debit/credit notification, not a statement: download the "
        "statement as camt.053 instead."
    ),
}
_OPENING = ("OPBD", "PRCD")
_CLOSING = ("CLBD",)


class _Names(dict[str, tuple[str, ...]]):
    """Paths in the file's namespace, as the qualified tag of each step (`q["Acct/Ccy"]` →
    ("{urn:...}Acct", "{urn:...}Ccy")). Elements are found one step at a time: a find by one
    tag runs in C, a path with slashes in Python's ElementPath, several times slower."""

    def __init__(self, namespace: str) -> None:
        super().__init__()
        self.prefix = f"{{{namespace}}}" if namespace else ""

    def __missing__(self, path: str) -> tuple[str, ...]:
        steps = self[path] = tuple(self.prefix + step for step in path.split("/"))
        return steps


def _find(element: ET.Element | None, steps: tuple[str, ...]) -> ET.Element | None:
    for step in steps:
        if element is None:
            return None
        element = element.find(step)
    return element


def _text(element: ET.Element | None, steps: tuple[str, ...]) -> str | None:
    for step in steps:
        if element is None:
            return None
        element = element.find(step)
    return None if element is None else (element.text or "")


def _all(element: ET.Element | None, steps: tuple[str, ...]) -> list[ET.Element]:
    parent = _find(element, steps[:-1])
    return [] if parent is None else parent.findall(steps[-1])


@dataclass
class _Stmt:
    account: str = ""
    currency: str = ""
    lines: list[ParsedLine] = field(default_factory=list)
    opening: Decimal | None = None
    closing: Decimal | None = None
    closing_date: date | None = None
    start: date | None = None
    end: date | None = None
    skipped: int = 0


def read_camt(data: bytes) -> ParsedStatement:
    root = _parse(data)
    namespace = root.tag[1:].partition("}")[0] if root.tag.startswith("{") else ""
    q = _Names(namespace)
    body = _message(root, namespace)
    check_line_count(sum(1 for _ in body.iter(q["Ntry"][0])))
    problems = ProblemList()
    numbers = iter(range(1, 1_000_000_000))
    statements = [_statement(stmt, q, numbers, problems) for stmt in _all(body, q["Stmt"])]
    if not statements:
        problems.add("file", "Stmt", "The CAMT file holds no statement (Stmt).")
    problems.raise_if_any()
    return _merged(statements, problems)


def _parse(data: bytes) -> ET.Element:
    """The element tree of a file without a DTD. Declarations are looked for in the whole
    file (UTF-16 files without their NUL bytes) before parsing, so nothing is ever expanded;
    without a DTD the parser knows no entity but the five of XML and fetches nothing."""
    probe = data.replace(b"\x00", b"") if b"\x00" in data[:512] else data
    if _DECLARATION.search(probe):
        raise refuse(
            "The XML file declares a DTD or entities, which statements never need and which "
            "can be used to attack the server: it is refused. Download the statement again.",
            field="DOCTYPE",
        )
    try:
        return ET.fromstring(data)  # noqa: S314 - DTDs and entities refused above
    except ET.ParseError as exc:
        line, column = getattr(exc, "position", (0, 0))
        raise refuse(
            f"The XML is not well formed at line {line}, column {column}: the file is damaged "
            "or incomplete. Download it again.",
            where=f"line {line}",
            field="XML",
        ) from None


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _message(root: ET.Element, namespace: str) -> ET.Element:
    match = _NAMESPACE.search(namespace)
    children = list(root) if _local(root.tag) == "Document" else [root]
    message = children[0] if children else root
    name = _local(message.tag)
    if name in _OTHER_MESSAGES or (match and match[1] in ("052", "054")):
        raise refuse(
            _OTHER_MESSAGES.get(
                name,
                f"This is a camt.{match[1] if match else ''} message, not a camt.053 statement.",
            ),
            field="Document",
        )
    if name != "BkToCstmrStmt" or (match and match[1] != "053"):
        raise refuse(
            "The XML file is not an ISO 20022 camt.053 bank statement (no BkToCstmrStmt).",
            field="Document",
        )
    return message


def _statement(stmt: ET.Element, q: _Names, numbers: Iterator[int], problems: ProblemList) -> _Stmt:
    result = _Stmt()
    result.account = (
        _text(stmt, q["Acct/Id/IBAN"]) or _text(stmt, q["Acct/Id/Othr/Id"]) or ""
    ).strip()
    result.currency = (_text(stmt, q["Acct/Ccy"]) or "").strip().upper()
    period = _find(stmt, q["FrToDt"])
    if period is not None:
        result.start = _day(_text(period, q["FrDtTm"]))
        result.end = _day(_text(period, q["ToDtTm"]))
    for balance in _all(stmt, q["Bal"]):
        _balance(balance, q, result, problems)
    for entry in _all(stmt, q["Ntry"]):
        number = next(numbers)
        result.lines.extend(_entry(entry, q, f"entry {number}", result, problems))
    return result


def _balance(balance: ET.Element, q: _Names, result: _Stmt, problems: ProblemList) -> None:
    code = (
        (_text(balance, q["Tp/CdOrPrtry/Cd"]) or _text(balance, q["Tp/CdOrPrtry/Prtry"]) or "")
        .strip()
        .upper()
    )
    if code not in _OPENING + _CLOSING:
        return
    amount = _signed(balance, q, f"balance {code}", problems)
    if amount is None:
        return
    if code in _OPENING and result.opening is None:
        result.opening = amount
    elif code in _CLOSING:
        result.closing = amount
        result.closing_date = _day(_text(balance, q["Dt/Dt"]) or _text(balance, q["Dt/DtTm"]))


def _signed(element: ET.Element, q: _Names, where: str, problems: ProblemList) -> Decimal | None:
    """The element's `Amt`, negative when its `CdtDbtInd` is DBIT."""
    raw = _text(element, q["Amt"])
    indicator = (_text(element, q["CdtDbtInd"]) or "").strip().upper()
    if raw is None or not _DECIMAL.fullmatch(raw):
        problems.add(where, "Amt", f"{(raw or '').strip()[:40]!r} is not an amount.")
        return None
    if indicator not in ("CRDT", "DBIT"):
        problems.add(where, "CdtDbtInd", "CdtDbtInd must be CRDT (credit) or DBIT (debit).")
        return None
    try:
        amount = to_cents(Decimal(raw.strip()))
    except InvalidOperation:  # pragma: no cover - the pattern admits only numbers
        problems.add(where, "Amt", f"{raw.strip()[:40]!r} is not an amount.")
        return None
    return -amount if indicator == "DBIT" else amount


@lru_cache(maxsize=4096)
def _day_text(text: str) -> date:
    return date.fromisoformat(text.strip()[:10])


def _day(text: str | None) -> date | None:
    if not text or not text.strip():
        return None
    try:
        return _day_text(text)
    except ValueError:
        return None


def _entry(
    entry: ET.Element, q: _Names, where: str, stmt: _Stmt, problems: ProblemList
) -> list[ParsedLine]:
    status = (_text(entry, q["Sts/Cd"]) or _text(entry, q["Sts"]) or "BOOK").strip().upper()
    if status not in ("BOOK", ""):
        stmt.skipped += 1
        return []
    amount = _signed(entry, q, where, problems)
    booked = _text(entry, q["BookgDt/Dt"]) or _text(entry, q["BookgDt/DtTm"])
    valued = _text(entry, q["ValDt/Dt"]) or _text(entry, q["ValDt/DtTm"])
    when = _day(booked or valued)
    if when is None:
        problems.add(where, "BookgDt", f"The entry has no date or an unreadable one ({booked!r}).")
    amount_element = _find(entry, q["Amt"])
    currency = amount_element.get("Ccy", "") if amount_element is not None else ""
    if stmt.currency and currency and currency.upper() != stmt.currency:
        problems.add(where, "Amt", f"The entry is in {currency}, the account in {stmt.currency}.")
    if amount is None or when is None:
        return []
    if (_text(entry, q["RvslInd"]) or "").strip().lower() in ("true", "1"):
        amount = -amount  # a reversal books the opposite of its CdtDbtInd
    head = _Head(
        date=when,
        amount=amount,
        bank_id=(_text(entry, q["AcctSvcrRef"]) or _text(entry, q["NtryRef"]) or "").strip(),
        kind=_kind(entry, q),
        info=_clean(_text(entry, q["AddtlNtryInf"])),
        where=where,
    )
    details = [
        detail for group in _all(entry, q["NtryDtls"]) for detail in _all(group, q["TxDtls"])
    ]
    parts = _parts(details, q, head) if len(details) > 1 else None
    if parts is not None:
        return parts
    if len(details) == 1:
        return [_line(details[0], q, head, head.amount, head.bank_id, where)]
    return [
        ParsedLine(
            date=when,
            amount=amount,
            memo=head.info,
            bank_id=head.bank_id,
            kind=head.kind,
            where=where,
        )
    ]


@dataclass(frozen=True)
class _Head:
    date: date
    amount: Decimal
    bank_id: str
    kind: str
    info: str
    where: str


def _kind(entry: ET.Element, q: _Names) -> str:
    domain = _find(entry, q["BkTxCd/Domn"])
    if domain is not None:
        codes = [
            _text(domain, q["Cd"]),
            _text(domain, q["Fmly/Cd"]),
            _text(domain, q["Fmly/SubFmlyCd"]),
        ]
        return "/".join(c.strip() for c in codes if c and c.strip())[:40]
    return _clean(_text(entry, q["BkTxCd/Prtry/Cd"]))[:40]


def _parts(details: list[ET.Element], q: _Names, head: _Head) -> list[ParsedLine] | None:
    """One line per TxDtls when each has an amount and they add up to the entry."""
    amounts = []
    for detail in details:
        amount_element = (
            _find(detail, q["Amt"])
            if _find(detail, q["Amt"]) is not None
            else _find(detail, q["AmtDtls/TxAmt/Amt"])
        )
        raw = amount_element.text if amount_element is not None else None
        if raw is None or not _DECIMAL.fullmatch(raw):
            return None
        indicator = (_text(detail, q["CdtDbtInd"]) or "").strip().upper()
        value = to_cents(Decimal(raw.strip()))
        if indicator == "DBIT" or (not indicator and head.amount < 0):
            value = -value
        amounts.append(value)
    if sum(amounts, Decimal("0")) != head.amount:
        return None
    lines = []
    for k, (detail, amount) in enumerate(zip(details, amounts, strict=True), start=1):
        own_id = (_text(detail, q["Refs/AcctSvcrRef"]) or "").strip()
        bank_id = (
            own_id
            if own_id and own_id != head.bank_id
            else (f"{head.bank_id}/{k}" if head.bank_id else "")
        )
        lines.append(_line(detail, q, head, amount, bank_id, f"{head.where}, part {k}"))
    return lines


def _line(
    detail: ET.Element, q: _Names, head: _Head, amount: Decimal, bank_id: str, where: str
) -> ParsedLine:
    party = "Dbtr" if amount > 0 else "Cdtr"
    payee = (
        _text(detail, q[f"RltdPties/{party}/Nm"])
        or _text(detail, q[f"RltdPties/{party}/Pty/Nm"])
        or _text(detail, q[f"RltdPties/Ultmt{party}/Nm"])
        or _text(detail, q[f"RltdPties/Ultmt{party}/Pty/Nm"])
    )
    unstructured = " ".join(
        text for text in (_clean(u.text) for u in _all(detail, q["RmtInf/Ustrd"])) if text
    )
    memo = unstructured or _clean(_text(detail, q["AddtlTxInf"])) or head.info
    reference = ""
    for path in ("Refs/ChqNb", "Refs/EndToEndId", "RmtInf/Strd/CdtrRefInf/Ref", "Refs/InstrId"):
        value = _clean(_text(detail, q[path]))
        if value and value.upper() != "NOTPROVIDED":
            reference = value
            break
    return ParsedLine(
        date=head.date,
        amount=amount,
        payee=_clean(payee),
        memo=memo,
        reference=reference,
        bank_id=bank_id,
        kind=head.kind,
        where=where,
    )


def _clean(text: str | None) -> str:
    if not text:
        return ""
    return " ".join(text.split())


def _merged(statements: list[_Stmt], problems: ProblemList) -> ParsedStatement:
    accounts = sorted({s.account for s in statements if s.account})
    if len(accounts) > 1:
        raise refuse(
            f"The file holds statements for {len(accounts)} accounts ({', '.join(accounts)}): "
            "export one account per file and import each into its bank account.",
            field="Acct",
        )
    currencies = sorted({s.currency for s in statements if s.currency})
    if len(currencies) > 1:
        raise refuse(
            f"The file's statements are in different currencies ({', '.join(currencies)}).",
            field="Ccy",
        )
    if len(statements) > 1:
        for number, stmt in enumerate(statements, start=1):
            part = ParsedStatement(
                "camt", stmt.lines, opening_balance=stmt.opening, closing_balance=stmt.closing
            )
            check_totals(part, problems, where=f"statement {number}")
        problems.raise_if_any()
    first, last = statements[0], statements[-1]
    starts = [s.start for s in statements if s.start]
    ends = [s.end for s in statements if s.end]
    skipped = sum(s.skipped for s in statements)
    return ParsedStatement(
        format="camt",
        lines=[line for s in statements for line in s.lines],
        account_number=accounts[0] if accounts else "",
        currency=currencies[0] if currencies else "",
        opening_balance=first.opening,
        closing_balance=last.closing,
        closing_balance_date=last.closing_date,
        start_date=min(starts) if starts else None,
        end_date=max(ends) if ends else None,
        notes=[f"{skipped} entries not yet booked (pending) were left out."] if skipped else [],
    )
