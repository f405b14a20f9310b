"""Donor and donation exports: CSV and XLSX, filters, neutralized formulas."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from ifm.core.tests.api_helpers import api_client_for, assert_problem
from ifm.donors.gifts.services import donation_record
from ifm.donors.people.services import donor_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(fundraiser: dict[str, Any], general_fund: Any) -> dict[str, Any]:
    ana = donor_create(**fundraiser, first_name="Ana", last_name="Reyes", email="ana@example.org")
    evil = donor_create(**fundraiser, first_name="=HYPERLINK(1)", last_name="Smith", city="+1")
    gift = donation_record(
        **fundraiser,
        donor=ana,
        amount=Decimal("100.00"),
        date=date(2026, 1, 15),
        method="check",
        check_number="1001",
        fund=general_fund,
        goods_services_description="Dinner",
        goods_services_value=Decimal("30.00"),
    )
    donation_record(
        **fundraiser,
        donor=evil,
        amount=Decimal("5.00"),
        date=date(2026, 2, 1),
        method="cash",
        fund=general_fund,
    )
    return {"ana": ana, "evil": evil, "gift": gift}


def _csv_rows(response: Any) -> list[dict[str, str]]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_donors_csv_with_search_and_neutralized_cells(
    data: dict[str, Any], donors_org: Any, cast: dict[str, Any]
) -> None:
    client: Client = api_client_for(cast["viewer"], donors_org)
    rows = _csv_rows(client.get("/api/v1/donors/export?format=csv"))
    assert len(rows) == 2
    smith = next(r for r in rows if r["Last name"] == "Smith")
    assert smith["First name"] == "'=HYPERLINK(1)"
    assert smith["City"] == "'+1"
    ana = next(r for r in rows if r["Last name"] == "Reyes")
    assert (ana["Email"], ana["Lifetime total"], ana["Gifts"]) == ("ana@example.org", "100.00", "1")
    assert ana["Donor id"] == f"D-{data['ana'].pk}"
    only = _csv_rows(client.get("/api/v1/donors/export?q=reyes"))
    assert [r["Name"] for r in only] == ["Ana Reyes"]


def test_donations_xlsx_and_filters(
    data: dict[str, Any], donors_org: Any, cast: dict[str, Any]
) -> None:
    from openpyxl import load_workbook

    client = api_client_for(cast["finance"], donors_org)
    response = client.get("/api/v1/donations/export?format=xlsx&method=check")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="donations.xlsx"'
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    assert len(body) == 1
    row = dict(zip(header, body[0], strict=True))
    assert row["Reference"] == f"GIFT-{data['gift'].pk}"
    assert row["Amount"] == 100
    assert row["Deductible amount"] == 70
    assert row["Goods or services description"] == "Dinner"
    assert row["Check number"] == "1001"
    assert row["Journal entry"] == data["gift"].journal_entry.number
    assert row["Date"].date() == date(2026, 1, 15)
    csv_rows = _csv_rows(client.get("/api/v1/donations/export?date_from=2026-02-01"))
    assert [r["Amount"] for r in csv_rows] == ["5.00"]
    assert csv_rows[0]["Donor"] == "'=HYPERLINK(1) Smith"


def test_export_permission_and_bad_format(donors_org: Any, cast: dict[str, Any]) -> None:
    staff = api_client_for(cast["staff"], donors_org)
    assert_problem(staff.get("/api/v1/donors/export"), 403)
    viewer = api_client_for(cast["viewer"], donors_org)
    assert_problem(viewer.get("/api/v1/donations/export?format=pdf"), 422)
