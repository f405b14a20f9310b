"""Pledge and recurring gift rules through both doors: a cancel needs a reason (kept, audited,
shown); a gift beyond what a pledge still owes is refused unless marked as an overpayment; a
donation's pledge can be changed from its edit form; a paused recurring gift keeps its next
date."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from ifm.audit.models import AuditEvent
from ifm.conftest import client_for
from ifm.core.errors import ServiceError
from ifm.core.tests.api_helpers import api_client_for, assert_problem, send_json
from ifm.donors.gifts import batches as gift_batches
from ifm.donors.gifts import services as gift_services
from ifm.donors.models import (
    Donation,
    Donor,
    Pledge,
    PledgeStatus,
    RecurringGift,
    RecurringStatus,
)
from ifm.donors.people import services as people_services
from ifm.donors.pledges import services
from ifm.ledger.models import Fund

pytestmark = pytest.mark.django_db

TODAY = date.today()
D = Decimal


def url(org: Any, rest: str = "") -> str:
    return f"/o/{org.slug}/donors/{rest}"


@pytest.fixture
def ann(fundraiser: dict[str, Any]) -> Donor:
    return people_services.donor_create(**fundraiser, first_name="Ann", last_name="Lee")


def pledge_of(fundraiser: dict[str, Any], donor: Donor, fund: Fund, total: str) -> Pledge:
    return services.pledge_create(**fundraiser, donor=donor, total=total, date=TODAY, fund=fund)


def gift(
    fundraiser: dict[str, Any], donor: Donor, fund: Fund, amount: str, **extra: Any
) -> Donation:
    values: dict[str, Any] = {"date": TODAY, "method": "cash"} | extra
    return gift_services.donation_record(
        **fundraiser, donor=donor, amount=D(amount), fund=fund, **values
    )


def paid(pledge: Pledge) -> Decimal:
    return Pledge.objects.get(pk=pledge.pk).paid


# --- Cancel with a reason -----------------------------------------------------------------------


def test_cancel_needs_a_reason_which_is_kept_and_audited(
    fundraiser: dict[str, Any], ann: Donor, general_fund: Fund
) -> None:
    pledge = pledge_of(fundraiser, ann, general_fund, "300.00")
    for blank in ("", "   "):
        with pytest.raises(ServiceError) as refused:
            services.pledge_cancel(**fundraiser, pledge=pledge, reason=blank)
        assert refused.value.errors[0]["field"] == "reason"
    pledge.refresh_from_db()
    assert (pledge.status, pledge.cancel_reason) == (PledgeStatus.OPEN, "")
    assert not AuditEvent.objects.filter(action="pledge.cancel").exists()

    services.pledge_cancel(**fundraiser, pledge=pledge, reason="  Moved   abroad ")
    pledge.refresh_from_db()
    assert (pledge.status, pledge.cancel_reason) == (PledgeStatus.CANCELLED, "Moved abroad")
    assert pledge.cancelled_at is not None
    event = AuditEvent.objects.get(action="pledge.cancel", object_id=str(pledge.pk))
    assert event.changes["reason"] == "Moved abroad"
    assert event.changes["status"] == {"before": "open", "after": "cancelled"}


def test_cancel_page_asks_why_and_shows_it(
    donors_org: Any,
    cast: dict[str, Any],
    fundraiser: dict[str, Any],
    ann: Donor,
    general_fund: Fund,
) -> None:
    pledge = pledge_of(fundraiser, ann, general_fund, "300.00")
    client = client_for(cast["fundraising"])
    detail = client.get(url(donors_org, f"pledges/{pledge.pk}/"))
    assert b'name="reason"' in detail.content

    refused = client.post(url(donors_org, f"pledges/{pledge.pk}/cancel/"), {"reason": ""})
    assert refused.status_code == 422
    assert b"Say why the pledge is cancelled." in refused.content
    assert Pledge.objects.get(pk=pledge.pk).status == PledgeStatus.OPEN

    done = client.post(
        url(donors_org, f"pledges/{pledge.pk}/cancel/"), {"reason": "Business closed"}
    )
    assert done.status_code == 302
    shown = client.get(url(donors_org, f"pledges/{pledge.pk}/"))
    assert b'id="cancel-reason"' in shown.content
    assert b"Business closed" in shown.content
    assert Pledge.objects.get(pk=pledge.pk).cancel_reason == "Business closed"


def test_cancel_api_needs_a_reason_and_returns_it(
    donors_org: Any,
    cast: dict[str, Any],
    fundraiser: dict[str, Any],
    ann: Donor,
    general_fund: Fund,
) -> None:
    pledge = pledge_of(fundraiser, ann, general_fund, "300.00")
    api = api_client_for(cast["fundraising"], donors_org)
    path = f"/api/v1/pledges/{pledge.pk}/cancel"
    for body in ({}, {"reason": ""}):
        problem = assert_problem(send_json(api, "POST", path, body), 422)
        assert problem["errors"][0]["field"].endswith("reason")
    problem = assert_problem(send_json(api, "POST", path, {"reason": "   "}), 422)
    assert problem["errors"][0] == {
        "field": "reason",
        "message": "Say why the pledge is cancelled.",
    }
    assert Pledge.objects.get(pk=pledge.pk).status == PledgeStatus.OPEN

    done = send_json(api, "POST", path, {"reason": "Pledged twice by mistake"})
    assert done.status_code == 200, done.content
    body = done.json()
    assert (body["status"], body["cancel_reason"]) == ("cancelled", "Pledged twice by mistake")
    assert body["cancelled_at"]
    assert api.get(f"/api/v1/pledges/{pledge.pk}").json()["cancel_reason"] == (
        "Pledged twice by mistake"
    )
    assert AuditEvent.objects.filter(action="pledge.cancel", object_id=str(pledge.pk)).count() == 1


# --- Overpayment --------------------------------------------------------------------------------


def test_a_gift_beyond_what_is_owed_needs_the_overpayment_mark(
    fundraiser: dict[str, Any], ann: Donor, general_fund: Fund
) -> None:
    pledge = pledge_of(fundraiser, ann, general_fund, "300.00")
    gift(fundraiser, ann, general_fund, "250.00", pledge=pledge)
    with pytest.raises(ServiceError) as refused:
        gift(fundraiser, ann, general_fund, "80.00", pledge=pledge)
    error = refused.value.errors[0]
    assert error["field"] == "amount"
    assert "still owes 50.00" in error["message"]
    assert "mark the gift as an overpayment" in error["message"]
    assert Donation.objects.count() == 1
    assert paid(pledge) == D("250.00")

    # Exactly what is owed needs no mark; after that, anything more does.
    exact = gift(fundraiser, ann, general_fund, "50.00", pledge=pledge)
    assert exact.pledge_overpayment is False
    assert Pledge.objects.get(pk=pledge.pk).status == PledgeStatus.FULFILLED
    with pytest.raises(ServiceError, match=r"still owes 0\.00"):
        gift(fundraiser, ann, general_fund, "0.01", pledge=pledge)
    extra = gift(fundraiser, ann, general_fund, "20.00", pledge=pledge, pledge_overpayment=True)
    assert extra.pledge_overpayment is True
    assert paid(pledge) == D("320.00")
    event = AuditEvent.objects.get(action="donation.record", object_id=str(extra.pk))
    assert event.changes["pledge_overpayment"] is True
    # The mark is kept only where the gift is indeed more than was owed.
    other = pledge_of(fundraiser, ann, general_fund, "100.00")
    under = gift(fundraiser, ann, general_fund, "10.00", pledge=other, pledge_overpayment=True)
    assert under.pledge_overpayment is False


def test_gifts_waiting_in_a_batch_count_as_applied(
    fundraiser: dict[str, Any], ann: Donor, general_fund: Fund
) -> None:
    pledge = pledge_of(fundraiser, ann, general_fund, "100.00")
    batch = gift_batches.gift_batch_create(
        **fundraiser, name="Sunday", date=TODAY, expected_count=2, expected_total="200.00"
    )
    gift(fundraiser, ann, general_fund, "100.00", pledge=pledge, batch=batch)
    with pytest.raises(ServiceError, match=r"100\.00 waiting in an open batch"):
        gift(fundraiser, ann, general_fund, "100.00", pledge=pledge, batch=batch)


def test_overpayment_through_the_api(
    donors_org: Any,
    cast: dict[str, Any],
    fundraiser: dict[str, Any],
    ann: Donor,
    general_fund: Fund,
) -> None:
    pledge = pledge_of(fundraiser, ann, general_fund, "100.00")
    api = api_client_for(cast["fundraising"], donors_org)
    body = {
        "donor_id": ann.pk,
        "amount": "150.00",
        "date": TODAY.isoformat(),
        "method": "cash",
        "fund_id": general_fund.pk,
        "pledge_id": pledge.pk,
    }
    problem = assert_problem(send_json(api, "POST", "/api/v1/donations", body), 422)
    assert problem["errors"][0]["field"] == "amount"
    assert "still owes 100.00" in problem["errors"][0]["message"]
    assert not Donation.objects.exists()

    marked = send_json(api, "POST", "/api/v1/donations", body | {"pledge_overpayment": True})
    assert marked.status_code == 201, marked.content
    assert marked.json()["pledge_overpayment"] is True
    assert api.get(f"/api/v1/pledges/{pledge.pk}").json()["paid"] == "150.00"


def test_overpayment_on_the_donation_form(
    donors_org: Any,
    cast: dict[str, Any],
    fundraiser: dict[str, Any],
    ann: Donor,
    general_fund: Fund,
) -> None:
    pledge = pledge_of(fundraiser, ann, general_fund, "100.00")
    client = client_for(cast["fundraising"])
    form = client.get(url(donors_org, f"donations/new/?donor={ann.pk}&pledge={pledge.pk}"))
    assert b'name="pledge_overpayment"' in form.content
    post = {
        "donor": str(ann.pk),
        "donor_text": ann.name,
        "amount": "120.00",
        "date": TODAY.isoformat(),
        "method": "cash",
        "fund": str(general_fund.pk),
        "pledge": str(pledge.pk),
    }
    refused = client.post(url(donors_org, "donations/new/"), post)
    assert refused.status_code == 200
    assert b"still owes 100.00" in refused.content
    assert not Donation.objects.exists()

    saved = client.post(url(donors_org, "donations/new/"), post | {"pledge_overpayment": "on"})
    assert saved.status_code == 302
    donation = Donation.objects.get()
    assert (donation.pledge_id, donation.pledge_overpayment) == (pledge.pk, True)
    detail = client.get(url(donors_org, f"donations/{donation.pk}/"))
    assert b"Overpayment" in detail.content


# --- Changing a donation's pledge ---------------------------------------------------------------


def _edit_post(donation: Donation, **extra: Any) -> dict[str, Any]:
    return {
        "version": str(donation.version),
        "amount": str(donation.amount),
        "date": donation.date.isoformat(),
        "method": donation.method,
        "fund": str(donation.fund_id),
    } | extra


def test_edit_form_moves_a_gift_between_pledges(
    donors_org: Any,
    cast: dict[str, Any],
    fundraiser: dict[str, Any],
    ann: Donor,
    general_fund: Fund,
) -> None:
    first = pledge_of(fundraiser, ann, general_fund, "100.00")
    second = pledge_of(fundraiser, ann, general_fund, "500.00")
    donation = gift(fundraiser, ann, general_fund, "100.00", pledge=first)
    assert Pledge.objects.get(pk=first.pk).status == PledgeStatus.FULFILLED
    client = client_for(cast["fundraising"])
    edit = url(donors_org, f"donations/{donation.pk}/edit/")

    page = client.get(edit)
    assert b'id="donation-pledge"' in page.content
    # The fulfilled pledge it pays stays a choice (and is chosen); the open one is offered.
    assert f'<option value="{first.pk}" selected>'.encode() in page.content
    assert f'<option value="{second.pk}"'.encode() in page.content

    moved = client.post(edit, _edit_post(donation, pledge=str(second.pk)))
    assert moved.status_code == 302, moved.content
    assert (paid(first), paid(second)) == (D("0.00"), D("100.00"))
    assert Pledge.objects.get(pk=first.pk).status == PledgeStatus.OPEN
    donation.refresh_from_db()
    assert donation.pledge_id == second.pk
    event = AuditEvent.objects.filter(action="donation.update", object_id=str(donation.pk)).get()
    assert event.changes["pledge"] == {"before": str(first.pk), "after": str(second.pk)}

    # Off any pledge.
    client.post(edit, _edit_post(donation, pledge=""))
    donation.refresh_from_db()
    assert donation.pledge_id is None
    assert (paid(first), paid(second)) == (D("0.00"), D("0.00"))


def test_edit_to_a_pledge_owing_less_needs_the_mark(
    donors_org: Any,
    cast: dict[str, Any],
    fundraiser: dict[str, Any],
    ann: Donor,
    general_fund: Fund,
) -> None:
    small = pledge_of(fundraiser, ann, general_fund, "50.00")
    donation = gift(fundraiser, ann, general_fund, "80.00")
    client = client_for(cast["fundraising"])
    edit = url(donors_org, f"donations/{donation.pk}/edit/")

    refused = client.post(edit, _edit_post(donation, pledge=str(small.pk)))
    assert refused.status_code == 200
    assert b"still owes 50.00" in refused.content
    donation.refresh_from_db()
    assert (donation.pledge_id, paid(small)) == (None, D("0.00"))

    client.post(edit, _edit_post(donation, pledge=str(small.pk), pledge_overpayment="on"))
    donation.refresh_from_db()
    assert (donation.pledge_id, donation.pledge_overpayment) == (small.pk, True)
    assert paid(small) == D("80.00")

    # Raising the amount of a gift on a pledge is checked the same way (by the service).
    fitting = pledge_of(fundraiser, ann, general_fund, "100.00")
    within = gift(fundraiser, ann, general_fund, "60.00", pledge=fitting)
    with pytest.raises(ServiceError, match=r"still owes 100\.00"):
        gift_services.donation_update(
            **fundraiser, donation=within, expected_version=within.version, amount="120.00"
        )
    assert paid(fitting) == D("60.00")


def test_edit_refuses_another_donors_pledge(
    fundraiser: dict[str, Any], ann: Donor, general_fund: Fund
) -> None:
    bob = people_services.donor_create(**fundraiser, first_name="Bob", last_name="Ray")
    bobs = pledge_of(fundraiser, bob, general_fund, "100.00")
    donation = gift(fundraiser, ann, general_fund, "10.00")
    with pytest.raises(ServiceError) as refused:
        gift_services.donation_update(
            **fundraiser, donation=donation, expected_version=donation.version, pledge=bobs.pk
        )
    assert refused.value.errors[0]["field"] == "pledge_id"
    assert paid(bobs) == D("0.00")


# --- Paused recurring gifts ---------------------------------------------------------------------


def test_a_paused_recurring_gift_keeps_its_next_date(
    fundraiser: dict[str, Any], ann: Donor, general_fund: Fund
) -> None:
    start = TODAY - timedelta(days=120)
    recurring = services.recurring_gift_create(
        **fundraiser,
        donor=ann,
        amount="25.00",
        frequency="monthly",
        start_date=start,
        fund=general_fund,
    )
    paused = services.recurring_gift_set_status(
        **fundraiser,
        gift=recurring,
        status=RecurringStatus.PAUSED,
        expected_version=recurring.version,
    )
    # Gifts that come anyway, on each date the schedule would have moved on.
    dates = [start]
    for _ in range(2):
        dates.append(services.next_date(dates[-1], "monthly"))
    for on in dates:
        gift(fundraiser, ann, general_fund, "25.00", recurring=recurring, date=on)
        row = RecurringGift.objects.get(pk=recurring.pk)
        assert (row.status, row.next_date) == (RecurringStatus.PAUSED, start)
    assert Donation.objects.filter(recurring=recurring).count() == 3

    services.recurring_gift_set_status(
        **fundraiser, gift=recurring, status=RecurringStatus.ACTIVE, expected_version=paused.version
    )
    gift(fundraiser, ann, general_fund, "25.00", recurring=recurring, date=start)
    assert RecurringGift.objects.get(pk=recurring.pk).next_date == services.next_date(
        start, "monthly"
    )
