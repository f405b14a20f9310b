"""The ledger API through bearer tokens: chart, funds, programs, journal, periods, reports."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from ifm.audit.models import AuditEvent
from ifm.core.org_context import all_organizations
from ifm.core.tests.api_helpers import api_client_for, assert_problem, send_json
from ifm.ledger.models import Account, Fund, JournalEntry, JournalLine, Period, Program
from ifm.ledger.selectors import period_for
from ifm.ledger.tests.conftest import acct

TODAY = date.today()
BANANA = (Path(__file__).parent / "fixtures" / "ucoa_banana_accounts.csv").read_bytes()


@pytest.fixture
def admin(books: Any, cast: dict[str, Any]) -> Any:
    return api_client_for(cast["admin"], books)


@pytest.fixture
def finance(books: Any, cast: dict[str, Any]) -> Any:
    return api_client_for(cast["finance"], books)


@pytest.fixture
def viewer(books: Any, cast: dict[str, Any]) -> Any:
    return api_client_for(cast["viewer"], books)


def _entry_body(**overrides: Any) -> dict[str, Any]:
    general = Fund.objects.get(is_general=True)
    body: dict[str, Any] = {
        "date": TODAY.isoformat(),
        "memo": "Cash gift",
        "lines": [
            {"account_id": acct("1010").pk, "fund_id": general.pk, "debit": "250.00"},
            {"account_id": acct("4010").pk, "fund_id": general.pk, "credit": "250.00"},
        ],
    }
    body.update(overrides)
    return body


def _post_entry(client: Any, body: dict[str, Any] | None = None, **extra: Any) -> Any:
    return send_json(client, "POST", "/api/v1/journal-entries", body or _entry_body(), **extra)


# --- Accounts ------------------------------------------------------------------------------------


def test_account_list_filters_and_paginates(viewer: Any) -> None:
    body = viewer.get("/api/v1/accounts?type=expense&q=travel").json()
    assert [a["number"] for a in body["items"]] == ["8300", "8310"]
    assert body["items"][0]["type"] == "expense"
    page1 = viewer.get("/api/v1/accounts?limit=10").json()
    page2 = viewer.get(f"/api/v1/accounts?limit=10&cursor={page1['next']}").json()
    numbers = [a["number"] for a in page1["items"] + page2["items"]]
    assert numbers == sorted(numbers)
    assert len(set(numbers)) == 20
    Account.objects.filter(number="1040").update(is_active=False)
    inactive = viewer.get("/api/v1/accounts?active=false").json()["items"]
    assert [a["number"] for a in inactive] == ["1040"]


def test_account_create_get_patch(finance: Any) -> None:
    response = send_json(
        finance,
        "POST",
        "/api/v1/accounts",
        {"number": "1030", "name": "Cash - grants", "type": "asset", "parent_id": acct("1000").pk},
        HTTP_IDEMPOTENCY_KEY="k-1",
    )
    assert response.status_code == 201, response.content
    created = response.json()
    assert (created["number"], created["parent_id"], created["version"]) == (
        "1030",
        acct("1000").pk,
        1,
    )
    again = send_json(
        finance,
        "POST",
        "/api/v1/accounts",
        {"number": "1030", "name": "Cash - grants", "type": "asset", "parent_id": acct("1000").pk},
        HTTP_IDEMPOTENCY_KEY="k-1",
    )
    assert again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert Account.objects.filter(number="1030").count() == 1
    assert finance.get(f"/api/v1/accounts/{created['id']}").json()["name"] == "Cash - grants"
    patched = send_json(
        finance,
        "PATCH",
        f"/api/v1/accounts/{created['id']}",
        {"version": 1, "name": "Cash - grant money", "parent_id": None},
    )
    assert patched.status_code == 200, patched.content
    assert (patched.json()["name"], patched.json()["parent_id"], patched.json()["version"]) == (
        "Cash - grant money",
        None,
        2,
    )
    stale = send_json(
        finance, "PATCH", f"/api/v1/accounts/{created['id']}", {"version": 1, "name": "Old"}
    )
    assert_problem(stale, 409)


def test_account_validation_names_the_field(finance: Any) -> None:
    problem = assert_problem(
        send_json(
            finance,
            "POST",
            "/api/v1/accounts",
            {"number": "1031", "name": "X", "type": "asset", "parent_id": acct("2000").pk},
        ),
        422,
    )
    assert problem["errors"][0]["field"] == "parent"
    problem = assert_problem(
        send_json(
            finance, "POST", "/api/v1/accounts", {"number": "1010", "name": "X", "type": "asset"}
        ),
        422,
    )
    assert problem["errors"][0]["field"] == "number"
    problem = assert_problem(
        send_json(
            finance,
            "POST",
            "/api/v1/accounts",
            {"number": "1032", "name": "X", "type": "asset", "parent_id": 2**40},
        ),
        422,
    )
    assert problem["errors"][0]["field"] == "parent_id"


def test_viewer_may_read_not_write(viewer: Any) -> None:
    assert viewer.get("/api/v1/accounts").status_code == 200
    assert_problem(
        send_json(
            viewer, "POST", "/api/v1/accounts", {"number": "1033", "name": "X", "type": "asset"}
        ),
        403,
    )
    assert_problem(_post_entry(viewer), 403)


def test_staff_cannot_read_ledger(books: Any, cast: dict[str, Any]) -> None:
    staff = api_client_for(cast["staff"], books)
    assert_problem(staff.get("/api/v1/accounts"), 403)
    assert_problem(staff.get("/api/v1/reports/trial-balance"), 403)


def test_other_organizations_rows_are_404(admin: Any, org_b: Any) -> None:
    with all_organizations():
        other = Account.all_orgs.get(organization=org_b, number="1010")
        other_fund = Fund.all_orgs.get(organization=org_b, is_general=True)
    assert_problem(admin.get(f"/api/v1/accounts/{other.pk}"), 404)
    assert_problem(admin.get(f"/api/v1/funds/{other_fund.pk}"), 404)
    assert_problem(admin.get(f"/api/v1/accounts/{other.pk}/ledger"), 404)


# --- Funds and programs --------------------------------------------------------------------------


def test_funds_and_programs(admin: Any) -> None:
    response = send_json(
        admin,
        "POST",
        "/api/v1/funds",
        {"code": "ENDOW", "name": "Endowment", "restriction": "perpetual", "purpose": "Chairs"},
    )
    assert response.status_code == 201, response.content
    fund = response.json()
    assert (fund["net_asset_class"], fund["is_general"]) == ("with_donor_restrictions", False)
    general = Fund.objects.get(is_general=True)
    problem = assert_problem(
        send_json(
            admin, "PATCH", f"/api/v1/funds/{general.pk}", {"version": 1, "is_active": False}
        ),
        422,
    )
    assert problem["errors"][0]["field"] == "is_active"
    codes = [f["code"] for f in admin.get("/api/v1/funds").json()["items"]]
    assert codes == ["ENDOW", "GEN"]

    response = send_json(admin, "POST", "/api/v1/programs", {"code": "YTH", "name": "Youth"})
    assert response.status_code == 201
    program_id = response.json()["id"]
    response = send_json(
        admin, "PATCH", f"/api/v1/programs/{program_id}", {"version": 1, "is_active": False}
    )
    assert response.json()["is_active"] is False
    assert admin.get("/api/v1/programs?active=true").json()["items"] == []
    assert Program.objects.get(pk=program_id).version == 2


# --- Journal entries -----------------------------------------------------------------------------


def test_post_entry_and_read_it_back(finance: Any) -> None:
    response = _post_entry(finance, HTTP_IDEMPOTENCY_KEY="je-1")
    assert response.status_code == 201, response.content
    entry = response.json()
    assert entry["total"] == "250.00"
    assert [(ln["account_number"], ln["debit"], ln["credit"]) for ln in entry["lines"]] == [
        ("1010", "250.00", "0.00"),
        ("4010", "0.00", "250.00"),
    ]
    replay = _post_entry(finance, HTTP_IDEMPOTENCY_KEY="je-1")
    assert replay.status_code == 201
    assert replay["Idempotent-Replayed"] == "true"
    assert JournalEntry.objects.count() == 1
    got = finance.get(f"/api/v1/journal-entries/{entry['id']}").json()
    assert got["lines"] == entry["lines"]
    assert got["reversed_by_id"] is None
    listed = finance.get(f"/api/v1/journal-entries?account_id={acct('1010').pk}").json()
    assert [e["id"] for e in listed["items"]] == [entry["id"]]
    assert listed["items"][0]["total"] == "250.00"
    assert (
        finance.get(f"/api/v1/journal-entries?account_id={acct('1020').pk}").json()["items"] == []
    )
    assert (
        finance.get("/api/v1/journal-entries?source_type=manual&date_from=2000-01-01").json()[
            "items"
        ][0]["id"]
        == entry["id"]
    )


def _lines_with(**line0: Any) -> dict[str, Any]:
    body = _entry_body()
    body["lines"][0] = {**body["lines"][0], **line0}
    return body


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"debit": "250.00", "credit": "250.00"}, "lines[0]"),
        ({"debit": "0", "credit": "0"}, "lines[0]"),
        # Refused by the schema's money pattern, named by its JSON path.
        ({"debit": "-250.00"}, "lines.0.debit"),
        ({"debit": "250.001"}, "lines.0.debit"),
        ({"account_id": 2**40}, "lines[0].account"),
        ({"fund_id": 2**40}, "lines[0].fund"),
        ({"function": "lunch"}, "lines[0].function"),
    ],
)
def test_bad_lines_are_422_naming_the_line(
    finance: Any, change: dict[str, Any], field: str
) -> None:
    problem = assert_problem(_post_entry(finance, _lines_with(**change)), 422)
    assert field in [e["field"] for e in problem["errors"]], problem
    assert not JournalEntry.objects.exists()


def test_unbalanced_entry(finance: Any) -> None:
    body = _entry_body()
    body["lines"][1]["credit"] = "200.00"
    problem = assert_problem(_post_entry(finance, body), 422)
    assert problem["errors"][0]["field"] == "lines"
    assert "does not balance" in problem["detail"]
    assert not JournalEntry.objects.exists()


def test_inactive_header_and_other_org_accounts(finance: Any, org_b: Any) -> None:
    Account.objects.filter(number="1020").update(is_active=False)
    problem = assert_problem(_post_entry(finance, _lines_with(account_id=acct("1020").pk)), 422)
    assert "inactive" in problem["errors"][0]["message"]
    problem = assert_problem(_post_entry(finance, _lines_with(account_id=acct("1000").pk)), 422)
    assert "header" in problem["errors"][0]["message"]
    with all_organizations():
        other = Account.all_orgs.get(organization=org_b, number="1010")
        other_fund = Fund.all_orgs.get(organization=org_b, is_general=True)
    problem = assert_problem(_post_entry(finance, _lines_with(account_id=other.pk)), 422)
    assert problem["errors"][0] == {"field": "lines[0].account", "message": "No such account."}
    problem = assert_problem(_post_entry(finance, _lines_with(fund_id=other_fund.pk)), 422)
    assert problem["errors"][0]["field"] == "lines[0].fund"
    assert not JournalLine.objects.exists()


def test_closed_period_is_422_on_date(books: Any, finance: Any) -> None:
    period = period_for(TODAY)
    assert period is not None
    response = send_json(finance, "POST", f"/api/v1/periods/{period.pk}/close", {})
    assert response.status_code == 200
    assert response.json()["status"] == "closed"
    assert_problem(send_json(finance, "POST", f"/api/v1/periods/{period.pk}/close", {}), 409)
    problem = assert_problem(_post_entry(finance), 422)
    assert problem["errors"][0]["field"] == "date"
    assert not JournalEntry.objects.exists()
    problem = assert_problem(
        send_json(finance, "POST", f"/api/v1/periods/{period.pk}/reopen", {"reason": ""}), 422
    )
    assert problem["errors"][0]["field"] == "reason"
    response = send_json(
        finance, "POST", f"/api/v1/periods/{period.pk}/reopen", {"reason": "Late invoice"}
    )
    assert response.json()["status"] == "open"
    assert_problem(
        send_json(finance, "POST", f"/api/v1/periods/{period.pk}/reopen", {"reason": "x"}), 409
    )
    assert _post_entry(finance).status_code == 201


def test_reverse_entry(finance: Any, viewer: Any) -> None:
    entry = _post_entry(finance).json()
    assert_problem(
        send_json(viewer, "POST", f"/api/v1/journal-entries/{entry['id']}/reverse", {}), 403
    )
    response = send_json(
        finance,
        "POST",
        f"/api/v1/journal-entries/{entry['id']}/reverse",
        {"memo": "Bounced cheque"},
    )
    assert response.status_code == 201, response.content
    reversal = response.json()
    assert (reversal["reverses_id"], reversal["source_type"], reversal["memo"]) == (
        entry["id"],
        "reversal",
        "Bounced cheque",
    )
    assert [(ln["debit"], ln["credit"]) for ln in reversal["lines"]] == [
        ("0.00", "250.00"),
        ("250.00", "0.00"),
    ]
    assert (
        finance.get(f"/api/v1/journal-entries/{entry['id']}").json()["reversed_by_id"]
        == (reversal["id"])
    )
    assert_problem(
        send_json(finance, "POST", f"/api/v1/journal-entries/{entry['id']}/reverse", {}), 409
    )
    tb = finance.get("/api/v1/reports/trial-balance").json()
    assert (tb["total_debit"], tb["total_credit"]) == ("0.00", "0.00")


# --- Periods, fiscal years -----------------------------------------------------------------------


def test_periods_and_fiscal_year_close(books: Any, admin: Any) -> None:
    years = admin.get("/api/v1/fiscal-years").json()["items"]
    assert len(years) == 1
    fy = years[0]
    periods = admin.get(f"/api/v1/periods?fiscal_year={fy['id']}&limit=200").json()["items"]
    assert len(periods) == 12
    assert all(p["status"] == "open" for p in periods)
    _post_entry(admin)
    # This year has not ended: it cannot be closed yet. Last year (opened by its first entry)
    # can.
    assert_problem(send_json(admin, "POST", f"/api/v1/fiscal-years/{fy['id']}/close", {}), 422)
    last_year = date(TODAY.year - 1, 6, 30)
    assert _post_entry(admin, _entry_body(date=last_year.isoformat())).status_code == 201
    fy = next(
        y
        for y in admin.get("/api/v1/fiscal-years").json()["items"]
        if y["start_date"] <= last_year.isoformat() <= y["end_date"]
    )
    response = send_json(admin, "POST", f"/api/v1/fiscal-years/{fy['id']}/close", {})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["fiscal_year"]["status"] == "closed"
    assert body["closing_entry_id"]
    assert not Period.objects.filter(fiscal_year_id=fy["id"], status="open").exists()
    assert_problem(send_json(admin, "POST", f"/api/v1/fiscal-years/{fy['id']}/close", {}), 409)


# --- Reports -------------------------------------------------------------------------------------


def test_trial_balance_and_fund_balances(finance: Any, restricted: Fund) -> None:
    _post_entry(finance)
    body = _entry_body()
    for line in body["lines"]:
        line["fund_id"] = restricted.pk
    body["lines"][1]["account_id"] = acct("4015").pk
    _post_entry(finance, body)
    tb = finance.get(f"/api/v1/reports/trial-balance?as_of={TODAY}").json()
    assert tb["as_of"] == TODAY.isoformat()
    assert tb["fund_id"] is None
    assert [(r["number"], r["debit"], r["credit"]) for r in tb["rows"]] == [
        ("1010", "500.00", "0.00"),
        ("4010", "0.00", "250.00"),
        ("4015", "0.00", "250.00"),
    ]
    assert (tb["total_debit"], tb["total_credit"]) == ("500.00", "500.00")
    only = finance.get(f"/api/v1/reports/trial-balance?fund={restricted.pk}").json()
    assert [r["number"] for r in only["rows"]] == ["1010", "4015"]
    past = finance.get(f"/api/v1/reports/trial-balance?as_of={TODAY - timedelta(days=400)}")
    assert past.json()["rows"] == []
    fb = finance.get("/api/v1/reports/fund-balances").json()
    assert [(r["code"], r["balance"]) for r in fb["rows"]] == [
        ("GEN", "250.00"),
        ("YOUTH", "250.00"),
    ]


def test_account_ledger_running_balance_pages(finance: Any) -> None:
    for amount in ("100.00", "50.00", "25.00"):
        body = _entry_body()
        body["lines"][0]["debit"] = amount
        body["lines"][1]["credit"] = amount
        _post_entry(finance, body)
    cash = acct("1010").pk
    page1 = finance.get(f"/api/v1/accounts/{cash}/ledger?limit=2").json()
    assert page1["opening_balance"] == "0.00"
    assert [(x["debit"], x["balance"]) for x in page1["items"]] == [
        ("100.00", "100.00"),
        ("50.00", "150.00"),
    ]
    page2 = finance.get(f"/api/v1/accounts/{cash}/ledger?limit=2&cursor={page1['next']}").json()
    assert [(x["debit"], x["balance"]) for x in page2["items"]] == [("25.00", "175.00")]
    assert page2["next"] is None
    revenue = finance.get(f"/api/v1/accounts/{acct('4010').pk}/ledger").json()
    assert revenue["items"][-1]["balance"] == "175.00"  # credit-normal: shown positive
    later = finance.get(
        f"/api/v1/accounts/{cash}/ledger?date_from={TODAY + timedelta(days=1)}"
    ).json()
    assert (later["opening_balance"], later["items"]) == ("175.00", [])
    assert_problem(finance.get(f"/api/v1/accounts/{cash}/ledger?cursor=nope"), 400)


# --- Imports -------------------------------------------------------------------------------------


def test_chart_import_dry_run_then_commit(admin: Any) -> None:
    upload = SimpleUploadedFile("ucoa.csv", BANANA, content_type="text/csv")
    dry = admin.post("/api/v1/accounts/import", {"file": upload, "dry_run": "true"})
    assert dry.status_code == 200, dry.content
    body = dry.json()
    assert body["dry_run"] is True
    assert body["format"] == "ucoa"
    assert body["problems"] == []
    assert any(s["value"] == ".PRO1" for s in body["skipped"])
    assert not Account.objects.filter(number="9930").exists()
    upload = SimpleUploadedFile("ucoa.csv", BANANA, content_type="text/csv")
    done = admin.post("/api/v1/accounts/import", {"file": upload})
    assert done.status_code == 200, done.content
    assert len(done.json()["created"]) == len(body["created"])
    assert Account.objects.filter(number="9930").exists()
    assert AuditEvent.objects.filter(action="chart.import").count() == 1


def test_chart_import_problems(admin: Any) -> None:
    data = b"number,name,type,parent_number\n10x,Bad,asset,\n"
    dry = admin.post(
        "/api/v1/accounts/import",
        {"file": SimpleUploadedFile("c.csv", data), "dry_run": "true"},
    ).json()
    assert dry["problems"] == [
        {
            "row": 2,
            "column": "number",
            "field": "row[2].number",
            "message": "Row 2, column number: '10x' is not an account number: up to 20 "
            "characters: digits, dots and dashes, starting with a digit",
        }
    ]
    problem = assert_problem(
        admin.post("/api/v1/accounts/import", {"file": SimpleUploadedFile("c.csv", data)}), 422
    )
    assert problem["errors"][0]["field"] == "row[2].number"
    problem = assert_problem(
        admin.post(
            "/api/v1/accounts/import",
            {
                "file": SimpleUploadedFile(
                    "c.csv", "number,name,type,parent_number\n1,\xe9,asset,\n".encode("latin-1")
                )
            },
        ),
        422,
    )
    assert problem["errors"][0]["field"] == "row[2].name"


def test_opening_balances_import_api(admin: Any, viewer: Any) -> None:
    data = b"account_number,fund_code,debit,credit\n1010,GEN,1000.00,\n3010,GEN,,1000.00\n"
    assert_problem(
        viewer.post(
            "/api/v1/opening-balances/import",
            {"file": SimpleUploadedFile("o.csv", data), "date": TODAY.isoformat()},
        ),
        403,
    )
    dry = admin.post(
        "/api/v1/opening-balances/import",
        {"file": SimpleUploadedFile("o.csv", data), "date": TODAY.isoformat(), "dry_run": "true"},
    )
    assert dry.status_code == 200, dry.content
    assert dry.json()["entry_id"] is None
    assert dry.json()["total_debit"] == "1000.00"
    assert not JournalEntry.objects.exists()
    done = admin.post(
        "/api/v1/opening-balances/import",
        {"file": SimpleUploadedFile("o.csv", data), "date": TODAY.isoformat()},
    ).json()
    entry = JournalEntry.objects.get()
    assert (done["entry_id"], entry.source_type) == (entry.pk, "opening")
    lines = JournalLine.objects.filter(entry=entry)
    assert sum(x.debit for x in lines) == Decimal("1000.00")
