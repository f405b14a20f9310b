"""The imports API through bearer tokens: a chart of accounts and opening balances."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from ifm.audit.models import AuditEvent
from ifm.core.tests.api_helpers import api_client_for, assert_problem
from ifm.ledger.models import Account, JournalEntry, JournalLine

TODAY = date.today()
BANANA = (Path(__file__).parent / "fixtures" / "ucoa_banana_accounts.csv").read_bytes()


@pytest.fixture
def admin(books: Any, cast: dict[str, Any]) -> Any:
    return api_client_for(cast["admin"], books)


@pytest.fixture
def viewer(books: Any, cast: dict[str, Any]) -> Any:
    return api_client_for(cast["viewer"], books)


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
