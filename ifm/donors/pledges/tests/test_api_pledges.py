"""/api/v1/pledges and /api/v1/recurring-gifts with real tokens: create, pay down through
/donations, cancel; recurring gifts paused, resumed and ended; 422s that write nothing,
idempotent creation, other organizations' ids and roles without permission."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client

from ifm.core.org_context import org_context
from ifm.core.tests.api_helpers import api_client_for, assert_problem, send_json
from ifm.donors.gifts import services as gift_services
from ifm.donors.models import (
    Campaign,
    Donor,
    Pledge,
    PledgeInstallment,
    RecurringGift,
)
from ifm.donors.people import services as people_services
from ifm.donors.pledges import services
from ifm.ledger.models import Fund
from ifm.tenancy.models import Organization

TODAY = date.today()


@pytest.fixture
def clients(donors_org: Any, cast: dict[str, Any]) -> dict[str, Client]:
    clients = {
        role: api_client_for(cast[role], donors_org)
        for role in ("fundraising", "viewer", "staff", "finance")
    }
    clients["other_admin"] = api_client_for(
        cast["other_admin"], Organization.objects.get(slug="beta")
    )
    return clients


@pytest.fixture
def ann(fundraiser: dict[str, Any]) -> Donor:
    return people_services.donor_create(**fundraiser, first_name="Ann", last_name="Lee")


def _pledge_body(donor_id: int, fund_id: int, **extra: Any) -> dict[str, Any]:
    return {
        "donor_id": donor_id,
        "total": "900.00",
        "date": TODAY.isoformat(),
        "fund_id": fund_id,
    } | extra


def _gift(client: Client, donor_id: int, fund_id: int, amount: str, **extra: Any) -> Any:
    body = {
        "donor_id": donor_id,
        "amount": amount,
        "date": TODAY.isoformat(),
        "method": "cash",
        "fund_id": fund_id,
    } | extra
    response = send_json(client, "POST", "/api/v1/donations", body)
    assert response.status_code == 201, response.content
    return response.json()


def test_pledge_round_trip(clients: dict[str, Client], ann: Donor, general_fund: Fund) -> None:
    fr = clients["fundraising"]
    response = send_json(
        fr,
        "POST",
        "/api/v1/pledges",
        _pledge_body(ann.pk, general_fund.pk, installment_count=3, frequency="monthly"),
    )
    assert response.status_code == 201, response.content
    pledge = response.json()
    assert (pledge["total"], pledge["paid"], pledge["balance_due"]) == ("900.00", "0.00", "900.00")
    assert [i["amount"] for i in pledge["installments"]] == ["300.00"] * 3
    assert [i["status"] for i in pledge["installments"]] == ["due"] * 3
    assert PledgeInstallment.objects.filter(pledge_id=pledge["id"]).count() == 3

    _gift(fr, ann.pk, general_fund.pk, "450.00", pledge_id=pledge["id"])
    got = fr.get(f"/api/v1/pledges/{pledge['id']}").json()
    assert (got["paid"], got["balance_due"], got["status"]) == ("450.00", "450.00", "open")
    assert [i["status"] for i in got["installments"]] == ["paid", "partly_paid", "due"]
    assert [i["paid"] for i in got["installments"]] == ["300.00", "150.00", "0.00"]
    assert len(got["payments"]) == 1

    _gift(fr, ann.pk, general_fund.pk, "450.00", pledge_id=pledge["id"])
    got = clients["viewer"].get(f"/api/v1/pledges/{pledge['id']}").json()
    assert (got["balance_due"], got["status"]) == ("0.00", "fulfilled")
    assert Pledge.objects.get().status == "fulfilled"

    listed = fr.get("/api/v1/pledges?status=fulfilled").json()
    assert [p["id"] for p in listed["items"]] == [pledge["id"]]
    assert fr.get("/api/v1/pledges?status=open").json()["items"] == []
    assert fr.get(f"/api/v1/pledges?donor_id={ann.pk}").json()["items"][0]["paid"] == "900.00"


def test_explicit_installments_and_cancel(
    clients: dict[str, Client], ann: Donor, general_fund: Fund, fundraiser: dict[str, Any]
) -> None:
    fr = clients["fundraising"]
    campaign = gift_services.campaign_create(**fundraiser, name="Roof")
    later = (TODAY + timedelta(days=400)).isoformat()
    response = send_json(
        fr,
        "POST",
        "/api/v1/pledges",
        _pledge_body(
            ann.pk,
            general_fund.pk,
            total="500.00",
            campaign_id=campaign.pk,
            installments=[
                {"due_date": TODAY.isoformat(), "amount": "100.00"},
                {"due_date": later, "amount": "400.00"},
            ],
        ),
    )
    assert response.status_code == 201, response.content
    pledge = response.json()
    assert pledge["campaign_id"] == campaign.pk
    assert [i["due_date"] for i in pledge["installments"]] == [TODAY.isoformat(), later]
    assert (
        fr.get(f"/api/v1/pledges?campaign_id={campaign.pk}").json()["items"][0]["id"]
        == (pledge["id"])
    )

    cancel_url = f"/api/v1/pledges/{pledge['id']}/cancel"
    cancel = send_json(fr, "POST", cancel_url, {"reason": "The roof was paid by a grant"})
    assert cancel.status_code == 200, cancel.content
    assert (cancel.json()["status"], cancel.json()["balance_due"]) == ("cancelled", "0.00")
    assert Pledge.objects.get().status == "cancelled"
    assert_problem(send_json(fr, "POST", cancel_url, {"reason": "Again"}), 409)
    # a cancelled pledge takes no more gifts
    refused = send_json(
        fr,
        "POST",
        "/api/v1/donations",
        {
            "donor_id": ann.pk,
            "amount": "10.00",
            "date": TODAY.isoformat(),
            "method": "cash",
            "fund_id": general_fund.pk,
            "pledge_id": pledge["id"],
        },
    )
    assert assert_problem(refused, 422)["errors"][0]["field"] == "pledge_id"


def test_pledge_422s_write_nothing(
    clients: dict[str, Client], ann: Donor, general_fund: Fund, org_b: Organization
) -> None:
    fr = clients["fundraising"]
    with org_context(org_b):
        from ifm.ledger.chart.services import chart_create_from_template

        chart_create_from_template(organization=org_b)
        other_fund = Fund.objects.get(is_general=True)
        other_donor = Donor.objects.create(organization=org_b, first_name="Zed", last_name="B")
        other_campaign = Campaign.objects.create(organization=org_b, name="Theirs")
    cases: list[tuple[dict[str, Any], str]] = [
        ({"total": "0"}, "total"),
        ({"total": "-5.00"}, "total"),
        ({"total": "10.005"}, "total"),
        ({"donor_id": other_donor.pk}, "donor_id"),
        ({"donor_id": 987654}, "donor_id"),
        ({"fund_id": other_fund.pk}, "fund_id"),
        ({"campaign_id": other_campaign.pk}, "campaign_id"),
        ({"installments": [{"due_date": TODAY.isoformat(), "amount": "100.00"}]}, "installments"),
        (
            {"installments": [{"due_date": TODAY.isoformat(), "amount": "900.001"}]},
            "installments.0.amount",  # the schema's money pattern, named by its JSON path
        ),
        ({"installment_count": 0}, "installment_count"),
        ({"installment_count": 3, "frequency": "daily"}, "frequency"),
        ({"colour": "red"}, "colour"),
    ]
    for extra, field in cases:
        body = _pledge_body(ann.pk, general_fund.pk) | extra
        response = send_json(fr, "POST", "/api/v1/pledges", body)
        problem = assert_problem(response, 422)
        assert field in {e["field"] for e in problem["errors"]}, (extra, problem)
    assert not Pledge.objects.exists()
    assert not PledgeInstallment.objects.exists()


def test_idempotent_pledge(clients: dict[str, Client], ann: Donor, general_fund: Fund) -> None:
    fr = clients["fundraising"]
    body = _pledge_body(ann.pk, general_fund.pk)
    key = {"Idempotency-Key": "pledge-1"}
    first = send_json(fr, "POST", "/api/v1/pledges", body, headers=key)
    second = send_json(fr, "POST", "/api/v1/pledges", body, headers=key)
    assert first.status_code == second.status_code == 201
    assert second["Idempotent-Replayed"] == "true"
    assert first.json() == second.json()
    assert Pledge.objects.count() == 1
    changed = send_json(fr, "POST", "/api/v1/pledges", body | {"total": "1.00"}, headers=key)
    assert assert_problem(changed, 422)["errors"][0]["field"] == "Idempotency-Key"
    assert Pledge.objects.count() == 1


def test_recurring_round_trip(clients: dict[str, Client], ann: Donor, general_fund: Fund) -> None:
    fr = clients["fundraising"]
    body = {
        "donor_id": ann.pk,
        "amount": "25.00",
        "frequency": "monthly",
        "fund_id": general_fund.pk,
        "start_date": TODAY.isoformat(),
    }
    key = {"Idempotency-Key": "rg-1"}
    response = send_json(fr, "POST", "/api/v1/recurring-gifts", body, headers=key)
    assert response.status_code == 201, response.content
    again = send_json(fr, "POST", "/api/v1/recurring-gifts", body, headers=key)
    assert again.json() == response.json()
    assert RecurringGift.objects.count() == 1
    gift = response.json()
    assert (gift["amount"], gift["method"], gift["status"], gift["overdue"]) == (
        "25.00",
        "card",
        "active",
        False,
    )
    assert gift["next_date"] == TODAY.isoformat()

    _gift(fr, ann.pk, general_fund.pk, "25.00", recurring_id=gift["id"])
    got = fr.get(f"/api/v1/recurring-gifts/{gift['id']}").json()
    assert got["next_date"] == services.next_date(TODAY, "monthly").isoformat()

    path = f"/api/v1/recurring-gifts/{gift['id']}"
    assert fr.post(f"{path}/pause").json()["status"] == "paused"
    assert RecurringGift.objects.get().status == "paused"
    assert fr.get("/api/v1/recurring-gifts?status=paused").json()["items"][0]["id"] == gift["id"]
    assert fr.post(f"{path}/resume").json()["status"] == "active"
    ended = fr.post(f"{path}/end").json()
    assert (ended["status"], ended["next_date"]) == ("ended", None)
    problem = assert_problem(fr.post(f"{path}/resume"), 422)
    assert problem["errors"][0]["field"] == "status"
    assert RecurringGift.objects.get().status == "ended"


def test_recurring_overdue_and_422s(
    clients: dict[str, Client], ann: Donor, general_fund: Fund, fundraiser: dict[str, Any]
) -> None:
    late = services.recurring_gift_create(
        **fundraiser,
        donor=ann,
        amount="10.00",
        frequency="weekly",
        start_date=TODAY - timedelta(days=60),
        fund=general_fund,
    )
    fr = clients["fundraising"]
    listed = fr.get("/api/v1/recurring-gifts?overdue=true").json()["items"]
    assert [(g["id"], g["overdue"]) for g in listed] == [(late.pk, True)]

    base: dict[str, Any] = {
        "donor_id": ann.pk,
        "amount": "25.00",
        "frequency": "monthly",
        "fund_id": general_fund.pk,
        "start_date": TODAY.isoformat(),
    }
    cases: list[tuple[dict[str, Any], str]] = [
        ({"amount": "0.00"}, "amount"),
        ({"amount": "-1"}, "amount"),
        ({"amount": "1.999"}, "amount"),
        ({"method": "stock"}, "method"),
        ({"frequency": "daily"}, "frequency"),
        ({"donor_id": 999999}, "donor_id"),
        ({"end_date": (TODAY - timedelta(days=1)).isoformat()}, "end_date"),
    ]
    for extra, field in cases:
        problem = assert_problem(
            send_json(fr, "POST", "/api/v1/recurring-gifts", base | extra), 422
        )
        assert field in {e["field"] for e in problem["errors"]}, (extra, problem)
    assert RecurringGift.objects.count() == 1


def test_permissions_and_other_organization(
    clients: dict[str, Client], ann: Donor, general_fund: Fund, fundraiser: dict[str, Any]
) -> None:
    pledge = services.pledge_create(
        **fundraiser, donor=ann, total="100.00", date=TODAY, fund=general_fund
    )
    gift = services.recurring_gift_create(
        **fundraiser,
        donor=ann,
        amount="10.00",
        frequency="monthly",
        start_date=TODAY,
        fund=general_fund,
    )
    viewer, staff, other = clients["viewer"], clients["staff"], clients["other_admin"]
    assert viewer.get("/api/v1/pledges").status_code == 200
    assert viewer.get(f"/api/v1/recurring-gifts/{gift.pk}").status_code == 200
    assert_problem(staff.get("/api/v1/pledges"), 403)
    assert_problem(staff.get("/api/v1/recurring-gifts"), 403)
    assert_problem(
        send_json(viewer, "POST", "/api/v1/pledges", _pledge_body(ann.pk, general_fund.pk)), 403
    )
    why = {"reason": "Changed plans"}
    assert_problem(send_json(viewer, "POST", f"/api/v1/pledges/{pledge.pk}/cancel", why), 403)
    assert_problem(viewer.post(f"/api/v1/recurring-gifts/{gift.pk}/end"), 403)
    created = send_json(
        clients["finance"], "POST", "/api/v1/pledges", _pledge_body(ann.pk, general_fund.pk)
    )
    assert created.status_code == 201

    for path in (f"/api/v1/pledges/{pledge.pk}", f"/api/v1/recurring-gifts/{gift.pk}"):
        assert_problem(other.get(path), 404)
    assert_problem(send_json(other, "POST", f"/api/v1/pledges/{pledge.pk}/cancel", why), 404)
    for action in ("pause", "resume", "end"):
        assert_problem(other.post(f"/api/v1/recurring-gifts/{gift.pk}/{action}"), 404)
    assert other.get("/api/v1/pledges").json()["items"] == []
    assert other.get("/api/v1/recurring-gifts").json()["items"] == []
    pledge.refresh_from_db()
    gift.refresh_from_db()
    assert (pledge.status, gift.status) == ("open", "active")
