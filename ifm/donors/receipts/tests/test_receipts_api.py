"""/api/v1 receipt endpoints with real tokens: issue, PDF, void, correct, send, year-end runs."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from pypdf import PdfReader

from ifm.core.org_context import org_context
from ifm.core.tests.api_helpers import api_client_for, assert_problem, send_json
from ifm.donors.conftest import access_of
from ifm.donors.gifts import services as gift_services
from ifm.donors.models import Donation, TaxReceipt
from ifm.donors.people import services as people_services
from ifm.ledger.models import Fund
from ifm.tenancy.models import Organization

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _private_media(settings: Any, tmp_path: Any) -> None:
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def clients(donors_org: Organization, cast: dict[str, Any]) -> dict[str, Client]:
    return {
        role: api_client_for(cast[role], donors_org)
        for role in ("finance", "fundraising", "viewer", "staff")
    }


@pytest.fixture
def donation(fundraiser: dict[str, Any], general_fund: Fund) -> Donation:
    donor = people_services.donor_create(
        **fundraiser, first_name="Ana", last_name="Reyes", email="ana@example.org"
    )
    return gift_services.donation_record(
        **fundraiser,
        donor=donor,
        amount=Decimal("180.00"),
        date=date.today(),
        method="card",
        fund=general_fund,
        goods_services_description="a concert ticket",
        goods_services_value=Decimal("40.00"),
    )


def test_issue_and_download_through_the_api(clients: dict[str, Client], donation: Donation) -> None:
    finance = clients["finance"]
    response = finance.post(f"/api/v1/donations/{donation.pk}/receipt")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["number"] == 1
    assert body["kind"] == "single"
    assert body["donation_ids"] == [donation.pk]
    assert body["total_amount"] == "180.00"
    assert body["deductible_amount"] == "140.00"
    assert body["delivery_status"] == "not_sent"

    again = finance.post(f"/api/v1/donations/{donation.pk}/receipt")
    problem = assert_problem(again, 422)
    assert problem["errors"][0]["field"] == "donation_id"

    pdf = clients["viewer"].get(f"/api/v1/receipts/{body['id']}/pdf")
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    text = " ".join(
        " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages).split()
    )
    assert "No. 1" in text
    assert "a concert ticket" in text
    assert "$140.00" in text

    listed = clients["viewer"].get(f"/api/v1/receipts?donor_id={donation.donor_id}").json()
    assert [r["number"] for r in listed["items"]] == [1]


def test_issue_is_idempotent_with_a_key(clients: dict[str, Client], donation: Donation) -> None:
    headers = {"Idempotency-Key": "receipt-once"}
    first = clients["finance"].post(f"/api/v1/donations/{donation.pk}/receipt", headers=headers)
    second = clients["finance"].post(f"/api/v1/donations/{donation.pk}/receipt", headers=headers)
    assert first.status_code == second.status_code == 201
    assert second["Idempotent-Replayed"] == "true"
    assert first.json()["id"] == second.json()["id"]
    assert TaxReceipt.objects.count() == 1


def test_permissions_and_other_organizations(
    clients: dict[str, Client], donation: Donation, org_b: Organization, cast: dict[str, Any]
) -> None:
    assert_problem(clients["viewer"].post(f"/api/v1/donations/{donation.pk}/receipt"), 403)
    assert_problem(clients["staff"].post(f"/api/v1/donations/{donation.pk}/receipt"), 403)
    other = api_client_for(cast["other_admin"], org_b)
    assert_problem(other.post(f"/api/v1/donations/{donation.pk}/receipt"), 404)
    receipt_id = clients["finance"].post(f"/api/v1/donations/{donation.pk}/receipt").json()["id"]
    assert_problem(other.get(f"/api/v1/receipts/{receipt_id}/pdf"), 404)
    assert_problem(clients["finance"].get("/api/v1/receipts/999999/pdf"), 404)


def test_void_correct_and_send(
    clients: dict[str, Client],
    donation: Donation,
    run_jobs: Any,
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    finance = clients["finance"]
    first = finance.post(f"/api/v1/donations/{donation.pk}/receipt").json()

    corrected = finance.post(f"/api/v1/receipts/{first['id']}/correct")
    assert corrected.status_code == 201, corrected.content
    assert corrected.json()["replaces_number"] == first["number"]

    with django_capture_on_commit_callbacks(execute=True):
        sent = send_json(finance, "POST", f"/api/v1/receipts/{corrected.json()['id']}/send", {})
    assert sent.status_code == 202, sent.content
    assert sent.json()["delivery_status"] == "pending"
    run_jobs()
    assert (
        finance.get(f"/api/v1/receipts/{corrected.json()['id']}").json()["delivery_status"]
        == "sent"
    )
    assert len(mailoutbox) == 1

    missing = send_json(finance, "POST", f"/api/v1/receipts/{first['id']}/void", {})
    assert assert_problem(missing, 422)["errors"][0]["field"] == "reason"
    voided = send_json(
        finance, "POST", f"/api/v1/receipts/{first['id']}/void", {"reason": "Superseded"}
    )
    assert voided.status_code == 200, voided.content
    assert voided.json()["voided_at"] is not None
    assert voided.json()["number"] == first["number"]


def test_year_end_run_through_the_api(
    clients: dict[str, Client],
    donation: Donation,
    run_jobs: Any,
    donors_org: Organization,
    django_capture_on_commit_callbacks: Any,
) -> None:
    finance = clients["finance"]
    year = date.today().year
    with django_capture_on_commit_callbacks(execute=True):
        started = finance.post(f"/api/v1/receipts/year-end?year={year}")
    assert started.status_code == 202, started.content
    run = started.json()
    assert run["status"] == "queued"
    assert run["tax_year"] == year

    run_jobs()
    progress = clients["viewer"].get(f"/api/v1/receipts/runs/{run['id']}").json()
    assert (progress["status"], progress["total"], progress["done"], progress["percent"]) == (
        "done",
        1,
        1,
        100,
    )
    with org_context(donors_org):
        assert TaxReceipt.objects.filter(kind="year_end", tax_year=year).count() == 1

    bad = finance.post(f"/api/v1/receipts/year-end?year={year + 1}")
    assert assert_problem(bad, 422)["errors"][0]["field"] == "year"
    assert_problem(finance.post("/api/v1/receipts/year-end?year=abc"), 422)
    assert_problem(clients["viewer"].post(f"/api/v1/receipts/year-end?year={year}"), 403)


def test_viewer_cannot_change_anything(
    clients: dict[str, Client], donation: Donation, fundraiser: dict[str, Any]
) -> None:
    receipt_id = clients["finance"].post(f"/api/v1/donations/{donation.pk}/receipt").json()["id"]
    viewer = clients["viewer"]
    assert_problem(viewer.post(f"/api/v1/receipts/{receipt_id}/correct"), 403)
    assert_problem(
        send_json(viewer, "POST", f"/api/v1/receipts/{receipt_id}/void", {"reason": "x"}), 403
    )
    assert_problem(send_json(viewer, "POST", f"/api/v1/receipts/{receipt_id}/send", {}), 403)
    assert access_of(fundraiser["actor"]).role == "fundraising"


def test_send_to_a_donor_who_asked_not_to_be_emailed_is_a_422(
    clients: dict[str, Client],
    fundraiser: dict[str, Any],
    general_fund: Fund,
    django_capture_on_commit_callbacks: Any,
) -> None:
    from django_tasks_db.models import DBTaskResult

    donor = people_services.donor_create(
        **fundraiser, first_name="Cleo", last_name="Quiet", email="cleo@example.org", no_email=True
    )
    gift = gift_services.donation_record(
        **fundraiser,
        donor=donor,
        amount=Decimal("90.00"),
        date=date.today(),
        method="check",
        fund=general_fund,
    )
    finance = clients["finance"]
    receipt = finance.post(f"/api/v1/donations/{gift.pk}/receipt").json()
    with django_capture_on_commit_callbacks(execute=True):
        refused = send_json(finance, "POST", f"/api/v1/receipts/{receipt['id']}/send", {})
    problem = assert_problem(refused, 422)
    assert "Cleo Quiet asked not to be emailed: print the receipt instead." in problem["detail"]
    assert problem["errors"][0]["field"] == "to"
    assert TaxReceipt.objects.get(pk=receipt["id"]).delivery_status == "not_sent"
    assert not DBTaskResult.objects.exists()


def test_the_receipt_list_reads_currency_without_a_query_per_receipt(
    clients: dict[str, Client], fundraiser: dict[str, Any], general_fund: Fund
) -> None:
    finance, viewer = clients["finance"], clients["viewer"]
    donor = people_services.donor_create(**fundraiser, first_name="Li", last_name="Wen")

    def receipted_gift(amount: str) -> Donation:
        gift = gift_services.donation_record(
            **fundraiser,
            donor=donor,
            amount=Decimal(amount),
            date=date.today(),
            method="check",
            fund=general_fund,
        )
        assert finance.post(f"/api/v1/donations/{gift.pk}/receipt").status_code == 201
        return gift

    def list_queries() -> tuple[int, list[bool]]:
        with CaptureQueriesContext(connection) as queries:
            body = viewer.get(f"/api/v1/receipts?donor_id={donor.pk}").json()
        return len(queries), [r["is_current"] for r in body["items"]]

    first = receipted_gift("10.00")
    one, current = list_queries()
    assert current == [True]
    for amount in ("20.00", "30.00", "40.00", "50.00"):
        receipted_gift(amount)
    gift_services.donation_update(
        **fundraiser, donation=first, expected_version=first.version, amount=Decimal("11.00")
    )
    five, current = list_queries()
    assert current == [True, True, True, True, False]  # newest first; the edited gift's is stale
    assert five <= one  # the first call also records the token's use
