"""PATCH /api/v1/donations/{id}: the edit page's change through the API. Only the fields sent
change, a stale version is a 409, refusals are problem documents naming the field and write
nothing, another organization's gift is a 404, and a receipted gift's receipt stops being
current when its amount changes."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from ifm.audit.models import AuditEvent
from ifm.core.org_context import org_context
from ifm.core.tests.api_helpers import api_client_for, assert_problem, send_json
from ifm.donors.conftest import access_of
from ifm.donors.gifts import services
from ifm.donors.models import Donation, Donor
from ifm.donors.people.services import donor_create
from ifm.donors.receipts.issue import receipt_issue
from ifm.ledger.models import Fund, JournalEntry
from ifm.tenancy.models import Organization

pytestmark = pytest.mark.django_db

TODAY = date.today()


@pytest.fixture(autouse=True)
def _private_media(settings: Any, tmp_path: Any) -> None:
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


@pytest.fixture
def ann(fundraiser: dict[str, Any]) -> Donor:
    return donor_create(**fundraiser, first_name="Ann", last_name="Lee", email="ann@example.org")


@pytest.fixture
def gift(fundraiser: dict[str, Any], ann: Donor, general_fund: Fund) -> Donation:
    return services.donation_record(
        **fundraiser,
        donor=ann,
        amount=Decimal("250.00"),
        date=TODAY,
        method="check",
        fund=general_fund,
        check_number="1042",
        notes="First",
    )


@pytest.fixture
def api(donors_org: Organization, cast: dict[str, Any]) -> Client:
    return api_client_for(cast["fundraising"], donors_org)


def patch(client: Client, donation_id: int, body: dict[str, Any]) -> Any:
    return send_json(client, "PATCH", f"/api/v1/donations/{donation_id}", body)


def test_it_changes_only_the_fields_sent_and_reposts(
    api: Client, gift: Donation, youth_fund: Fund
) -> None:
    old_entry = gift.journal_entry_id
    response = patch(
        api, gift.pk, {"version": 1, "amount": "275.00", "fund_id": youth_fund.pk, "notes": "Fix"}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["amount"] == "275.00"
    assert body["fund_id"] == youth_fund.pk
    assert body["notes"] == "Fix"
    assert body["version"] == 2
    # Unsent fields keep their values.
    assert body["check_number"] == "1042"
    assert body["method"] == "check"
    assert body["date"] == TODAY.isoformat()
    gift.refresh_from_db()
    assert gift.amount == Decimal("275.00")
    assert gift.journal_entry_id != old_entry
    assert gift.journal_entry is not None
    new_lines = JournalEntry.objects.get(pk=gift.journal_entry.pk).lines.all()
    assert sum(line.debit for line in new_lines) == Decimal("275.00")
    event = AuditEvent.objects.filter(action="donation.update", object_id=str(gift.pk)).get()
    assert event.changes["amount"] == {"before": "250.00", "after": "275.00"}


def test_null_clears_a_link_and_leaves_other_fields_alone(
    api: Client, gift: Donation, fundraiser: dict[str, Any]
) -> None:
    campaign = services.campaign_create(**fundraiser, name="Spring")
    assert patch(api, gift.pk, {"version": 1, "campaign_id": campaign.pk}).status_code == 200
    response = patch(api, gift.pk, {"version": 2, "campaign_id": None, "notes": None})
    assert response.status_code == 200, response.content
    gift.refresh_from_db()
    assert gift.campaign_id is None
    assert gift.notes == "First"


def test_a_stale_version_is_a_409_and_changes_nothing(api: Client, gift: Donation) -> None:
    assert patch(api, gift.pk, {"version": 1, "notes": "One"}).status_code == 200
    stale = patch(api, gift.pk, {"version": 1, "amount": "1.00"})
    problem = assert_problem(stale, 409)
    assert "changed" in problem["detail"].lower()
    gift.refresh_from_db()
    assert gift.amount == Decimal("250.00")
    assert gift.version == 2


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"amount": "-5.00"}, "amount"),
        ({"amount": "12.345"}, "amount"),
        ({"amount": 12.5}, "amount"),
        ({"date": "12/4"}, "date"),
        ({"method": "barter"}, "method"),
        ({"fund_id": 0}, "fund_id"),
        ({"check_number": "x" * 31}, "check_number"),
        ({"colour": "red"}, "colour"),
        ({"version": "one"}, "version"),
    ],
)
def test_malformed_fields_are_422_problems_naming_the_field(
    api: Client, gift: Donation, body: dict[str, Any], field: str
) -> None:
    problem = assert_problem(patch(api, gift.pk, {"version": 1, **body}), 422)
    assert field in {e["field"].split(".")[-1] for e in problem["errors"]}, problem
    gift.refresh_from_db()
    assert gift.version == 1


def test_broken_rules_are_422_problems_from_the_same_service(
    api: Client, gift: Donation, org_b: Organization
) -> None:
    far = (TODAY + timedelta(days=800)).isoformat()
    problem = assert_problem(patch(api, gift.pk, {"version": 1, "date": far}), 422)
    assert problem["errors"][0]["field"] == "date"
    cash = assert_problem(patch(api, gift.pk, {"version": 1, "method": "cash"}), 422)
    assert cash["errors"] == [
        {"field": "check_number", "message": "A check number goes with the check method only."}
    ]
    gifts = patch(api, gift.pk, {"version": 1, "goods_services_value": "300.00"})
    fields = {e["field"] for e in assert_problem(gifts, 422)["errors"]}
    assert "goods_services_value" in fields
    with org_context(org_b):
        theirs = Fund.objects.get(is_general=True)
    other_fund = assert_problem(patch(api, gift.pk, {"version": 1, "fund_id": theirs.pk}), 422)
    assert other_fund["errors"][0]["field"] == "fund_id"
    gift.refresh_from_db()
    assert (gift.version, gift.method, gift.amount) == (1, "check", Decimal("250.00"))


def test_a_viewer_may_not_change_a_gift(
    gift: Donation, donors_org: Organization, cast: dict[str, Any]
) -> None:
    viewer = api_client_for(cast["viewer"], donors_org)
    assert_problem(patch(viewer, gift.pk, {"version": 1, "amount": "1.00"}), 403)
    gift.refresh_from_db()
    assert gift.amount == Decimal("250.00")


def test_another_organizations_gift_is_a_404(
    api: Client, gift: Donation, org_b: Organization, cast: dict[str, Any]
) -> None:
    other = cast["other_admin"]
    with org_context(org_b):
        donor = donor_create(
            organization=org_b, actor=other, access=access_of(other), first_name="Bo"
        )
        theirs = services.donation_record(
            organization=org_b,
            actor=other,
            access=access_of(other),
            donor=donor,
            amount=Decimal("80.00"),
            date=TODAY,
            method="cash",
            fund=Fund.objects.get(is_general=True),
        )
    assert_problem(patch(api, theirs.pk, {"version": 1, "amount": "1.00"}), 404)
    assert_problem(patch(api, 999_999, {"version": 1, "amount": "1.00"}), 404)
    with org_context(org_b):
        theirs.refresh_from_db()
        assert theirs.amount == Decimal("80.00")


def test_a_voided_gift_cannot_be_changed(
    api: Client, gift: Donation, fundraiser: dict[str, Any]
) -> None:
    services.donation_void(**fundraiser, donation=gift, reason="Bounced")
    gift.refresh_from_db()
    problem = assert_problem(patch(api, gift.pk, {"version": gift.version, "notes": "x"}), 409)
    assert "voided" in problem["detail"]


def test_changing_a_receipted_amount_makes_the_receipt_not_current(
    api: Client, gift: Donation, fundraiser: dict[str, Any]
) -> None:
    receipt = receipt_issue(**fundraiser, donation=gift)
    before = api.get(f"/api/v1/receipts/{receipt.pk}")
    assert before.status_code == 200, before.content
    assert before.json()["is_current"] is True

    assert patch(api, gift.pk, {"version": 1, "notes": "Only a note"}).status_code == 200
    assert api.get(f"/api/v1/receipts/{receipt.pk}").json()["is_current"] is True

    assert patch(api, gift.pk, {"version": 2, "amount": "275.00"}).status_code == 200
    after = api.get(f"/api/v1/receipts/{receipt.pk}")
    assert after.json()["is_current"] is False
