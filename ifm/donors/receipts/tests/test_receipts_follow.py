"""A receipt follows its gift: voiding a gift voids its receipts (page and API), editing what a
receipt states makes it no longer current until a correction is issued, and the gift page
offers "Issue a receipt" only while the gift has no standing receipt."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from ifm.audit.models import AuditEvent
from ifm.conftest import client_for
from ifm.core.tests.api_helpers import api_client_for, send_json
from ifm.donors.conftest import access_of
from ifm.donors.gifts import services as gift_services
from ifm.donors.models import Donation, Donor, ReceiptKind, TaxReceipt
from ifm.donors.people import services as people_services
from ifm.donors.receipts.issue import issue_receipt, receipt_issue, receipt_void
from ifm.donors.receipts.selectors import receipt_is_current
from ifm.ledger.models import Fund
from ifm.tenancy.models import Organization

pytestmark = pytest.mark.django_db

TODAY = date.today()
BANNER = b"This receipt no longer matches the gift: issue a corrected receipt"
ISSUE_BUTTON = b'id="issue-receipt"'


@pytest.fixture(autouse=True)
def _private_media(settings: Any, tmp_path: Any) -> None:
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


@pytest.fixture
def ctx(donors_org: Organization, cast: dict[str, Any]) -> dict[str, Any]:
    user = cast["fundraising"]
    return {"organization": donors_org, "actor": user, "access": access_of(user)}


@pytest.fixture
def donor(ctx: dict[str, Any]) -> Donor:
    return people_services.donor_create(
        **ctx, first_name="Ana", last_name="Reyes", email="ana@example.org"
    )


def give(ctx: dict[str, Any], donor: Donor, fund: Fund, amount: str = "300.00") -> Donation:
    return gift_services.donation_record(
        **ctx, donor=donor, amount=Decimal(amount), date=TODAY, method="check", fund=fund
    )


def gift_url(org: Organization, donation: Donation, rest: str = "") -> str:
    return f"/o/{org.slug}/donors/donations/{donation.pk}/{rest}"


def receipt_url(org: Organization, receipt: TaxReceipt, rest: str = "") -> str:
    return f"/o/{org.slug}/donors/receipts/{receipt.pk}/{rest}"


def edit_post(donation: Donation, **extra: Any) -> dict[str, Any]:
    donation.refresh_from_db()
    return {
        "version": str(donation.version),
        "amount": str(donation.amount),
        "date": donation.date.isoformat(),
        "method": donation.method,
        "fund": str(donation.fund_id),
        "notes": donation.notes,
    } | extra


def api_receipt(client: Client, receipt: TaxReceipt) -> dict[str, Any]:
    response = client.get(f"/api/v1/receipts/{receipt.pk}")
    assert response.status_code == 200, response.content
    body: dict[str, Any] = response.json()
    return body


# --- Voiding a gift voids its receipt ----------------------------------------------------------


def test_voiding_a_receipted_gift_on_its_page_voids_the_receipt(
    ctx: dict[str, Any], donor: Donor, general_fund: Fund, cast: dict[str, Any]
) -> None:
    org = ctx["organization"]
    donation = give(ctx, donor, general_fund)
    receipt = receipt_issue(**ctx, donation=donation)
    client = client_for(cast["fundraising"])

    done = client.post(gift_url(org, donation, "void/"), {"reason": "Check bounced"}, follow=True)
    assert done.status_code == 200
    page = done.content.decode()
    assert f"Its receipt No. {receipt.number} was voided with it." in page

    receipt.refresh_from_db()
    assert receipt.voided_at is not None
    assert receipt.void_reason == f"Gift {donation.reference} was voided: Check bounced"
    assert receipt.voided_by == cast["fundraising"]
    event = AuditEvent.objects.get(action="donors.receipt.void", object_id=str(receipt.pk))
    assert event.changes == {"void_reason": receipt.void_reason, "donation": donation.pk}
    assert not receipt_is_current(receipt)


def test_a_refused_gift_void_leaves_the_receipt_standing(
    ctx: dict[str, Any], donor: Donor, general_fund: Fund, cast: dict[str, Any]
) -> None:
    org = ctx["organization"]
    donation = give(ctx, donor, general_fund)
    receipt = receipt_issue(**ctx, donation=donation)
    client = client_for(cast["fundraising"])
    empty = client.post(gift_url(org, donation, "void/"), {"reason": "  "})
    assert empty.status_code == 422
    viewer = client_for(cast["viewer"])
    assert viewer.post(gift_url(org, donation, "void/"), {"reason": "x"}).status_code == 403
    receipt.refresh_from_db()
    donation.refresh_from_db()
    assert receipt.voided_at is None
    assert donation.status == "active"


def test_voiding_a_receipted_gift_through_the_api_voids_the_receipt(
    ctx: dict[str, Any], donor: Donor, general_fund: Fund, cast: dict[str, Any]
) -> None:
    org = ctx["organization"]
    donation = give(ctx, donor, general_fund)
    receipt = receipt_issue(**ctx, donation=donation)
    client = api_client_for(cast["finance"], org)
    assert api_receipt(client, receipt)["is_current"] is True

    response = send_json(
        client, "POST", f"/api/v1/donations/{donation.pk}/void", {"reason": "Entered twice"}
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "voided"

    body = api_receipt(client, receipt)
    assert body["voided_at"] is not None
    assert body["void_reason"] == f"Gift {donation.reference} was voided: Entered twice"
    assert body["is_current"] is False


def test_voiding_one_gift_of_a_statement_voids_the_statement(
    ctx: dict[str, Any], donor: Donor, general_fund: Fund, cast: dict[str, Any]
) -> None:
    org = ctx["organization"]
    first = give(ctx, donor, general_fund, "100.00")
    second = give(ctx, donor, general_fund, "200.00")
    statement = issue_receipt(
        organization=org,
        actor=ctx["actor"],
        donor=donor,
        donations=[first, second],
        kind=ReceiptKind.YEAR_END,
        tax_year=TODAY.year,
    )
    client = client_for(cast["fundraising"])
    done = client.post(gift_url(org, first, "void/"), {"reason": "Refunded"}, follow=True)
    page = done.content.decode()
    assert f"Year-end statement No. {statement.number} also covered other gifts" in page
    statement.refresh_from_db()
    assert statement.voided_at is not None
    assert statement.void_reason == f"Gift {first.reference} was voided: Refunded"
    second.refresh_from_db()
    assert second.status == "active"  # only the statement follows; the other gift stands


# --- Editing what a receipt states ------------------------------------------------------------


def test_editing_the_amount_makes_the_receipt_stale_until_corrected(
    ctx: dict[str, Any], donor: Donor, general_fund: Fund, cast: dict[str, Any]
) -> None:
    org = ctx["organization"]
    donation = give(ctx, donor, general_fund)
    receipt = receipt_issue(**ctx, donation=donation)
    pages = client_for(cast["fundraising"])
    api = api_client_for(cast["finance"], org)
    assert BANNER not in pages.get(gift_url(org, donation)).content

    edited = pages.post(gift_url(org, donation, "edit/"), edit_post(donation, amount="350.00"))
    assert edited.status_code == 302, edited.content
    assert api_receipt(api, receipt)["is_current"] is False

    gift_page = pages.get(gift_url(org, donation)).content
    assert BANNER in gift_page
    assert f'id="correct-stale-{receipt.pk}"'.encode() in gift_page
    assert ISSUE_BUTTON not in gift_page  # the gift has its receipt: correct it
    receipt_page = pages.get(receipt_url(org, receipt)).content
    assert BANNER in receipt_page
    assert f'id="correct-stale-{receipt.pk}"'.encode() in receipt_page

    corrected = pages.post(receipt_url(org, receipt, "correct/"))
    assert corrected.status_code == 302
    new = TaxReceipt.objects.get(replaces=receipt)
    assert new.total_amount == Decimal("350.00")
    assert api_receipt(api, new)["is_current"] is True
    assert api_receipt(api, receipt)["is_current"] is False  # replaced
    assert BANNER not in pages.get(gift_url(org, donation)).content
    assert BANNER not in pages.get(receipt_url(org, new)).content
    assert BANNER not in pages.get(receipt_url(org, receipt)).content


@pytest.mark.parametrize(
    "change",
    [
        {"date": "another day"},
        {"goods_services_value": "20.00", "goods_services_description": "A dinner"},
        {"method": "cash"},
    ],
)
def test_every_stated_field_makes_the_receipt_stale(
    ctx: dict[str, Any], donor: Donor, general_fund: Fund, change: dict[str, str]
) -> None:
    donation = give(ctx, donor, general_fund)
    receipt = receipt_issue(**ctx, donation=donation)
    values: dict[str, Any] = dict(change)
    if "date" in values:
        values["date"] = TODAY.replace(day=2 if TODAY.day == 1 else 1)
    gift_services.donation_update(
        **ctx, donation=donation, expected_version=donation.version, **values
    )
    assert not receipt_is_current(receipt)


def test_editing_a_note_keeps_the_receipt_current(
    ctx: dict[str, Any], donor: Donor, general_fund: Fund, cast: dict[str, Any]
) -> None:
    org = ctx["organization"]
    donation = give(ctx, donor, general_fund)
    receipt = receipt_issue(**ctx, donation=donation)
    pages = client_for(cast["fundraising"])
    edited = pages.post(
        gift_url(org, donation, "edit/"),
        edit_post(donation, notes="Called to thank her", designation="Roof"),
    )
    assert edited.status_code == 302, edited.content
    donation.refresh_from_db()
    assert donation.notes == "Called to thank her"
    assert api_receipt(api_client_for(cast["finance"], org), receipt)["is_current"] is True
    assert BANNER not in pages.get(gift_url(org, donation)).content
    assert BANNER not in pages.get(receipt_url(org, receipt)).content


def test_a_receipt_without_the_values_snapshot_is_compared_by_its_letter_lines(
    ctx: dict[str, Any], donor: Donor, general_fund: Fund
) -> None:
    donation = give(ctx, donor, general_fund)
    receipt = receipt_issue(**ctx, donation=donation)
    data = dict(receipt.content_data)
    del data["receipted"]  # as issued before the values were kept
    TaxReceipt.objects.filter(pk=receipt.pk).update(content_data=data)
    receipt.refresh_from_db()
    assert receipt_is_current(receipt)
    gift_services.donation_update(
        **ctx, donation=donation, expected_version=donation.version, notes="A note"
    )
    assert receipt_is_current(receipt)
    donation.refresh_from_db()
    gift_services.donation_update(
        **ctx, donation=donation, expected_version=donation.version, amount=Decimal("301.00")
    )
    assert not receipt_is_current(receipt)


# --- "Issue a receipt" -------------------------------------------------------------------------


def test_issue_a_receipt_shows_only_while_the_gift_has_none_standing(
    ctx: dict[str, Any], donor: Donor, general_fund: Fund, cast: dict[str, Any]
) -> None:
    org = ctx["organization"]
    donation = give(ctx, donor, general_fund)
    pages = client_for(cast["fundraising"])
    assert ISSUE_BUTTON in pages.get(gift_url(org, donation)).content

    issued = pages.post(f"/o/{org.slug}/donors/donations/{donation.pk}/receipt/")
    assert issued.status_code == 302
    receipt = TaxReceipt.objects.get(donations=donation)
    assert ISSUE_BUTTON not in pages.get(gift_url(org, donation)).content

    receipt_void(**ctx, receipt=receipt, reason="Wrong address")
    assert ISSUE_BUTTON in pages.get(gift_url(org, donation)).content
