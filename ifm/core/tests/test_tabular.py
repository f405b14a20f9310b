"""The tabular reader: encodings, delimiters, workbooks, limits, and files that cannot be read
(always a TabularError saying what to do, never an exception that would answer 500)."""

from __future__ import annotations

import io
import random
import zipfile
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from ifm.core.errors import ServiceError
from ifm.core.tabular import (
    CSV,
    XLSX,
    TabularError,
    cell_text,
    detect_format,
    header_names,
    iter_rows,
    read_upload,
)

FIXTURES = Path(__file__).parent / "fixtures" / "tabular"


def rows_of(data: bytes, filename: str = "", **options: Any) -> list[list[str]]:
    return [cells for _n, cells in iter_rows(read_upload(data, filename, **options))]


def xlsx(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- Encodings --------------------------------------------------------------------------------


def test_utf8_with_a_byte_order_mark_reads_without_it() -> None:
    data = "\ufeffName,City\nJosé,Zürich\n".encode()
    assert rows_of(data) == [["Name", "City"], ["José", "Zürich"]]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_with_a_byte_order_mark_is_read(encoding: str) -> None:
    text = "Name\tAmount\nJosé\t12.50\nZoë\t3\n"
    data = text.encode(encoding)
    if encoding != "utf-16":  # utf-16 writes its own mark; the explicit ones need it added
        data = ("\ufeff" + text).encode(encoding)
    upload = read_upload(data, "export.txt")
    assert upload.encoding == "utf-16"
    assert upload.delimiter == "\t"
    assert [c for _n, c in iter_rows(upload)] == [
        ["Name", "Amount"],
        ["José", "12.50"],
        ["Zoë", "3"],
    ]


def test_cp1252_is_refused_naming_line_and_column_unless_the_caller_allows_it() -> None:
    data = "Name,Note\nAna,ok\nJosé,5 € please\n".encode("cp1252")
    with pytest.raises(TabularError) as err:
        read_upload(data, "gifts.csv")
    assert "not UTF-8" in err.value.message
    assert "line 3" in err.value.message
    assert (err.value.line, err.value.column) == (3, 1)
    assert err.value.errors == [{"field": "file", "message": err.value.message}]

    upload = read_upload(data, "gifts.csv", fallback_encoding="cp1252")
    assert upload.encoding == "cp1252"
    assert [c for _n, c in iter_rows(upload)][2] == ["José", "5 € please"]


def test_a_bad_byte_in_a_later_column_names_that_column() -> None:
    data = b"Name;City;Note\nAna;Lyon;\xe9t\xe9\n"
    with pytest.raises(TabularError) as err:
        read_upload(data)
    assert (err.value.line, err.value.column) == (2, 3)


# --- Delimiters -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "delimiter"),
    [
        ("a,b,c\n1,2,3\n", ","),
        ("a;b;c\n1;2;3\n", ";"),
        ("a\tb\tc\n1\t2\t3\n", "\t"),
        ("a|b|c\n1|2|3\n", "|"),
        # Decimal commas in a semicolon file do not make it a comma file.
        ("Name;Amount\nAna;12,50\nBo;3,00\nCy;1.000,00\n", ";"),
        # A comma inside quotes is not a separator.
        ('Name,Note\n"Reyes; Ana","a; b; c"\nBo,x\n', ","),
    ],
    ids=["comma", "semicolon", "tab", "bar", "decimal-commas", "quoted"],
)
def test_the_delimiter_is_the_one_that_splits_the_lines_evenly(text: str, delimiter: str) -> None:
    assert read_upload(text.encode()).delimiter == delimiter


def test_a_file_without_separators_reads_as_one_column() -> None:
    assert rows_of(b"just words\nmore words\n") == [["just words"], ["more words"]]


# --- Empty, too large, too many --------------------------------------------------------------


def test_an_empty_file_is_refused() -> None:
    with pytest.raises(TabularError, match="The file is empty"):
        read_upload(b"", "x.csv")


def test_a_file_over_the_size_limit_is_refused() -> None:
    with pytest.raises(TabularError, match="larger than 1 MB: split it"):
        read_upload(b"a,b\n" * 300_000, max_bytes=1024 * 1024)


def test_blank_lines_are_rows_without_cells() -> None:
    assert rows_of(b"a,b\n\n1,2\n") == [["a", "b"], [], ["1", "2"]]


def test_more_rows_than_allowed_is_refused_naming_the_line() -> None:
    upload = read_upload(b"a,b\n1,2\n\n3,4\n5,6\n")
    assert len(list(iter_rows(upload, max_rows=4))) == 5  # the blank line does not count
    with pytest.raises(TabularError, match="more than 3 rows") as err:
        list(iter_rows(upload, max_rows=3))
    assert err.value.line == 5


def test_more_columns_than_allowed_is_refused_naming_the_line() -> None:
    upload = read_upload(b"a,b,c\n1,2,3\n1,2,3,4,5,6\n", max_columns=5)
    with pytest.raises(TabularError, match="Row 3 has 6 columns, more than the 5") as err:
        list(iter_rows(upload))
    assert (err.value.line, err.value.column) == (3, 6)


def test_empty_cells_past_the_column_limit_are_dropped_not_refused() -> None:
    upload = read_upload(b"a,b\n1,2,,,,,,,\n", max_columns=3)
    assert [c for _n, c in iter_rows(upload)] == [["a", "b"], ["1", "2"]]


# --- Formats ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "filename"),
    [
        (b"%PDF-1.4\n1 0 obj<<>>endobj\n", "gifts.pdf"),
        (b"a,b\n1,2\n", "gifts.xls"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "old.bin"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 32, "scan"),
        (b"GIF89a" + b"\x00" * 32, ""),
        (b"a,b\x00\x00\x01\x02\n", "data.csv"),
    ],
    ids=["pdf", "xls-name", "ole", "png", "gif", "binary"],
)
def test_what_is_not_a_table_is_refused(data: bytes, filename: str) -> None:
    with pytest.raises(TabularError, match="not a CSV or XLSX file"):
        detect_format(data, filename)


def test_detect_format() -> None:
    assert detect_format(b"a,b\n") == CSV
    assert detect_format(xlsx([["a"]])) == XLSX
    assert detect_format("\ufeffa;b".encode("utf-16")) == CSV


def test_xlsx_cells_read_as_the_text_a_person_sees() -> None:
    data = xlsx(
        [
            ["Name", "Date", "Amount", "Count", "Member", "When", "Empty", "Stamp"],
            [
                "Ana",
                date(2024, 1, 15),
                25.1,
                3,
                True,
                time(9, 30),
                None,
                datetime(2024, 1, 2, 8, 5),
            ],
            ["Bo", datetime(2024, 2, 1), 100.0, 0, False, None, None, None],
        ]
    )
    upload = read_upload(data, "gifts.xlsx")
    assert upload.format == XLSX
    rows = [c for _n, c in iter_rows(upload)]
    assert rows[1] == [
        "Ana",
        "2024-01-15",
        "25.1",
        "3",
        "TRUE",
        "09:30:00",
        "",
        "2024-01-02 08:05:00",
    ]
    assert rows[2][:5] == ["Bo", "2024-02-01", "100", "0", "FALSE"]


def test_cell_text_of_odd_values() -> None:
    assert cell_text(None) == ""
    assert cell_text(Decimal("12.50")) == "12.50"
    assert cell_text("  padded  ") == "padded"
    assert cell_text(0.1 + 0.2) == "0.30000000000000004"  # a float keeps what it holds
    assert cell_text(1e21) == "1e+21"


def test_an_xlsx_with_too_many_columns_is_refused() -> None:
    upload = read_upload(xlsx([["a", "b"], list(range(8))]), "wide.xlsx", max_columns=5)
    with pytest.raises(TabularError, match="Row 2 has 8 columns"):
        list(iter_rows(upload))


def test_a_broken_workbook_is_refused() -> None:
    with pytest.raises(TabularError, match="cannot be opened"):
        rows_of(b"PK\x03\x04not really a workbook", "gifts.xlsx")
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("hello.txt", "not a workbook")
    with pytest.raises(TabularError, match="cannot be opened"):
        rows_of(archive.getvalue(), "gifts.xlsx")


def test_a_workbook_unzipping_past_the_cap_is_refused_before_parsing() -> None:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/worksheets/sheet1.xml", b" " * (3 * 1024 * 1024))
    with pytest.raises(TabularError, match="unzips to 3 MB, more than the 2 MB"):
        read_upload(archive.getvalue(), "big.xlsx", xlsx_max_bytes=2 * 1024 * 1024)


# --- Malformed text ---------------------------------------------------------------------------


def test_an_unclosed_quote_is_refused_naming_the_line() -> None:
    with pytest.raises(TabularError, match="malformed on line") as err:
        rows_of(b'a,b\n1,2\n3,"open\n')
    assert err.value.line is not None


def test_a_nul_byte_past_the_first_block_is_refused_naming_the_line() -> None:
    data = b"a,b\n" + b"x,y\n" * 2000 + b"p,\x00q\n"
    with pytest.raises(TabularError, match="NUL character on line 2002") as err:
        rows_of(data)
    assert (err.value.line, err.value.column) == (2002, 2)


def test_a_cell_larger_than_the_csv_field_limit_is_refused() -> None:
    data = b'a,b\n1,"' + b"x" * 200_000 + b'"\n'
    with pytest.raises(TabularError, match="malformed on line 2"):
        rows_of(data)


def test_odd_inputs_are_read_or_refused_never_crash() -> None:
    """Random and truncated inputs: each is a table or a TabularError (a ServiceError,
    which both doors answer with 422), nothing else."""
    rng = random.Random(20240115)
    workbook = xlsx([["Name", "Amount"], ["Ana", 10]])
    samples: list[bytes] = [workbook[:n] for n in (4, 30, 200, len(workbook) // 2)]
    samples += [bytes(rng.randrange(256) for _ in range(rng.randrange(1, 300))) for _ in range(150)]
    samples += [
        b"\xff\xfe" + b"\x00",  # UTF-16 mark with half a character
        b"\xfe\xff\xd8\x00",  # UTF-16 lone surrogate
        b"\r\r\r",
        b'"',
        b"\xef\xbb\xbf",
        "\u2028a,b\u2029c,d".encode(),
    ]
    refusals: list[TabularError] = []
    for data in samples:
        try:
            upload = read_upload(data, "upload.csv", fallback_encoding=rng.choice([None, "cp1252"]))
            for _n, cells in iter_rows(upload, max_rows=1000):
                assert all(isinstance(c, str) and "\x00" not in c for c in cells)
        except TabularError as exc:
            refusals.append(exc)
    assert refusals
    for refusal in refusals:
        assert isinstance(refusal, ServiceError)
        assert refusal.status == 422
        assert refusal.errors[0]["field"] == "file"
        assert refusal.message


# --- Real files, as they are ------------------------------------------------------------------


def test_the_npsp_import_template() -> None:
    """Salesforce NPSP: four lines of instructions, field labels on line 5, API names on 6."""
    upload = read_upload((FIXTURES / "NPSP_Data_Import_Template_csv.csv").read_bytes())
    assert (upload.format, upload.delimiter) == (CSV, ",")
    rows = dict(iter_rows(upload))
    assert len(rows) == 6
    assert rows[1][0] == "INSTRUCTIONS:"
    assert rows[5][:3] == ["Contact1 Salutation", "Contact1 First Name", "Contact1 Last Name"]
    assert rows[6][0].lower().startswith("npsp__contact1")
    assert {len(cells) for cells in rows.values()} == {67}


def test_the_ucoa_chart_of_accounts() -> None:
    upload = read_upload((FIXTURES / "ucoa_banana_accounts.csv").read_bytes())
    rows = [cells for _n, cells in iter_rows(upload)]
    assert upload.delimiter == ","
    assert rows[0] == ["Group", "Account", "Description", "Gr"]
    assert rows[3] == ["", "1010", "Cash in bank-operating", "1000"]
    assert len(rows) == 285
    assert {len(r) for r in rows} == {4}


def test_the_lloyds_bank_statement_with_its_trailing_comma() -> None:
    upload = read_upload((FIXTURES / "sample-statement.csv").read_bytes())
    rows = [cells for _n, cells in iter_rows(upload)]
    assert upload.delimiter == ","
    assert rows[0][:2] == ["Transaction Date", "Transaction Type"]
    assert rows[0][-1] == ""  # the header's trailing comma: an unnamed empty column
    assert rows[1] == [
        "15/01/2024",
        "DEB",
        "'99-88-74",
        "1515152252",
        "ACME STORE CD 1417    14JAN24",
        "8.99",
        "",
        "2040.59",
    ]


def test_header_names_are_read_even_from_a_file_that_does_not_decode() -> None:
    data = "\ufeffnumber;name;caf\u00e9\n1;x;y\n".encode() + b"2;\xe9;z\n"
    assert header_names(data) == ["number", "name", "caf\u00c3\u00a9"]
    assert header_names(b"a,b , c\r\n1,2,3\r\n") == ["a", "b", "c"]
    assert header_names(b"") == []
