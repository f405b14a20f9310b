"""The donation list with filters, totals and export; campaigns and appeals; the compliance view
of Publication 1771 gaps; through the pages and the API."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from typing import Any

import openpyxl
import pytest

from ifm.conftest import client_for
from ifm.core.org_context import org_context
from ifm.core.tests.api_helpers import api_client_for, assert_problem, send_json
from ifm.donors.gifts import services
from ifm.donors.models import Appeal, Campaign, Donation, Donor
from ifm.donors.people import services as people_services
from ifm.donors.receipts import issue as receipts
from ifm.tenancy.models import Organization

pytestmark = pytest.mark.django_db

D = Decimal


def url(org: Any, rest: str = "") -> str:
    return f"/o/{org.slug}/donors/{rest}"


def _donor(fundraiser: dict[str, Any], first: str, last: str) -> Donor:
    return people_services.donor_create(**fundraiser, first_name=first, last_name=last)


def _gift(fundraiser: dict[str, Any], donor: Donor, fund: Any, amount: str, **extra: Any) -> Any:
    extra.setdefault("date", date(2026, 3, 2))
    extra.setdefault("method", "check")
    return services.donation_record(**fundraiser, donor=donor, fund=fund, amount=D(amount), **extra)


@pytest.fixture
def gifts(fundraiser: dict[str, Any], general_fund: Any, youth_fund: Any) -> dict[str, Any]:
    gala = services.campaign_create(**fundraiser, name="Spring gala")
    letter = services.appeal_create(**fundraiser, name="March letter", campaign=gala)
    ann, bob = _donor(fundraiser, "Ann", "Smith"), _donor(fundraiser, "Bob", "Jones")
    big = _gift(fundraiser, ann, general_fund, "300.00", campaign=gala, appeal=letter)
    small = _gift(fundraiser, bob, youth_fund, "40.00", method="cash", date=date(2026, 1, 5))
    voided = _gift(fundraiser, bob, general_fund, "75.00", campaign=gala)
    services.donation_void(**fundraiser, donation=voided, reason="Entered twice")
    dinner = _gift(
        fundraiser,
        bob,
        general_fund,
        "150.00",
        campaign=gala,
        goods_services_description="Gala dinner",
        goods_services_value=D("60.00"),
    )
    return {
        "gala": gala,
        "letter": letter,
        "ann": ann,
        "bob": bob,
        "big": big,
        "small": small,
        "voided": voided,
        "dinner": dinner,
    }


# --- The donation list ---------------------------------------------------------------------------


def test_donation_list_filters_totals_and_empty_states(
    donors_org: Organization, cast: dict[str, Any], fundraiser: dict[str, Any], general_fund: Any
) -> None:
    client = client_for(cast["viewer"])
    empty = client.get(url(donors_org, "donations/"))
    assert empty.status_code == 200
    assert b"No donations yet" in empty.content
    # A viewer records nothing: no way to the form (the "?" help link may name the article).
    assert url(donors_org, "donations/new/").encode() not in empty.content
    fundraiser_page = client_for(cast["fundraising"]).get(url(donors_org, "donations/")).content
    assert url(donors_org, "donations/new/").encode() in fundraiser_page  # as a fundraiser has

    ann = _donor(fundraiser, "Ann", "Smith")
    _gift(fundraiser, ann, general_fund, "25.00")
    page = client.get(url(donors_org, "donations/")).content.decode()
    assert "Smith, Ann" in page
    assert "1 donation" in page
    none = client.get(url(donors_org, "donations/"), {"q": "nobody-like-this"}).content
    assert b"No donations match these filters" in none


def test_donation_list_filters_by_campaign_method_date_and_status(
    donors_org: Organization, cast: dict[str, Any], gifts: dict[str, Any]
) -> None:
    client = client_for(cast["viewer"])

    def refs(**params: str) -> set[str]:
        text = client.get(url(donors_org, "donations/"), params).content.decode()
        return {d.reference for d in Donation.objects.all() if f">{d.reference}<" in text}

    everything = {
        g.reference for k, g in gifts.items() if k in ("big", "small", "voided", "dinner")
    }
    assert refs() == everything
    gala = str(gifts["gala"].pk)
    assert refs(campaign=gala) == {gifts[k].reference for k in ("big", "voided", "dinner")}
    assert refs(appeal=str(gifts["letter"].pk)) == {gifts["big"].reference}
    assert refs(method="cash") == {gifts["small"].reference}
    assert refs(date_to="2026-01-31") == {gifts["small"].reference}
    assert refs(status="voided") == {gifts["voided"].reference}
    assert refs(q="Smith") == {gifts["big"].reference}
    # The total leaves the voided gift out: 300 + 150.
    page = client.get(url(donors_org, "donations/"), {"campaign": gala}).content.decode()
    assert 'id="donation-total">450.00<' in page
    bad = client.get(
        url(donors_org, "donations/"), {"date_from": "2026-05-01", "date_to": "2026-01-01"}
    )
    assert "The end date is before the start date." in bad.content.decode()


def test_donation_export_keeps_the_filters(
    donors_org: Organization, cast: dict[str, Any], gifts: dict[str, Any]
) -> None:
    client = client_for(cast["viewer"])
    response: Any = client.get(url(donors_org, "donations/export.csv"), {"method": "cash"})
    csv_text = b"".join(response.streaming_content).decode()
    lines = [line for line in csv_text.splitlines() if line]
    assert len(lines) == 2  # the header and the one cash gift
    assert gifts["small"].reference in lines[1]
    xlsx = client.get(url(donors_org, "donations/export.xlsx"), {"campaign": gifts["gala"].pk})
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    references = {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert references == {gifts[k].reference for k in ("big", "voided", "dinner")}


def test_donation_pages_need_donors_view(donors_org: Organization, cast: dict[str, Any]) -> None:
    for path in ("donations/", "donations/export.csv", "campaigns/", "receipts/compliance/"):
        assert client_for(cast["staff"]).get(url(donors_org, path)).status_code == 403
        assert client_for(cast["viewer"]).get(url(donors_org, path)).status_code == 200


# --- Campaigns and appeals -----------------------------------------------------------------------


def test_campaign_page_shows_what_each_raised_and_adds_campaigns_and_appeals(
    donors_org: Organization, cast: dict[str, Any], gifts: dict[str, Any]
) -> None:
    client = client_for(cast["fundraising"])
    page = client.get(url(donors_org, "campaigns/")).content.decode()
    assert "Spring gala" in page
    assert "450.00" in page  # the voided gift is not counted
    assert "March letter" in page

    added = client.post(
        url(donors_org, "campaigns/"), {"add": "campaign", "campaign-name": "Capital"}
    )
    assert added.status_code == 302
    assert Campaign.objects.filter(name="Capital").exists()
    twice = client.post(
        url(donors_org, "campaigns/"), {"add": "campaign", "campaign-name": "capital"}
    )
    assert twice.status_code == 422
    assert "A campaign of that name exists." in twice.content.decode()
    assert Campaign.objects.filter(name__iexact="capital").count() == 1

    capital = Campaign.objects.get(name="Capital")
    appeal = client.post(
        url(donors_org, "campaigns/"),
        {"add": "appeal", "appeal-name": "Phone-a-thon", "appeal-campaign": capital.pk},
    )
    assert appeal.status_code == 302
    assert Appeal.objects.get(name="Phone-a-thon").campaign == capital

    viewer = client_for(cast["viewer"])
    assert b"New campaign" not in viewer.get(url(donors_org, "campaigns/")).content
    refused = viewer.post(url(donors_org, "campaigns/"), {"add": "campaign", "campaign-name": "X"})
    assert refused.status_code == 403
    assert not Campaign.objects.filter(name="X").exists()


# --- Compliance ----------------------------------------------------------------------------------


def test_compliance_page_lists_the_gaps_until_receipts_close_them(
    donors_org: Organization,
    cast: dict[str, Any],
    fundraiser: dict[str, Any],
    gifts: dict[str, Any],
) -> None:
    client = client_for(cast["viewer"])
    page = client.get(url(donors_org, "receipts/compliance/")).content.decode()
    # $250 or more without a receipt: the 300.00 gift; the 150.00 dinner is below.
    assert 'id="unacknowledged-count">1<' in page
    assert gifts["big"].reference in page
    # Over $75 that bought a dinner, with no receipt: the disclosure is missing.
    assert 'id="quid-pro-quo-count">1<' in page
    assert "Gala dinner" in page

    for donation in (gifts["big"], gifts["dinner"]):
        receipts.receipt_issue(**fundraiser, donation=donation)
    page = client.get(url(donors_org, "receipts/compliance/")).content.decode()
    assert 'id="unacknowledged-count">0<' in page
    assert 'id="quid-pro-quo-count">0<' in page
    other_year = client.get(url(donors_org, "receipts/compliance/"), {"year": "2020"})
    assert 'id="unacknowledged-count">0<' in other_year.content.decode()


# --- The API -------------------------------------------------------------------------------------


def test_api_lists_donations_with_filters_and_pages(
    donors_org: Organization, cast: dict[str, Any], gifts: dict[str, Any]
) -> None:
    client = api_client_for(cast["viewer"], donors_org)
    body = client.get("/api/v1/donations", {"campaign_id": gifts["gala"].pk}).json()
    assert {row["id"] for row in body["items"]} == {
        gifts[k].pk for k in ("big", "voided", "dinner")
    }
    first = client.get("/api/v1/donations", {"limit": 2}).json()
    assert len(first["items"]) == 2
    rest = client.get("/api/v1/donations", {"limit": 2, "cursor": first["next"]}).json()
    seen = [row["id"] for row in first["items"] + rest["items"]]
    assert len(seen) == len(set(seen)) == 4
    dates = [row["date"] for row in first["items"] + rest["items"]]
    assert dates == sorted(dates, reverse=True)
    assert client.get("/api/v1/donations", {"method": "cash"}).json()["items"][0]["id"] == (
        gifts["small"].pk
    )
    assert_problem(client.get("/api/v1/donations", {"method": "barter"}), 422)
    staff = api_client_for(cast["staff"], donors_org)
    assert staff.get("/api/v1/donations").status_code == 403


def test_api_campaigns_appeals_and_compliance(
    donors_org: Organization, cast: dict[str, Any], gifts: dict[str, Any], org_b: Organization
) -> None:
    fr = api_client_for(cast["fundraising"], donors_org)
    listed = {c["name"]: c for c in fr.get("/api/v1/campaigns").json()}
    assert listed["Spring gala"]["raised"] == "450.00"
    assert listed["Spring gala"]["gifts"] == 2
    assert listed["Spring gala"]["donors"] == 2
    made = send_json(fr, "POST", "/api/v1/campaigns", {"name": "Capital"})
    assert made.status_code == 201
    assert made.json()["raised"] == "0.00"
    problem = assert_problem(send_json(fr, "POST", "/api/v1/campaigns", {"name": "capital"}), 422)
    assert problem["errors"][0]["field"] == "name"

    appeal = send_json(
        fr, "POST", "/api/v1/appeals", {"name": "Email blast", "campaign_id": made.json()["id"]}
    )
    assert appeal.status_code == 201
    assert appeal.json()["campaign_id"] == made.json()["id"]
    with org_context(org_b):
        theirs = Campaign.objects.create(organization=org_b, name="B")
    with_other_org = send_json(
        fr, "POST", "/api/v1/appeals", {"name": "Stolen", "campaign_id": theirs.pk}
    )
    assert assert_problem(with_other_org, 422)["errors"][0]["field"] == "campaign_id"
    assert not Appeal.objects.filter(name="Stolen").exists()
    assert (
        send_json(
            api_client_for(cast["viewer"], donors_org), "POST", "/api/v1/campaigns", {"name": "V"}
        ).status_code
        == 403
    )

    gaps = fr.get("/api/v1/receipts/compliance").json()
    assert gaps["unacknowledged_count"] == 1
    assert gaps["unacknowledged"][0]["donation_id"] == gifts["big"].pk
    assert gaps["undisclosed_quid_pro_quo"][0]["goods_services_value"] == "60.00"
    assert fr.get("/api/v1/receipts/compliance", {"year": 2020}).json()["unacknowledged"] == []
