"""A workbook with an XML entity declaration (a "billion laughs" bomb or an external entity) is
refused with a 4xx naming the file, never expanded and never a 500."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from ifm.core.errors import ServiceError
from ifm.core.tests.api_helpers import api_client_for, assert_problem
from ifm.donors.imports.reading import read_table

pytestmark = pytest.mark.django_db

ENTITIES = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<!DOCTYPE worksheet [<!ENTITY a "ha"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>\n'
)


def workbook(rows: list[list[str]], *, entity_in: str | None = None) -> bytes:
    """An .xlsx of `rows`; with entity_in, that part of the zip gets an entity declaration."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    plain = io.BytesIO()
    book.save(plain)
    source = zipfile.ZipFile(io.BytesIO(plain.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == entity_in:
                if data.startswith(b"<?xml"):
                    data = data[data.index(b"?>") + 2 :].lstrip()
                data = ENTITIES + data
            target.writestr(item, data)
    return out.getvalue()


ROWS = [["First Name", "Last Name"], ["Ada", "Lovelace"]]


def test_an_ordinary_workbook_still_reads() -> None:
    table = read_table(workbook(ROWS), "donors.xlsx")
    assert table.headers == ["First Name", "Last Name"]


@pytest.mark.parametrize("part", ["xl/worksheets/sheet1.xml", "xl/workbook.xml"])
def test_entity_declarations_are_refused(part: str) -> None:
    with pytest.raises(ServiceError) as refused:
        read_table(workbook(ROWS, entity_in=part), "donors.xlsx")
    assert refused.value.errors[0]["field"] == "file"
    assert "entity" in refused.value.message


def test_the_api_answers_422_for_a_workbook_with_entities(
    donors_org: Any, cast: dict[str, Any]
) -> None:
    client = api_client_for(cast["fundraising"], donors_org)
    data = workbook(ROWS, entity_in="xl/worksheets/sheet1.xml")
    response = client.post(
        "/api/v1/imports",
        {"kind": "donors", "file": SimpleUploadedFile("donors.xlsx", data), "dry_run": "true"},
    )
    problem = assert_problem(response, 422)
    assert problem["errors"][0]["field"] == "file"
    assert "entity" in problem["detail"]
