"""Budgets through their pages and API, for the roles allowed and refused, never another
organization's; and the import of files, good and bad."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from ifm.conftest import client_for
from ifm.core.org_context import org_context
from ifm.core.tests.api_helpers import api_client_for, assert_problem, send_json
from ifm.ledger.conftest import acct
from ifm.ledger.models import Fund
from ifm.ledger.periods.fiscal_years import organization_today
from ifm.reports.budgets import selectors, services
from ifm.reports.budgets.models import Budget
from ifm.reports.budgets.tests.helpers import line, post, who
from ifm.reports.budgets.years import current_fiscal_year
from ifm.tenancy.models import Organization

pytestmark = pytest.mark.django_db

HEADER = "account,account_name,fund,program," + ",".join(f"month_{m}" for m in range(1, 13))


def _url(name: str, **kwargs: Any) -> str:
    return reverse(f"reports:{name}", kwargs={"org_slug": "alpha", **kwargs})


def _budget(org: Organization, user: Any, year: int | None = None) -> Budget:
    return services.budget_save(
        **who(org, user),
        fiscal_year=year or current_fiscal_year(org),
        lines=[line("4010", "1000.00"), line("8110", "100.00")],
        expected_version=None,
    )


# --- Pages ------------------------------------------------------------------------------


def test_the_reports_home_links_to_budgets(books: Organization, cast: Any) -> None:
    page = client_for(cast["viewer"]).get(reverse("reports:home", kwargs={"org_slug": "alpha"}))
    assert _url("budget_vs_actual") in page.text
    assert _url("budgets") in page.text


def test_the_grid_saves_all_or_nothing_with_errors_per_cell(books: Organization, cast: Any) -> None:
    year = current_fiscal_year(books)
    client = client_for(cast["finance"])
    page = client.get(_url("budget_grid", fiscal_year=year))
    assert page.status_code == 200
    rows = page.context["rows"]
    data: dict[str, Any] = {"rows": str(len(rows)), "version": ""}
    for form, _total in rows:
        for name, _field in form.fields.items():
            value = form.initial.get(name, "")
            data[form.add_prefix(name)] = "" if value is None else value
    first = next(f for f, _t in rows if f.initial.get("account") == acct("4010").pk)
    data[first.add_prefix("month_1")] = "1,250.00"
    data[first.add_prefix("month_2")] = "-3"
    refused = client.post(_url("budget_grid", fiscal_year=year), data)
    assert refused.status_code == 422
    assert "must not be negative" in refused.text
    assert not Budget.objects.exists()
    data[first.add_prefix("month_2")] = "300"
    saved = client.post(_url("budget_grid", fiscal_year=year), data)
    assert saved.status_code == 302
    (only,) = selectors.budget_lines(selectors.budget_get(year))
    assert only.month_1 == Decimal("1250.00")
    assert only.total == Decimal("1550.00")
    data["version"] = "1"
    assert client.post(_url("budget_grid", fiscal_year=year), data).status_code == 302
    # A save from the page read before the last one: 409, nothing overwritten.
    stale = client.post(_url("budget_grid", fiscal_year=year), data)
    assert stale.status_code == 409
    assert "changed by" in stale.text


def test_viewers_see_the_grid_but_may_not_save(books: Organization, cast: Any) -> None:
    year = current_fiscal_year(books)
    client = client_for(cast["viewer"])
    assert client.get(_url("budget_grid", fiscal_year=year)).status_code == 200
    assert client.post(_url("budget_grid", fiscal_year=year), {"rows": "0"}).status_code == 403
    assert client.get(_url("budget_import", fiscal_year=year)).status_code == 403
    assert client_for(cast["fundraising"]).get(_url("budgets")).status_code == 403


def test_budget_vs_actual_page_and_files(books: Organization, cast: Any) -> None:
    _budget(books, cast["finance"])
    post(books, cast["admin"], organization_today(books), "8110", "1010", "5000.00")
    client = client_for(cast["viewer"])
    page = client.get(_url("budget_vs_actual"))
    assert page.status_code == 200
    assert "table-warning" in page.text
    assert "over budget" in page.text
    sheet = load_workbook(io.BytesIO(client.get(_url("budget_vs_actual_xlsx")).content)).active
    values = [row for row in sheet.iter_rows(values_only=True) if row[0] and "8110" in str(row[0])]
    assert values[0][1:4] == (1200, 5000, 3800)
    response: Any = client.get(_url("budget_vs_actual_csv"))
    text = b"".join(response.streaming_content).decode()
    assert "Total expenses" in text
    assert client_for(cast["fundraising"]).get(_url("budget_vs_actual")).status_code == 403


def test_copy_page(books: Organization, cast: Any) -> None:
    year = current_fiscal_year(books)
    _budget(books, cast["finance"], year - 1)
    client = client_for(cast["finance"])
    answer = client.post(
        _url("budget_copy", fiscal_year=year), {"source": "budget", "percent": "10"}
    )
    assert answer.status_code == 302
    lines = {
        x.account.number: x.month_1 for x in selectors.budget_lines(selectors.budget_get(year))
    }
    assert lines == {"4010": Decimal("1100.00"), "8110": Decimal("110.00")}
    bad = client.post(_url("budget_copy", fiscal_year=year), {"source": "budget", "percent": "x"})
    assert bad.status_code == 422


# --- Import -------------------------------------------------------------------------------


def _upload(client: Any, year: int, name: str, content: bytes) -> Any:
    return client.post(
        _url("budget_import", fiscal_year=year),
        {"action": "preview", "file": SimpleUploadedFile(name, content)},
    )


def test_the_template_imports_after_a_dry_run(books: Organization, cast: Any) -> None:
    year = current_fiscal_year(books)
    _budget(books, cast["finance"], year)
    client = client_for(cast["finance"])
    response: Any = client.get(_url("budget_template", fmt="csv"))
    template = b"".join(response.streaming_content)
    rows = list(csv.reader(io.StringIO(template.decode("utf-8-sig"))))
    assert rows[0] == HEADER.split(",")
    filled = [rows[0]]
    for row in rows[1:]:
        if row[0] == "8110":
            row[4:] = ["75.50"] * 12
        filled.append(row)
    filled.append(["8110", "", "GEN", "", *(["10"] * 12)])
    out = io.StringIO()
    csv.writer(out).writerows(filled)
    preview = _upload(client, year, "budget.csv", out.getvalue().encode())
    assert preview.status_code == 200, preview.text
    counts = preview.context["counts"]
    assert counts == {"added": 1, "changed": 1, "removed": 1, "unchanged": 0}
    assert selectors.budget_lines(selectors.budget_get(year))[0].month_1 == Decimal("1000.00")
    applied = client.post(
        _url("budget_import", fiscal_year=year),
        {"action": "apply", "payload": preview.context["payload"]},
    )
    assert applied.status_code == 302
    lines = selectors.budget_lines(selectors.budget_get(year))
    assert [(x.account.number, x.fund_id is not None, x.total) for x in lines] == [
        ("8110", False, Decimal("906.00")),
        ("8110", True, Decimal("120.00")),
    ]
    tampered = client.post(
        _url("budget_import", fiscal_year=year), {"action": "apply", "payload": "x:y"}
    )
    assert tampered.status_code == 400


def test_an_xlsx_file_imports(books: Organization, cast: Any) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER.split(","))
    sheet.append(["4010", "", "", "", *([Decimal("12.5")] * 12)])
    data = io.BytesIO()
    book.save(data)
    year = current_fiscal_year(books)
    preview = _upload(client_for(cast["admin"]), year, "budget.xlsx", data.getvalue())
    assert preview.status_code == 200
    assert preview.context["counts"]["added"] == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"account,month_1\n4010,1\n", "the column &#x27;month_2&#x27; is missing"),
        (HEADER.encode() + b",colour\n", "unknown column"),
        (HEADER.encode() + b"\n9999,,,," + b"1," * 11 + b"1\n", "Row 2, column account: no"),
        (HEADER.encode() + b"\n4010,,NOPE,," + b"1," * 11 + b"1\n", "Row 2, column fund: no"),
        (
            HEADER.encode() + b"\n4010,,,,1,1,-4," + b"1," * 8 + b"1\n",
            "Row 2, column month_3: A budget amount must not be negative",
        ),
        (
            HEADER.encode() + b"\n4010,,,," + b"1," * 11 + b"1\n\n4010,,,," + b"2," * 11 + b"2\n",
            "Row 4, column account: The same account",
        ),
        (b"", "empty"),
        (b"%PDF-1.4 not a table", "not a CSV or XLSX"),
    ],
)
def test_a_bad_file_is_refused_naming_row_and_column(
    books: Organization, cast: Any, content: bytes, message: str
) -> None:
    year = current_fiscal_year(books)
    answer = _upload(client_for(cast["finance"]), year, "budget.csv", content)
    assert answer.status_code == 422
    assert message in answer.text
    assert not Budget.objects.exists()


# --- API --------------------------------------------------------------------------------


def _body(version: int | None = None, amount: str = "100.00") -> dict[str, Any]:
    return {
        "version": version,
        "lines": [{"account_id": acct("8110").pk, "amounts": [amount] * 12}],
    }


def test_api_put_get_and_list(books: Organization, cast: Any, general: Fund) -> None:
    year = current_fiscal_year(books)
    client = api_client_for(cast["finance"], books)
    put = send_json(client, "PUT", f"/api/v1/budgets/{year}", _body())
    assert put.status_code == 200, put.content
    body = put.json()
    assert body["version"] == 1
    assert body["total_expenses"] == "1200.00"
    assert body["lines"][0]["amounts"][0] == "100.00"
    again = send_json(client, "PUT", f"/api/v1/budgets/{year}", _body(version=1, amount="5"))
    assert again.json()["version"] == 2
    assert_problem(send_json(client, "PUT", f"/api/v1/budgets/{year}", _body(version=1)), 409)
    viewer = api_client_for(cast["viewer"], books)
    got = viewer.get(f"/api/v1/budgets/{year}").json()
    assert got["lines"][0]["total"] == "60.00"
    listed = viewer.get("/api/v1/budgets").json()
    assert [(b["fiscal_year"], b["total_expenses"]) for b in listed["items"]] == [(year, "60.00")]
    report = viewer.get(f"/api/v1/reports/budget-vs-actual?fiscal_year={year}").json()
    assert report["totals"]["total_expenses_budget"] == "60.00"
    assert {"budget", "actual", "variance", "percent_used"} == {c["key"] for c in report["columns"]}


def test_api_validation_is_422_naming_the_cell(books: Organization, cast: Any) -> None:
    year = current_fiscal_year(books)
    client = api_client_for(cast["finance"], books)
    body = _body()
    body["lines"].append({"account_id": acct("1010").pk, "amounts": ["1"] * 12})
    problem = assert_problem(send_json(client, "PUT", f"/api/v1/budgets/{year}", body), 422)
    assert problem["errors"][0]["field"] == "lines[1].account"
    negative = _body(amount="-1")
    assert_problem(send_json(client, "PUT", f"/api/v1/budgets/{year}", negative), 422)
    short = {"lines": [{"account_id": acct("8110").pk, "amounts": ["1"] * 11}]}
    assert_problem(send_json(client, "PUT", f"/api/v1/budgets/{year}", short), 422)
    assert_problem(send_json(client, "PUT", "/api/v1/budgets/1800", _body()), 422)
    assert not Budget.objects.exists()


def test_api_roles(books: Organization, cast: Any) -> None:
    year = current_fiscal_year(books)
    _budget(books, cast["finance"], year)
    viewer = api_client_for(cast["viewer"], books)
    assert_problem(send_json(viewer, "PUT", f"/api/v1/budgets/{year}", _body(version=1)), 403)
    fundraising = api_client_for(cast["fundraising"], books)
    assert_problem(fundraising.get(f"/api/v1/budgets/{year}"), 403)
    assert_problem(fundraising.get("/api/v1/reports/budget-vs-actual"), 403)
    admin = api_client_for(cast["admin"], books)
    copied = send_json(
        admin,
        "POST",
        f"/api/v1/budgets/{year}/copy",
        {"source": "budget", "percent": "0", "version": 1},
    )
    assert_problem(copied, 422)  # no budget the year before


def test_another_organizations_budget_is_404(
    books: Organization, org_b: Organization, cast: Any
) -> None:
    year = current_fiscal_year(books)
    with org_context(org_b):
        _budget(org_b, cast["other_admin"], year + 1)
    client = api_client_for(cast["admin"], books)
    assert_problem(client.get(f"/api/v1/budgets/{year + 1}"), 404)
    assert client.get("/api/v1/budgets").json()["items"] == []
    page = client_for(cast["admin"]).get(_url("budget_grid", fiscal_year=year + 1))
    assert page.status_code == 200
    assert page.context["budget"] is None
    report = client.get(f"/api/v1/reports/budget-vs-actual?fiscal_year={year + 1}").json()
    assert report["totals"]["total_revenue_budget"] == "0.00"
