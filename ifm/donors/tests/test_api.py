"""/api/v1/donors and /api/v1/donations with real tokens: round trip, errors, idempotency."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.test import Client

from ifm.core.org_context import org_context
from ifm.core.tests.api_helpers import api_client_for, assert_problem, send_json
from ifm.donors.models import Donation, Donor
from ifm.ledger.models import Fund, JournalEntry

TODAY = date.today().isoformat()


@pytest.fixture
def clients(donors_org: Any, cast: dict[str, Any]) -> dict[str, Client]:
    clients = {
        role: api_client_for(cast[role], donors_org) for role in ("fundraising", "viewer", "staff")
    }
    clients["other_admin"] = api_client_for(
        cast["other_admin"], donors_org.__class__.objects.get(slug="beta")
    )
    return clients


def _donor(client: Client, **extra: Any) -> dict[str, Any]:
    body = {"first_name": "Ann", "last_name": "Lee", "email": "ann@example.org"} | extra
    response = send_json(client, "POST", "/api/v1/donors", body)
    assert response.status_code == 201, response.content
    return response.json()


def _gift_body(donor_id: int, fund_id: int, **extra: Any) -> dict[str, Any]:
    return {
        "donor_id": donor_id,
        "amount": "150.00",
        "date": TODAY,
        "method": "check",
        "check_number": "5512",
        "fund_id": fund_id,
    } | extra


def test_full_round_trip(clients: dict[str, Client], general_fund: Fund) -> None:
    fr = clients["fundraising"]
    donor = _donor(fr, tags=["Board"], postal_code="12345")
    assert donor["name"] == "Ann Lee"
    assert donor["tags"] == ["Board"]
    assert donor["giving"]["lifetime_total"] == "0.00"

    # duplicate refused with the field, then accepted when confirmed
    dup = send_json(
        fr, "POST", "/api/v1/donors", {"last_name": "Other", "email": "ANN@example.org"}
    )
    problem = assert_problem(dup, 422)
    assert problem["errors"][0]["field"] == "duplicate"
    confirmed = send_json(
        fr,
        "POST",
        "/api/v1/donors",
        {"last_name": "Other", "email": "ann@example.org", "confirm_duplicate": True},
    )
    assert confirmed.status_code == 201

    response = send_json(
        fr,
        "POST",
        "/api/v1/donations",
        _gift_body(
            donor["id"],
            general_fund.pk,
            goods_services_description="Gala dinner",
            goods_services_value="40.00",
        ),
    )
    assert response.status_code == 201, response.content
    gift = response.json()
    assert gift["amount"] == "150.00"
    assert gift["deductible_amount"] == "110.00"
    assert gift["status"] == "active"
    assert gift["journal_entry_id"]
    entry = JournalEntry.objects.get(pk=gift["journal_entry_id"])
    assert entry.source_id == str(gift["id"])

    got = fr.get(f"/api/v1/donations/{gift['id']}").json()
    assert got == gift
    profile = clients["viewer"].get(f"/api/v1/donors/{donor['id']}").json()
    assert profile["giving"]["lifetime_total"] == "150.00"
    assert profile["giving"]["gift_count"] == 1

    patched = send_json(
        fr, "PATCH", f"/api/v1/donors/{donor['id']}", {"version": 1, "city": "Springfield"}
    )
    assert patched.status_code == 200
    assert patched.json()["city"] == "Springfield"
    stale = send_json(fr, "PATCH", f"/api/v1/donors/{donor['id']}", {"version": 1, "city": "X"})
    assert_problem(stale, 409)

    listing = clients["viewer"].get("/api/v1/donors?q=lee&limit=10").json()
    assert [d["id"] for d in listing["items"]] == [donor["id"]]

    voided = send_json(fr, "POST", f"/api/v1/donations/{gift['id']}/void", {"reason": "Bounced"})
    assert voided.status_code == 200
    assert voided.json()["status"] == "voided"
    assert JournalEntry.objects.filter(reverses_id=gift["journal_entry_id"]).exists()
    again = send_json(fr, "POST", f"/api/v1/donations/{gift['id']}/void", {"reason": "Again"})
    assert_problem(again, 409)
    assert fr.get(f"/api/v1/donors/{donor['id']}").json()["giving"]["lifetime_total"] == "0.00"


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"amount": "0"}, "amount"),
        ({"amount": "-10.00"}, "amount"),
        ({"amount": "10.123"}, "amount"),
        ({"amount": 10}, "amount"),
        (
            {"goods_services_value": "150.01", "goods_services_description": "x"},
            "goods_services_value",
        ),
        ({"method": "barter"}, "method"),
        ({"date": "2024-02-30"}, "date"),
        ({"fund_id": 999999}, "fund_id"),
        ({"donor_id": 999999}, "donor_id"),
        ({"surprise": 1}, "surprise"),
    ],
)
def test_bad_donation_input(
    clients: dict[str, Client], general_fund: Fund, extra: dict[str, Any], field: str
) -> None:
    donor = _donor(clients["fundraising"])
    entries = JournalEntry.objects.count()
    response = send_json(
        clients["fundraising"],
        "POST",
        "/api/v1/donations",
        _gift_body(donor["id"], general_fund.pk) | extra,
    )
    problem = assert_problem(response, 422)
    assert field in {e["field"].split(".")[-1] for e in problem["errors"]}, problem
    assert Donation.objects.count() == 0
    assert JournalEntry.objects.count() == entries


def test_other_organization(clients: dict[str, Client], general_fund: Fund, org_b: Any) -> None:
    donor = _donor(clients["fundraising"])
    gift = send_json(
        clients["fundraising"],
        "POST",
        "/api/v1/donations",
        _gift_body(donor["id"], general_fund.pk),
    ).json()
    other = clients["other_admin"]
    assert_problem(other.get(f"/api/v1/donors/{donor['id']}"), 404)
    assert_problem(other.get(f"/api/v1/donations/{gift['id']}"), 404)
    assert_problem(
        send_json(other, "POST", f"/api/v1/donations/{gift['id']}/void", {"reason": "x"}), 404
    )
    # B's admin names A's donor and fund: refused naming the field, nothing written
    with org_context(org_b):
        b_fund = Fund.objects.get(is_general=True)
        before = Donation.objects.count()
    problem = assert_problem(
        send_json(other, "POST", "/api/v1/donations", _gift_body(donor["id"], b_fund.pk)), 422
    )
    assert problem["errors"][0]["field"] == "donor_id"
    with org_context(org_b):
        assert Donation.objects.count() == before
    assert other.get("/api/v1/donors").json()["items"] == []


def test_permissions(clients: dict[str, Client], general_fund: Fund) -> None:
    donor = _donor(clients["fundraising"])
    assert_problem(send_json(clients["viewer"], "POST", "/api/v1/donors", {"last_name": "V"}), 403)
    assert_problem(
        send_json(
            clients["viewer"], "POST", "/api/v1/donations", _gift_body(donor["id"], general_fund.pk)
        ),
        403,
    )
    assert_problem(clients["staff"].get("/api/v1/donors"), 403)
    assert_problem(clients["staff"].get(f"/api/v1/donors/{donor['id']}"), 403)


def test_idempotent_donation(clients: dict[str, Client], general_fund: Fund) -> None:
    fr = clients["fundraising"]
    donor = _donor(fr)
    body = _gift_body(donor["id"], general_fund.pk)
    first = send_json(fr, "POST", "/api/v1/donations", body, headers={"Idempotency-Key": "k1"})
    second = send_json(fr, "POST", "/api/v1/donations", body, headers={"Idempotency-Key": "k1"})
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert Donation.objects.count() == 1
    with org_context(Donor.objects.get().organization):
        assert JournalEntry.objects.filter(source_type="donation").count() == 1
