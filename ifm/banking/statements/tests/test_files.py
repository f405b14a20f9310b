"""Telling formats apart, refusing what is not a statement, and round trips through the
writers (hypothesis): generate → parse gives the same lines, and any bytes give either a
statement or StatementError, never another exception."""

from __future__ import annotations

import io
import zipfile
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ifm.banking.statements import (
    ColumnProfile,
    ParsedLine,
    StatementError,
    detect_format,
    parse_statement,
)
from ifm.banking.statements.checks import MAX_LINES
from ifm.banking.statements.generate import (
    CSV_PROFILE,
    camt_bytes,
    csv_bytes,
    ofx_bytes,
    xlsx_bytes,
)

LINE = ParsedLine(date(2024, 1, 5), Decimal("-3.00"), payee="Shop", bank_id="1", kind="DEBIT")


def _zip(names: list[str]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name in names:
            archive.writestr(name, "x")
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (ofx_bytes([LINE]), "ofx"),
        (ofx_bytes([LINE], sgml=False), "ofx"),
        (b"\xef\xbb\xbf<OFX><BANKMSGSRSV1></BANKMSGSRSV1></OFX>", "ofx"),
        (camt_bytes([LINE]), "camt"),
        (b"<Document><BkToCstmrStmt/></Document>", "camt"),
        (csv_bytes([LINE]), "csv"),
        ("Datum;Betrag\n01.01.2024;1,00\n".encode("cp1252"), "csv"),
        (_zip(["[Content_Types].xml", "xl/workbook.xml"]), "xlsx"),
    ],
)
def test_formats_are_told_apart_by_content(data, kind):
    assert detect_format(data, "whatever.txt") == kind


@pytest.mark.parametrize(
    ("data", "said"),
    [
        (b"", "empty"),
        (b"  \r\n ", "empty"),
        (b"%PDF-1.7 ...", "a PDF document"),
        (b"\x89PNG\r\n\x1a\n....", "a PNG image"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "old Excel"),
        (bytes(range(256)) * 4, "binary data"),
        (_zip(["readme.txt"]), "a zip archive"),
        (b"PK\x03\x04 broken", "a damaged zip archive"),
        (b"<html><body>Log in</body></html>", "neither OFX nor a camt.053"),
        (b'<?xml version="1.0"?><invoice/>', "neither OFX nor a camt.053"),
    ],
)
def test_what_is_not_a_statement_is_refused_saying_what_it_is(data, said):
    with pytest.raises(StatementError) as caught:
        parse_statement(data, filename="upload.bin", profile=CSV_PROFILE)
    assert said in str(caught.value)


def test_too_many_lines_is_a_clear_problem():
    big = b"<STMTTRN><TRNTYPE>DEBIT<DTPOSTED>20240101<TRNAMT>-1" * (MAX_LINES + 1)
    data = b"<OFX><BANKMSGSRSV1><STMTTRNRS><STMTRS><BANKTRANLIST>" + big + b"</OFX>"
    with pytest.raises(StatementError, match="more than the 200,000"):
        parse_statement(data)


def test_a_huge_csv_field_is_refused():
    data = b"Date,Amount,Description\n2024-01-01,1.00," + b"x" * 300_000 + b"\n"
    with pytest.raises(StatementError) as caught:
        parse_statement(data, profile=ColumnProfile(date_column="Date", amount_column="Amount"))
    assert caught.value.problems[0].where.startswith("line")


def test_a_huge_value_in_ofx_is_cut_to_the_column_width():
    line = ParsedLine(date(2024, 1, 5), Decimal("1.00"), payee="p" * 10_000, memo="m" * 10_000)
    (read,) = parse_statement(ofx_bytes([line])).lines
    assert (len(read.payee), len(read.memo)) == (255, 500)


def test_control_characters_never_reach_the_lines():
    data = ofx_bytes([LINE]).replace(b"<NAME>Shop", b"<NAME>Sh\x00op\x07 x")
    assert parse_statement(data).lines[0].payee == "Sh op x"


def test_an_empty_statement_without_balances_is_refused():
    with pytest.raises(StatementError, match="no transactions and no balances"):
        parse_statement(ofx_bytes([]))


def test_implausible_dates_and_huge_amounts_are_problems():
    lines = [
        ParsedLine(date(1850, 1, 1), Decimal("1.00"), bank_id="a"),
        ParsedLine(date(2024, 1, 1), Decimal("1000000000000.00"), bank_id="b"),
    ]
    with pytest.raises(StatementError) as caught:
        parse_statement(ofx_bytes(lines))
    found = [(p.field, p.where.split(" (")[0]) for p in caught.value.problems]
    assert found[:2] == [("date", "transaction 1"), ("amount", "transaction 2")]
    assert ("start date", "file") in found  # DTSTART, the first line's day


def test_problems_are_capped():
    bad = [ParsedLine(date(1850, 1, 1), Decimal("1.00"), bank_id=str(i)) for i in range(150)]
    with pytest.raises(StatementError) as caught:
        parse_statement(ofx_bytes(bad))
    problems = caught.value.problems
    assert len(problems) == 101
    assert "and 52 more problems" in problems[-1].message  # 150 lines, DTSTART and DTEND


# --- round trips ----------------------------------------------------------------------------------

# Text as banks write it: printable, no surrounding or doubled spaces (readers tidy spacing).
_text = st.text(
    alphabet=st.characters(
        codec="utf-8", exclude_categories=("Cc", "Cs", "Co", "Cn", "Zl", "Zp", "Zs")
    )
    | st.sampled_from(" &<>\"'é漢"),
    max_size=30,
).map(lambda s: " ".join(s.split()))
_lines = st.lists(
    st.builds(
        ParsedLine,
        date=st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 12, 31)),
        amount=st.decimals(
            min_value=Decimal("-99999999.99"), max_value=Decimal("99999999.99"), places=2
        ).filter(lambda d: d != 0),
        payee=_text,
        memo=_text,
        reference=st.from_regex(r"[A-Z0-9]{0,12}", fullmatch=True),
        bank_id=st.from_regex(r"[A-Za-z0-9-]{1,20}", fullmatch=True),
        kind=st.sampled_from(["CREDIT", "DEBIT", "CHECK", "FEE", "XFER"]),
    ),
    min_size=1,
    max_size=20,
)


def _same(read: list[ParsedLine], written: list[ParsedLine], *fields: str) -> None:
    assert [tuple(getattr(x, f) for f in fields) for x in read] == [
        tuple(getattr(x, f) for f in fields) for x in written
    ]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lines=_lines, sgml=st.booleans())
def test_ofx_round_trip(lines, sgml):
    statement = parse_statement(ofx_bytes(lines, sgml=sgml, closing_balance=Decimal("1.00")))
    _same(statement.lines, lines, "date", "amount", "payee", "memo", "reference", "bank_id", "kind")
    assert statement.closing_balance == Decimal("1.00")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lines=_lines, version=st.integers(2, 8), opening=st.decimals(-1000, 1000, places=2))
def test_camt_round_trip(lines, version, opening):
    data = camt_bytes(lines, opening_balance=opening, version=f"053.001.{version:02d}")
    statement = parse_statement(data)
    _same(statement.lines, list(lines), "date", "amount", "payee", "memo", "bank_id")
    assert statement.opening_balance == opening


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lines=_lines)
def test_csv_round_trip_with_running_balances(lines):
    balance, with_balances = Decimal("0.00"), []
    for line in lines:
        balance += line.amount
        with_balances.append(ParsedLine(line.date, line.amount, payee=line.payee, balance=balance))
    statement = parse_statement(csv_bytes(with_balances), profile=CSV_PROFILE)
    _same(statement.lines, with_balances, "date", "amount", "payee", "balance")


# --- fuzzing --------------------------------------------------------------------------------------


def _statement_or_problems(data: bytes) -> None:
    """Any other exception fails the test; a refusal must say where and what."""
    try:
        parse_statement(data, filename="fuzz", profile=CSV_PROFILE)
    except StatementError as exc:
        problems = exc.problems
    else:
        return
    assert problems
    assert all(p.where and p.message for p in problems)


SEEDS = [
    ofx_bytes([LINE]),
    ofx_bytes([LINE], sgml=False),
    camt_bytes([LINE], opening_balance=Decimal("1.00")),
    csv_bytes([LINE]),
    xlsx_bytes([LINE]),
]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.sampled_from(SEEDS),
    cuts=st.lists(
        st.tuples(st.integers(0, 2000), st.integers(0, 40), st.binary(max_size=12)), max_size=4
    ),
)
def test_mutated_files_give_a_statement_or_statement_error(seed, cuts):
    data = bytearray(seed)
    for position, length, replacement in cuts:
        position %= len(data) + 1
        data[position : position + length] = replacement
    _statement_or_problems(bytes(data))


@settings(max_examples=150, deadline=None)
@given(data=st.binary(max_size=600))
def test_random_bytes_give_a_statement_or_statement_error(data):
    _statement_or_problems(data)
