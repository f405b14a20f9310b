"""The statements through their pages, files and API, for the roles that may see them, and
never another organization's figures."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from ifm.conftest import client_for
from ifm.core.org_context import org_context
from ifm.core.tests.api_helpers import api_client_for, assert_problem
from ifm.ledger.conftest import acct
from ifm.ledger.journal.posting import LineInput, post_entry
from ifm.ledger.models import Function, Fund
from ifm.tenancy.models import Organization

pytestmark = pytest.mark.django_db

TODAY = date.today()
PAGES = ["financial_position", "activities", "functional_expenses"]


def _url(name: str, slug: str = "alpha") -> str:
    return reverse(f"reports:{name}", kwargs={"org_slug": slug})


@pytest.fixture
def posted(books: Organization, org_b: Organization, cast: Any, general: Fund) -> Organization:
    """A's gift of 1,250.00 and 200.00 of supplies for management; B's gift of 999,999.00."""
    post_entry(
        organization=books,
        actor=cast["admin"],
        date=TODAY,
        lines=[
            LineInput(acct("1010"), general, debit=Decimal("1250.00")),
            LineInput(acct("4010"), general, credit=Decimal("1250.00")),
        ],
    )
    post_entry(
        organization=books,
        actor=cast["admin"],
        date=TODAY,
        lines=[
            LineInput(acct("8110"), general, debit=Decimal("200.00"), function=Function.MANAGEMENT),
            LineInput(acct("1010"), general, credit=Decimal("200.00")),
        ],
    )
    with org_context(org_b):
        post_entry(
            organization=org_b,
            actor=cast["other_admin"],
            date=TODAY,
            lines=[
                LineInput(acct("1010"), Fund.objects.get(is_general=True), debit=Decimal("999999")),
                LineInput(
                    acct("4010"), Fund.objects.get(is_general=True), credit=Decimal("999999")
                ),
            ],
        )
    return books


@pytest.mark.parametrize("role", ["admin", "finance", "viewer"])
def test_the_roles_with_financial_reports_see_each_statement(
    posted: Organization, cast: Any, role: str
) -> None:
    client = client_for(cast[role])
    home = client.get(_url("home")).content.decode()
    for name in PAGES:
        assert _url(name) in home
        html = client.get(_url(name)).content.decode()
        assert '<th scope="col"' in html
        assert '<th scope="row"' in html
        assert "999,999" not in html
        assert "999999" not in html
    assert "1,050.00" in client.get(_url("financial_position")).content.decode()


@pytest.mark.parametrize("role", ["fundraising", "staff"])
def test_other_roles_are_refused_the_financial_statements(
    posted: Organization, cast: Any, role: str
) -> None:
    client = client_for(cast[role])
    for name in PAGES:
        assert client.get(_url(name)).status_code == 403
        assert client.get(_url(f"{name}_csv")).status_code == 403
    # Fundraising may open the home (its reports are coming); it lists nothing financial.
    home = client.get(_url("home"))
    if role == "fundraising":
        assert home.status_code == 200
        assert _url("activities") not in home.content.decode()
    else:
        assert home.status_code == 403


def test_another_organization_is_not_found(posted: Organization, cast: Any) -> None:
    client = client_for(cast["other_admin"])
    assert client.get(_url("activities")).status_code == 404


def test_nav_links_the_reports(posted: Organization, cast: Any) -> None:
    nav = client_for(cast["viewer"]).get(_url("home")).content.decode()
    assert f'href="{_url("home")}">Reports</a>' in nav


def test_empty_books_say_so(books: Organization, cast: Any) -> None:
    html = client_for(cast["finance"]).get(_url("activities")).content.decode()
    assert 'id="report-empty"' in html


def test_exports_keep_figures_as_numbers(posted: Organization, cast: Any) -> None:
    client = client_for(cast["finance"])
    response: Any = client.get(_url("activities_csv"), {"date_from": TODAY.isoformat()})
    rows = list(
        csv.reader(io.StringIO(b"".join(response.streaming_content).decode().lstrip("\ufeff")))
    )
    assert rows[0][1:] == ["Without donor restrictions", "With donor restrictions", "Total"]
    change = next(row for row in rows if row[0] == "Change in net assets")
    assert change[1:] == ["1050.00", "0.00", "1050.00"]
    response = client.get(_url("functional_expenses_xlsx"))
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    assert sheet.freeze_panes == "A2"
    total = next(r for r in sheet.iter_rows(values_only=True) if r[0] == "Total expenses")
    assert total[-1] == 200  # a number, not text


def test_api_statements(posted: Organization, cast: Any) -> None:
    api = api_client_for(cast["viewer"], posted)
    position = api.get("/api/v1/reports/statement-of-financial-position?compare=prior_year_end")
    assert position.status_code == 200, position.content
    body = position.json()
    assert body["totals"]["total_assets"] == "1050.00"
    assert body["totals"]["net_assets_end"] == "1050.00"
    assert [c["key"] for c in body["columns"]] == ["current", "compare"]
    cash = next(row for row in body["rows"] if row["account_id"] == acct("1010").pk)
    assert cash["values"] == {"current": "1050.00", "compare": "0.00"}
    activities = api.get(
        f"/api/v1/reports/statement-of-activities?from={TODAY}&to={TODAY}&compare=prior_year"
    ).json()
    assert activities["totals"]["total_revenue"] == "1250.00"
    assert activities["totals"]["total_expenses"] == "200.00"
    assert activities["totals"]["change_in_net_assets"] == "1050.00"
    functional = api.get(f"/api/v1/reports/functional-expenses?from={TODAY}").json()
    assert functional["totals"]["management_and_general"] == "200.00"


def test_api_refuses_bad_dates_and_roles(posted: Organization, cast: Any) -> None:
    api = api_client_for(cast["finance"], posted)
    problem = assert_problem(
        api.get("/api/v1/reports/statement-of-activities?from=2026-02-01&to=2026-01-01"), 422
    )
    assert problem["errors"][0]["field"] == "from"
    assert_problem(api.get("/api/v1/reports/functional-expenses?from=2026-13-01"), 422)
    problem = assert_problem(
        api.get("/api/v1/reports/statement-of-financial-position?compare=lastyear"), 422
    )
    assert problem["errors"][0]["field"] == "compare"
    fundraiser = api_client_for(cast["fundraising"], posted)
    assert_problem(fundraiser.get("/api/v1/reports/statement-of-activities"), 403)


def test_api_does_not_find_another_organizations_fund(
    posted: Organization, org_b: Organization, cast: Any
) -> None:
    with org_context(org_b):
        theirs = Fund.objects.get(is_general=True).pk
    api = api_client_for(cast["finance"], posted)
    assert_problem(api.get(f"/api/v1/reports/statement-of-activities?fund_id={theirs}"), 404)
    body = api.get("/api/v1/reports/statement-of-activities").json()
    assert body["totals"]["total_revenue"] == "1250.00"
