"""Donor pages: list with search and filters, the donor form's duplicate check, the profile,
fast donation entry, donation edit and void, gift batches, exports and permissions."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from ifm.conftest import client_for
from ifm.donors.gifts import services as gift_services
from ifm.donors.models import Donation, Donor, DonorNote, GiftBatch
from ifm.donors.people import services as people_services
from ifm.ledger.models import JournalEntry

pytestmark = pytest.mark.django_db


def url(org: Any, rest: str = "") -> str:
    return f"/o/{org.slug}/donors/{rest}"


def _donor(fundraiser: dict[str, Any], **fields: Any) -> Donor:
    fields.setdefault("first_name", "Ann")
    fields.setdefault("last_name", "Smith")
    return people_services.donor_create(**fundraiser, **fields)


def _gift(fundraiser: dict[str, Any], donor: Donor, fund: Any, **extra: Any) -> Donation:
    extra.setdefault("amount", Decimal("100.00"))
    extra.setdefault("date", date.today())
    extra.setdefault("method", "check")
    return gift_services.donation_record(**fundraiser, donor=donor, fund=fund, **extra)


def test_list_empty_state_nav_and_permissions(donors_org: Any, cast: dict[str, Any]) -> None:
    page = client_for(cast["fundraising"]).get(url(donors_org))
    assert page.status_code == 200
    assert b"No donors yet" in page.content
    assert b"New donor" in page.content
    dashboard = client_for(cast["fundraising"]).get(f"/o/{donors_org.slug}/")
    assert f'href="{url(donors_org)}"'.encode() in dashboard.content
    viewer = client_for(cast["viewer"]).get(url(donors_org))
    assert viewer.status_code == 200
    assert b"New donor" not in viewer.content
    for role in ("staff", "volunteer_coordinator"):
        assert client_for(cast[role]).get(url(donors_org)).status_code == 403
    assert client_for(cast["other_admin"]).get(url(donors_org)).status_code in (403, 404)
    assert client_for(cast["viewer"]).get(url(donors_org, "new/")).status_code == 403
    assert client_for(cast["viewer"]).get(url(donors_org, "donations/new/")).status_code == 403
    assert client_for(cast["finance"]).get(url(donors_org, "donations/new/")).status_code == 200
    assert client_for(cast["finance"]).get(url(donors_org, "new/")).status_code == 403


def test_list_search_filters_pagination_and_export(
    donors_org: Any, cast: dict[str, Any], fundraiser: dict[str, Any], general_fund: Any
) -> None:
    ann = _donor(fundraiser, email="ann@example.org", postal_code="02139", tags=["board"])
    _donor(fundraiser, first_name="Bob", last_name="Jones", phone="(617) 555-0101")
    inactive = _donor(fundraiser, first_name="Cy", last_name="Old", is_active=False)
    _gift(fundraiser, ann, general_fund)
    client = client_for(cast["viewer"])

    def names(**params: str) -> str:
        return client.get(url(donors_org), params).content.decode()

    assert "Smith, Ann" in names(q="ann@example")
    assert "Jones" not in names(q="ann@example")
    assert "Jones, Bob" in names(q="555-0101")
    assert "Smith, Ann" in names(q="02139")
    assert "Old, Cy" not in names()
    assert "Old, Cy" in names(active="inactive")
    tag = ann.tags.get()
    assert "Jones" not in names(tag=str(tag.pk))
    assert "Smith, Ann" in names(tag=str(tag.pk))
    gave = names(gave="this_year")
    assert "Smith, Ann" in gave
    assert "Jones" not in gave
    assert "Smith, Ann" not in names(gave="never")
    assert "No donors match these filters" in names(q="nobody-like-this")
    assert inactive.pk

    for n in range(30):
        _donor(fundraiser, first_name=f"P{n:02d}", last_name="Zed")
    first = client.get(url(donors_org))
    assert b"Page 1 of 2" in first.content
    partial = client.get(url(donors_org), {"page": "2"}, HTTP_HX_REQUEST="true")
    assert b"<html" not in partial.content
    assert b"Page 2 of 2" in partial.content

    csv = client.get(url(donors_org, "export.csv"), {"q": "Smith"})
    assert csv.status_code == 200
    text = b"".join(csv).decode("utf-8-sig")
    assert text.splitlines()[0].startswith("Donor id,Kind,Name,First name")
    assert "ann@example.org" in text
    assert "Jones" not in text
    xlsx = client.get(url(donors_org, "export.xlsx"))
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet.max_row == 1 + Donor.objects.filter(is_active=True).count()


def test_donor_form_shows_duplicates_then_creates_anyway(
    donors_org: Any, cast: dict[str, Any], fundraiser: dict[str, Any]
) -> None:
    existing = _donor(fundraiser, email="ann@example.org")
    client = client_for(cast["fundraising"])
    data = {
        "kind": "individual",
        "first_name": "Annie",
        "last_name": "Smyth",
        "email": " ANN@example.org ",
        "country": "US",
        "tags": "board, Board, gala",
        "is_active": "on",
    }
    shown = client.post(url(donors_org, "new/"), data)
    assert shown.status_code == 200
    assert b"This may be a donor you already have" in shown.content
    assert f"D-{existing.pk}".encode() in shown.content
    assert b"same email" in shown.content
    assert Donor.objects.count() == 1

    created = client.post(url(donors_org, "new/"), {**data, "confirm_duplicates": "1"})
    assert created.status_code == 302
    donor = Donor.objects.exclude(pk=existing.pk).get()
    assert created["Location"] == url(donors_org, f"{donor.pk}/")
    assert sorted(t.name for t in donor.tags.all()) == ["board", "gala"]

    missing = client.post(url(donors_org, "new/"), {"kind": "individual", "country": "US"})
    assert b"Give a first or a last name." in missing.content
    bad = client.post(url(donors_org, "new/"), {**data, "email": "nope", "first_name": "X"})
    assert b"Enter a valid email address." in bad.content


def test_donor_edit_and_version_conflict(
    donors_org: Any, cast: dict[str, Any], fundraiser: dict[str, Any]
) -> None:
    donor = _donor(fundraiser)
    client = client_for(cast["fundraising"])
    form = client.get(url(donors_org, f"{donor.pk}/edit/"))
    assert form.status_code == 200
    assert b'value="Ann"' in form.content
    data = {
        "kind": "individual",
        "first_name": "Ann",
        "last_name": "Smith-Lee",
        "country": "US",
        "is_active": "on",
        "version": str(donor.version),
    }
    assert client.post(url(donors_org, f"{donor.pk}/edit/"), data).status_code == 302
    donor.refresh_from_db()
    assert donor.last_name == "Smith-Lee"
    stale = client.post(url(donors_org, f"{donor.pk}/edit/"), {**data, "last_name": "Old"})
    assert stale.status_code == 200
    assert b'id="conflict"' in stale.content
    donor.refresh_from_db()
    assert donor.last_name == "Smith-Lee"


def test_profile_summary_history_household_notes(
    donors_org: Any, cast: dict[str, Any], fundraiser: dict[str, Any], general_fund: Any
) -> None:
    donor = _donor(fundraiser, tags=["monthly"])
    last_year = date(date.today().year - 1, 3, 1)  # the earliest year the books still take
    _gift(fundraiser, donor, general_fund, amount=Decimal("250.00"), date=last_year)
    _gift(fundraiser, donor, general_fund, amount=Decimal("40.00"))
    client = client_for(cast["fundraising"])
    page = client.get(url(donors_org, f"{donor.pk}/"))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="summary-lifetime">290.00' in html
    assert 'id="summary-this-year">40.00' in html
    assert 'id="summary-largest">250.00' in html
    assert f'id="summary-first">{last_year}' in html
    assert "monthly" in html
    assert "Not in a household" in html
    assert html.count("GIFT-") >= 2

    added = client.post(url(donors_org, f"{donor.pk}/notes/"), {"body": "Prefers phone calls"})
    assert added.status_code == 302
    assert DonorNote.objects.get().body == "Prefers phone calls"
    assert b"Prefers phone calls" in client.get(url(donors_org, f"{donor.pk}/")).content
    viewer = client_for(cast["viewer"])
    assert viewer.post(url(donors_org, f"{donor.pk}/notes/"), {"body": "x"}).status_code == 403
    assert b"Add note" not in viewer.get(url(donors_org, f"{donor.pk}/")).content
    assert client.get(url(donors_org, "999999/")).status_code == 404


def test_donation_entry_defaults_from_last_gift_and_posts(
    donors_org: Any,
    cast: dict[str, Any],
    fundraiser: dict[str, Any],
    general_fund: Any,
    youth_fund: Any,
) -> None:
    donor = _donor(fundraiser)
    _gift(fundraiser, donor, youth_fund, method="card")
    client = client_for(cast["finance"])
    form = client.get(url(donors_org, "donations/new/"), {"donor": donor.pk})
    html = form.content.decode()
    assert f'<option value="{youth_fund.pk}" selected>' in html
    assert '<option value="card" selected>' in html
    assert "autofocus" in html

    picks = client.get(url(donors_org, "pick/"), {"donor_text": "Smi"})
    assert f'data-id="{donor.pk}"'.encode() in picks.content
    assert f'data-fund="{youth_fund.pk}"'.encode() in picks.content

    data = {
        "donor": str(donor.pk),
        "donor_text": "Ann Smith",
        "amount": "125.50",
        "date": date.today().isoformat(),
        "method": "check",
        "check_number": "1001",
        "fund": str(general_fund.pk),
        "goods_services_description": "Gala dinner",
        "goods_services_value": "50.00",
    }
    response = client.post(url(donors_org, "donations/new/"), data)
    assert response.status_code == 302
    donation = Donation.objects.get(amount=Decimal("125.50"))
    assert response["Location"] == url(donors_org, f"donations/{donation.pk}/")
    assert donation.journal_entry is not None
    detail = client.get(response["Location"]).content.decode()
    assert f"/ledger/entries/{donation.journal_entry_id}/" in detail
    assert "75.50" in detail  # deductible

    again = client.post(url(donors_org, "donations/new/"), {**data, "another": "1"})
    assert again["Location"] == url(donors_org, "donations/new/")


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"amount": "0"}, "amount", "The amount must be more than zero."),
        ({"amount": "10.001"}, "amount", "An amount has at most two decimals."),
        ({"goods_services_value": "500", "goods_services_description": "x"}, "", "worth more"),
        ({"donor": ""}, "donor", "Choose a donor: type a name, email or donor number."),
        ({"donor": "", "donor_text": "Nobody"}, "donor", "No donor matches “Nobody”"),
        ({"method": "in_kind"}, "description", "Describe what was given."),
    ],
)
def test_donation_entry_rejects_bad_input(
    donors_org: Any,
    cast: dict[str, Any],
    fundraiser: dict[str, Any],
    general_fund: Any,
    change: dict[str, str],
    field: str,
    message: str,
) -> None:
    donor = _donor(fundraiser)
    data = {
        "donor": str(donor.pk),
        "amount": "100.00",
        "date": date.today().isoformat(),
        "method": "check",
        "fund": str(general_fund.pk),
        **change,
    }
    response = client_for(cast["fundraising"]).post(url(donors_org, "donations/new/"), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Donation.objects.exists()
    assert not JournalEntry.objects.filter(source_type="donation").exists()


def test_donation_from_other_org_is_404(
    donors_org: Any,
    cast: dict[str, Any],
    fundraiser: dict[str, Any],
    general_fund: Any,
    org_b: Any,
) -> None:
    donation = _gift(fundraiser, _donor(fundraiser), general_fund)
    other = client_for(cast["other_admin"])
    assert other.get(f"/o/{org_b.slug}/donors/donations/{donation.pk}/").status_code == 404
    assert other.get(f"/o/{org_b.slug}/donors/{donation.donor_id}/").status_code == 404


def test_donation_edit_conflict_and_void(
    donors_org: Any, cast: dict[str, Any], fundraiser: dict[str, Any], general_fund: Any
) -> None:
    donation = _gift(fundraiser, _donor(fundraiser), general_fund)
    first_entry = donation.journal_entry_id
    client = client_for(cast["fundraising"])
    edit_url = url(donors_org, f"donations/{donation.pk}/edit/")
    assert client.get(edit_url).status_code == 200
    data = {
        "amount": "120.00",
        "date": donation.date.isoformat(),
        "method": "check",
        "fund": str(general_fund.pk),
        "version": str(donation.version),
    }
    assert client.post(edit_url, data).status_code == 302
    donation.refresh_from_db()
    assert donation.amount == Decimal("120.00")
    assert donation.journal_entry_id != first_entry
    stale = client.post(edit_url, {**data, "amount": "130.00"})
    assert b'id="conflict"' in stale.content
    donation.refresh_from_db()
    assert donation.amount == Decimal("120.00")

    void_url = url(donors_org, f"donations/{donation.pk}/void/")
    assert client.post(void_url, {"reason": ""}).status_code == 422
    assert client_for(cast["viewer"]).post(void_url, {"reason": "x"}).status_code == 403
    assert client.post(void_url, {"reason": "Bounced check"}).status_code == 302
    donation.refresh_from_db()
    assert donation.status == "voided"
    page = client.get(url(donors_org, f"donations/{donation.pk}/")).content.decode()
    assert "Bounced check" in page
    assert "Void this gift" not in page
    assert client.get(edit_url).status_code == 302


def test_gift_batch_entry_posts_when_it_matches(
    donors_org: Any, cast: dict[str, Any], fundraiser: dict[str, Any], general_fund: Any
) -> None:
    ann = _donor(fundraiser)
    bob = _donor(fundraiser, first_name="Bob", last_name="Jones")
    client = client_for(cast["fundraising"])
    assert b"No batches yet" in client.get(url(donors_org, "batches/")).content
    opened = client.post(
        url(donors_org, "batches/"),
        {
            "name": "Sunday",
            "date": date.today().isoformat(),
            "expected_count": "2",
            "expected_total": "150.00",
        },
    )
    assert opened.status_code == 302
    batch = GiftBatch.objects.get()
    add = url(donors_org, f"batches/{batch.pk}/add/")
    row = {"donor": str(ann.pk), "amount": "100.00", "method": "check", "fund": general_fund.pk}
    body = client.post(add, row, HTTP_HX_REQUEST="true").content.decode()
    assert 'id="batch-count">1<' in body
    assert 'id="post-batch" disabled' in body
    bad = client.post(add, {**row, "donor": ""}, HTTP_HX_REQUEST="true").content.decode()
    assert "Choose a donor from the list." in bad
    assert 'id="batch-count">1<' in bad
    body = client.post(
        add, {**row, "donor": str(bob.pk), "amount": "50.00"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert 'id="batch-total">150.00<' in body
    assert 'id="post-batch">' in body
    assert not Donation.objects.filter(journal_entry__isnull=False).exists()
    posted = client.post(url(donors_org, f"batches/{batch.pk}/post/"))
    assert posted.status_code == 302
    batch.refresh_from_db()
    assert batch.status == "posted"
    assert Donation.objects.filter(journal_entry__isnull=False).count() == 2
    assert client_for(cast["viewer"]).get(url(donors_org, "batches/")).status_code == 403


def test_issue_receipt_from_the_donation_page(
    donors_org: Any, cast: dict[str, Any], fundraiser: dict[str, Any], general_fund: Any
) -> None:
    donation = _gift(fundraiser, _donor(fundraiser), general_fund)
    client = client_for(cast["fundraising"])
    detail = url(donors_org, f"donations/{donation.pk}/")
    assert b'id="issue-receipt"' in client.get(detail).content
    viewer = client_for(cast["viewer"])
    assert b'id="issue-receipt"' not in viewer.get(detail).content
    assert viewer.post(detail + "receipt/").status_code == 403
    response = client.post(detail + "receipt/", follow=True)
    assert response.status_code == 200
    assert donation.tax_receipts.count() == 1
    number = donation.tax_receipts.get().number
    assert f"No. {number}".encode() in response.content
