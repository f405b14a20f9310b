"""Pledge and recurring gift pages: create a pledge in installments, apply gifts to it from the
donation form until it is fulfilled, cancel; the list's filters, totals and exports; recurring
gifts set up, paused, resumed and ended, their next date advancing with each gift, the overdue
flag; the donor profile's links; permissions and other organizations' ids."""

from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from ifm.conftest import client_for
from ifm.core.org_context import org_context
from ifm.donors.gifts import services as gift_services
from ifm.donors.models import (
    Donation,
    Donor,
    Pledge,
    PledgeInstallment,
    PledgeStatus,
    RecurringGift,
    RecurringStatus,
)
from ifm.donors.people import services as people_services
from ifm.donors.pledges import services

pytestmark = pytest.mark.django_db

TODAY = date.today()
D = Decimal


def url(org: Any, rest: str = "") -> str:
    return f"/o/{org.slug}/donors/{rest}"


@pytest.fixture
def ann(fundraiser: dict[str, Any]) -> Donor:
    return people_services.donor_create(**fundraiser, first_name="Ann", last_name="Lee")


def _pledge(fundraiser: dict[str, Any], donor: Donor, fund: Any, **kw: Any) -> Pledge:
    values: dict[str, Any] = {"total": "300.00", "date": TODAY} | kw
    return services.pledge_create(**fundraiser, donor=donor, fund=fund, **values)


def _gift_post(donor: Donor, fund: Any, **extra: Any) -> dict[str, Any]:
    return {
        "donor": str(donor.pk),
        "donor_text": donor.name,
        "amount": "100.00",
        "date": TODAY.isoformat(),
        "method": "cash",
        "fund": str(fund.pk),
    } | extra


def test_create_pledge_in_installments_pay_it_and_see_it(
    donors_org: Any, cast: dict[str, Any], ann: Donor, general_fund: Any
) -> None:
    client = client_for(cast["fundraising"])
    form = client.get(url(donors_org, f"pledges/new/?donor={ann.pk}"))
    assert form.status_code == 200
    assert ann.name.encode() in form.content
    response = client.post(
        url(donors_org, "pledges/new/"),
        {
            "donor": str(ann.pk),
            "donor_text": ann.name,
            "total": "1000.00",
            "date": TODAY.isoformat(),
            "fund": str(general_fund.pk),
            "schedule": "installments",
            "installment_count": "3",
            "frequency": "quarterly",
            "notes": "Capital campaign",
        },
    )
    assert response.status_code == 302, response.content
    pledge = Pledge.objects.get()
    assert response["Location"] == url(donors_org, f"pledges/{pledge.pk}/")
    assert (pledge.donor_id, pledge.total, pledge.status) == (ann.pk, D("1000.00"), "open")
    installments = list(PledgeInstallment.objects.filter(pledge=pledge).order_by("due_date"))
    assert [i.amount for i in installments] == [D("333.34"), D("333.33"), D("333.33")]
    assert installments[0].due_date == TODAY
    assert installments[1].due_date == services._months_later(TODAY, 3)
    assert installments[2].due_date == services._months_later(TODAY, 6)

    # the donation form offers the pledge, with its next installment as the amount
    entry = client.get(url(donors_org, f"donations/new/?donor={ann.pk}&pledge={pledge.pk}"))
    assert entry.status_code == 200
    assert f'value="{pledge.pk}" selected'.encode() in entry.content
    assert b'value="333.34"' in entry.content
    options = client.get(url(donors_org, f"donations/links/?donor={ann.pk}"))
    assert f"Pledge {pledge.pk} of 1,000.00".encode() in options.content

    saved = client.post(
        url(donors_org, "donations/new/"),
        _gift_post(ann, general_fund, amount="400.00", pledge=str(pledge.pk)),
    )
    assert saved.status_code == 302, saved.content
    assert Donation.objects.get().pledge_id == pledge.pk
    pledge.refresh_from_db()
    assert (pledge.balance_due, pledge.status) == (D("600.00"), PledgeStatus.OPEN)
    detail = client.get(url(donors_org, f"pledges/{pledge.pk}/"))
    assert b'id="balance-due">600.00' in detail.content
    assert b"Partly paid" in detail.content
    assert b"Record a payment" in detail.content

    client.post(
        url(donors_org, "donations/new/"),
        _gift_post(ann, general_fund, amount="600.00", pledge=str(pledge.pk)),
    )
    pledge.refresh_from_db()
    assert (pledge.balance_due, pledge.status) == (D("0.00"), PledgeStatus.FULFILLED)
    assert Donation.objects.filter(pledge=pledge).count() == 2
    # a fulfilled pledge is no longer offered
    options = client.get(url(donors_org, f"donations/links/?donor={ann.pk}"))
    assert f"Pledge {pledge.pk}".encode() not in options.content

    profile = client.get(url(donors_org, f"{ann.pk}/"))
    assert f'href="{url(donors_org, f"pledges/{pledge.pk}/")}"'.encode() in profile.content


def test_one_payment_pledge_and_bad_input(
    donors_org: Any, cast: dict[str, Any], ann: Donor, general_fund: Any
) -> None:
    client = client_for(cast["fundraising"])
    base = {
        "donor": str(ann.pk),
        "donor_text": ann.name,
        "total": "250.00",
        "date": TODAY.isoformat(),
        "fund": str(general_fund.pk),
        "schedule": "once",
        "frequency": "monthly",
    }
    bad = client.post(url(donors_org, "pledges/new/"), base | {"total": "0"})
    assert bad.status_code == 200
    bad = client.post(url(donors_org, "pledges/new/"), base | {"schedule": "installments"})
    assert b"How many installments?" in bad.content
    assert not Pledge.objects.exists()
    assert client.post(url(donors_org, "pledges/new/"), base).status_code == 302
    pledge = Pledge.objects.get()
    assert [(i.due_date, i.amount) for i in pledge.installments.all()] == [(TODAY, D("250.00"))]


def test_gift_for_another_donors_pledge_is_refused(
    donors_org: Any, cast: dict[str, Any], fundraiser: dict[str, Any], ann: Donor, general_fund: Any
) -> None:
    bob = people_services.donor_create(**fundraiser, first_name="Bob", last_name="Ray")
    pledge = _pledge(fundraiser, ann, general_fund)
    client = client_for(cast["fundraising"])
    response = client.post(
        url(donors_org, "donations/new/"), _gift_post(bob, general_fund, pledge=str(pledge.pk))
    )
    assert response.status_code == 200
    assert b"Choose an open pledge of this donor." in response.content
    assert not Donation.objects.exists()


def test_cancel_pledge(
    donors_org: Any, cast: dict[str, Any], fundraiser: dict[str, Any], ann: Donor, general_fund: Any
) -> None:
    pledge = _pledge(fundraiser, ann, general_fund)
    client = client_for(cast["fundraising"])
    assert client.get(url(donors_org, f"pledges/{pledge.pk}/cancel/")).status_code == 405
    cancel = url(donors_org, f"pledges/{pledge.pk}/cancel/")
    assert client_for(cast["viewer"]).post(cancel, {"reason": "x"}).status_code == 403
    response = client.post(cancel, {"reason": "Moved away"})
    assert response.status_code == 302
    pledge.refresh_from_db()
    assert pledge.status == PledgeStatus.CANCELLED
    detail = client.get(url(donors_org, f"pledges/{pledge.pk}/"))
    assert b"Cancelled" in detail.content
    assert b'id="cancel-pledge"' not in detail.content
    assert b'id="balance-due">0.00' in detail.content


def test_pledge_list_filters_totals_and_export(
    donors_org: Any, cast: dict[str, Any], fundraiser: dict[str, Any], ann: Donor, general_fund: Any
) -> None:
    bob = people_services.donor_create(**fundraiser, first_name="Bob", last_name="Ray")
    spring = gift_services.campaign_create(**fundraiser, name="Spring")
    p1 = _pledge(fundraiser, ann, general_fund, total="500.00", campaign=spring)
    _pledge(fundraiser, bob, general_fund, total="200.00")
    p3 = _pledge(fundraiser, bob, general_fund, total="50.00")
    gift_services.donation_record(
        **fundraiser,
        donor=ann,
        fund=general_fund,
        amount="120.00",
        date=TODAY,
        method="cash",
        pledge=p1,
    )
    services.pledge_cancel(**fundraiser, pledge=p3, reason="Changed plans")
    client = client_for(cast["viewer"])
    page = client.get(url(donors_org, "pledges/"))
    assert page.status_code == 200
    assert b"3 pledges" in page.content
    totals = page.content.split(b'id="pledge-totals"')[1].split(b"</dl>")[0]
    # pledged 750, paid 120, due 380 + 200 (the cancelled pledge owes nothing)
    for amount in (b"750.00", b"120.00", b"580.00"):
        assert amount in totals
    assert b"New pledge" not in page.content
    only_ann = client.get(url(donors_org, "pledges/?q=ann"))
    assert b"1 pledge " in only_ann.content
    by_campaign = client.get(url(donors_org, f"pledges/?campaign={spring.pk}"))
    assert f"pledges/{p1.pk}/".encode() in by_campaign.content
    assert b"1 pledge " in by_campaign.content
    cancelled = client.get(url(donors_org, "pledges/?status=cancelled"))
    assert f"pledges/{p3.pk}/".encode() in cancelled.content
    partial = client.get(url(donors_org, "pledges/?status=open"), headers={"HX-Request": "true"})
    assert b"<html" not in partial.content
    assert b"2 pledges" in partial.content

    csv = client.get(url(donors_org, "pledges/export.csv?status=open"))
    text = b"".join(csv).decode("utf-8-sig")
    lines = text.strip().splitlines()
    assert lines[0].startswith("Pledge,Date,Donor id,Donor")
    assert len(lines) == 3
    assert any("Ann Lee" in line and "500.00,120.00,380.00" in line for line in lines)
    xlsx = client.get(url(donors_org, "pledges/export.xlsx"))
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None
    assert sheet.max_row == 4


def test_recurring_gift_pages(
    donors_org: Any, cast: dict[str, Any], ann: Donor, general_fund: Any
) -> None:
    client = client_for(cast["fundraising"])
    assert client.get(url(donors_org, f"recurring/new/?donor={ann.pk}")).status_code == 200
    response = client.post(
        url(donors_org, "recurring/new/"),
        {
            "donor": str(ann.pk),
            "donor_text": ann.name,
            "amount": "25.00",
            "frequency": "monthly",
            "fund": str(general_fund.pk),
            "method": "card",
            "start_date": TODAY.isoformat(),
        },
    )
    assert response.status_code == 302, response.content
    gift = RecurringGift.objects.get()
    assert (gift.amount, gift.next_date, gift.status) == (D("25.00"), TODAY, "active")

    # a gift recorded as this recurring gift moves its next date on
    entry = client.get(url(donors_org, f"donations/new/?donor={ann.pk}&recurring={gift.pk}"))
    assert f'value="{gift.pk}" selected'.encode() in entry.content
    saved = client.post(
        url(donors_org, "donations/new/"),
        _gift_post(ann, general_fund, amount="25.00", method="card", recurring=str(gift.pk)),
    )
    assert saved.status_code == 302, saved.content
    gift.refresh_from_db()
    assert gift.next_date == services.next_date(TODAY, "monthly")
    detail = client.get(url(donors_org, f"recurring/{gift.pk}/"))
    assert Donation.objects.get().reference.encode() in detail.content

    status_url = url(donors_org, f"recurring/{gift.pk}/status/")
    client.post(status_url, {"action": "pause", "version": gift.version})
    gift.refresh_from_db()
    assert gift.status == RecurringStatus.PAUSED
    stale = gift.version - 1
    client.post(status_url, {"action": "resume", "version": stale})
    gift.refresh_from_db()
    assert gift.status == RecurringStatus.PAUSED  # a stale version changes nothing
    client.post(status_url, {"action": "resume", "version": gift.version})
    gift.refresh_from_db()
    assert gift.status == RecurringStatus.ACTIVE
    client.post(status_url, {"action": "end", "version": gift.version})
    gift.refresh_from_db()
    assert (gift.status, gift.next_date) == (RecurringStatus.ENDED, None)
    client.post(status_url, {"action": "resume", "version": gift.version})
    gift.refresh_from_db()
    assert gift.status == RecurringStatus.ENDED

    profile = client.get(url(donors_org, f"{ann.pk}/"))
    assert f'href="{url(donors_org, f"recurring/{gift.pk}/")}"'.encode() in profile.content


def test_recurring_list_status_filter_and_overdue(
    donors_org: Any, cast: dict[str, Any], fundraiser: dict[str, Any], ann: Donor, general_fund: Any
) -> None:
    late = services.recurring_gift_create(
        **fundraiser,
        donor=ann,
        amount="10.00",
        frequency="monthly",
        start_date=TODAY - timedelta(days=90),
        fund=general_fund,
    )
    recent = services.recurring_gift_create(
        **fundraiser,
        donor=ann,
        amount="20.00",
        frequency="monthly",
        start_date=TODAY - timedelta(days=5),
        fund=general_fund,
    )
    paused = services.recurring_gift_create(
        **fundraiser,
        donor=ann,
        amount="30.00",
        frequency="weekly",
        start_date=TODAY - timedelta(days=90),
        fund=general_fund,
    )
    services.recurring_gift_set_status(
        **fundraiser, gift=paused, status="paused", expected_version=paused.version
    )
    client = client_for(cast["viewer"])
    page = client.get(url(donors_org, "recurring/"))
    assert page.status_code == 200
    assert b"3 recurring gifts" in page.content
    assert page.content.count(b">Overdue</span>") == 1  # paused gifts are not overdue
    overdue = client.get(url(donors_org, "recurring/?overdue=1"))
    assert f"recurring/{late.pk}/".encode() in overdue.content
    assert f"recurring/{recent.pk}/".encode() not in overdue.content
    only_paused = client.get(url(donors_org, "recurring/?status=paused"))
    assert f"recurring/{paused.pk}/".encode() in only_paused.content
    assert b"1 recurring gift " in only_paused.content
    detail = client.get(url(donors_org, f"recurring/{late.pk}/"))
    assert b"more than 30 days ago" in detail.content
    assert b"Pause" not in detail.content  # the viewer may not change it


def test_permissions_and_other_organization(
    donors_org: Any, cast: dict[str, Any], fundraiser: dict[str, Any], ann: Donor, general_fund: Any
) -> None:
    pledge = _pledge(fundraiser, ann, general_fund)
    gift = services.recurring_gift_create(
        **fundraiser,
        donor=ann,
        amount="10.00",
        frequency="monthly",
        start_date=TODAY,
        fund=general_fund,
    )
    for role in ("staff", "volunteer_coordinator"):
        for rest in ("pledges/", "recurring/", f"pledges/{pledge.pk}/", f"recurring/{gift.pk}/"):
            assert client_for(cast[role]).get(url(donors_org, rest)).status_code == 403
    viewer = client_for(cast["viewer"])
    assert viewer.get(url(donors_org, f"pledges/{pledge.pk}/")).status_code == 200
    for rest in ("pledges/new/", "recurring/new/", "donations/links/"):
        assert viewer.get(url(donors_org, rest)).status_code == 403
    response = viewer.post(
        url(donors_org, f"recurring/{gift.pk}/status/"), {"action": "end", "version": gift.version}
    )
    assert response.status_code == 403
    gift.refresh_from_db()
    assert gift.status == "active"
    assert client_for(cast["finance"]).get(url(donors_org, "pledges/new/")).status_code == 200

    # organization B's admin, through B's pages, does not see A's rows
    other = client_for(cast["other_admin"])
    beta = donors_org.__class__.objects.get(slug="beta")
    for rest in (f"pledges/{pledge.pk}/", f"recurring/{gift.pk}/"):
        assert other.get(url(beta, rest)).status_code == 404
    assert other.post(url(beta, f"pledges/{pledge.pk}/cancel/")).status_code == 404
    with org_context(beta):
        assert b"Ann Lee" not in other.get(url(beta, f"donations/links/?donor={ann.pk}")).content
    pledge.refresh_from_db()
    assert pledge.status == "open"
