"""The periods API through bearer tokens: periods and the year-end close."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from ifm.core.tests.api_helpers import api_client_for, assert_problem, send_json
from ifm.ledger.journal.tests.test_api import entry_body, post_entry_via_api
from ifm.ledger.models import Period

TODAY = date.today()


@pytest.fixture
def admin(books: Any, cast: dict[str, Any]) -> Any:
    return api_client_for(cast["admin"], books)


# --- Periods, fiscal years -----------------------------------------------------------------------


def test_periods_and_fiscal_year_close(books: Any, admin: Any) -> None:
    years = admin.get("/api/v1/fiscal-years").json()["items"]
    assert len(years) == 1
    fy = years[0]
    periods = admin.get(f"/api/v1/periods?fiscal_year={fy['id']}&limit=200").json()["items"]
    assert len(periods) == 12
    assert all(p["status"] == "open" for p in periods)
    post_entry_via_api(admin)
    # This year has not ended: it cannot be closed yet. Last year (opened by its first entry)
    # can.
    assert_problem(send_json(admin, "POST", f"/api/v1/fiscal-years/{fy['id']}/close", {}), 422)
    last_year = date(TODAY.year - 1, 6, 30)
    assert post_entry_via_api(admin, entry_body(date=last_year.isoformat())).status_code == 201
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
