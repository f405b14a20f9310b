"""The donation form as people type into it: amounts with signs and commas, dates as `today`
or `12/4`, the donor fixed from their page (the usual fund and a check preselected, Amount
focused, Check number one Tab away), and a donor combobox that, without its script, the server
resolves from the typed name or number, saying so when it names none or several."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from ifm.conftest import client_for
from ifm.core.forms import today_in
from ifm.core.org_context import org_context
from ifm.donors.conftest import access_of
from ifm.donors.gifts import services
from ifm.donors.models import Donation, Donor
from ifm.donors.people.services import donor_create
from ifm.ledger.models import Fund
from ifm.tenancy.models import Organization

pytestmark = pytest.mark.django_db


def url(org: Organization, rest: str) -> str:
    return f"/o/{org.slug}/donors/{rest}"


@pytest.fixture
def client(cast: dict[str, Any]) -> Client:
    return client_for(cast["fundraising"])


@pytest.fixture
def ann(fundraiser: dict[str, Any]) -> Donor:
    return donor_create(**fundraiser, first_name="Ann", last_name="Smith", email="ann@example.org")


def post_gift(client: Client, org: Organization, fund: Fund, **values: str) -> Any:
    data = {"amount": "250", "date": "today", "method": "check", "fund": str(fund.pk)}
    return client.post(url(org, "donations/new/"), data | values)


def test_amounts_and_dates_are_read_as_typed(
    client: Client, donors_org: Organization, ann: Donor, general_fund: Fund
) -> None:
    answer = post_gift(
        client,
        donors_org,
        general_fund,
        donor=str(ann.pk),
        donor_fixed="1",
        amount="$1,250.5",
        date="1/2",
        check_number="1042",
    )
    assert answer.status_code == 302, answer.content.decode()[:3000]
    gift = Donation.objects.get()
    assert gift.amount == Decimal("1250.50")
    today = today_in(donors_org.time_zone)
    assert gift.date == date(today.year, 1, 2)  # 2 January is never a month ahead
    assert gift.check_number == "1042"


def test_bad_amounts_and_dates_are_refused_beside_their_fields(
    client: Client, donors_org: Organization, ann: Donor, general_fund: Fund
) -> None:
    answer = post_gift(
        client, donors_org, general_fund, donor=str(ann.pk), amount="-5", date="someday"
    )
    assert answer.status_code == 200
    page = answer.content.decode()
    assert "The amount must be more than zero." in page
    assert "Type a date as today, yesterday, 12/4 (month/day), 12/4/2026 or 2026-12-04." in page
    assert 'value="-5"' in page  # what was typed stays, to be corrected
    assert not Donation.objects.exists()
    huge = post_gift(client, donors_org, general_fund, donor=str(ann.pk), amount="9" * 20)
    assert "The amount is too large." in huge.content.decode()


def test_from_the_donors_page_the_donor_is_fixed_and_amount_then_check_number(
    client: Client,
    donors_org: Organization,
    ann: Donor,
    youth_fund: Fund,
    fundraiser: dict[str, Any],
) -> None:
    services.donation_record(
        **fundraiser,
        donor=ann,
        amount=Decimal("40.00"),
        date=date.today() - timedelta(days=40),
        method="check",
        fund=youth_fund,
    )
    profile = client.get(url(donors_org, f"{ann.pk}/")).content.decode()
    link = re.search(r'<a class="btn btn-primary" id="record-donation" href="([^"]+)"', profile)
    assert link is not None
    assert "Record a gift" in profile
    page = client.get(link[1].replace("&amp;", "&")).content.decode()
    assert 'role="combobox"' not in page  # no picker: the donor is fixed
    assert f"{ann.name} ({ann.reference})" in page
    assert f'<input type="hidden" name="donor" value="{ann.pk}"' in page
    amount = re.search(r"<input[^>]*name=\"amount\"[^>]*>", page)
    assert amount is not None
    assert "autofocus" in amount[0]
    assert 'type="text"' in amount[0]
    assert 'inputmode="decimal"' in amount[0]
    assert re.search(rf'<option value="{youth_fund.pk}" selected>', page)  # the usual fund
    assert re.search(r'<option value="check" selected>', page)
    # Tab order: Amount, Check number, Method, Fund, Campaign, Date.
    order = [page.index(f'name="{n}"') for n in ("amount", "check_number", "method", "fund")]
    order += [page.index('name="campaign"'), page.index('name="date"')]
    assert order == sorted(order)
    # Nothing focusable between Amount's box and Check number's.
    between = page[order[0] : page.rindex("<input", 0, order[1])]
    between = between[between.index(">") + 1 :]
    assert not re.search(r"<(a|button|select|textarea|input)\b", between), between


def test_without_script_the_typed_donor_is_found_by_name_or_number(
    client: Client,
    donors_org: Organization,
    ann: Donor,
    general_fund: Fund,
    fundraiser: dict[str, Any],
) -> None:
    by_name = post_gift(client, donors_org, general_fund, donor_text="ann smith")
    assert by_name.status_code == 302, by_name.content.decode()[:3000]
    by_number = post_gift(client, donors_org, general_fund, donor_text=f" {ann.reference} ")
    assert by_number.status_code == 302
    by_label = post_gift(
        client, donors_org, general_fund, donor_text=f"Ann Smith · whatever · {ann.reference}"
    )
    assert by_label.status_code == 302
    assert list(Donation.objects.values_list("donor_id", flat=True)) == [ann.pk] * 3

    # A stale picked id loses to newly typed text naming someone else.
    bob = donor_create(**fundraiser, first_name="Bob", last_name="Jones")
    switched = post_gift(client, donors_org, general_fund, donor=str(ann.pk), donor_text="Bob")
    assert switched.status_code == 302
    assert Donation.objects.latest("id").donor_id == bob.pk


def test_a_typed_donor_naming_none_or_several_is_refused_with_how_to_pick(
    client: Client,
    donors_org: Organization,
    ann: Donor,
    general_fund: Fund,
    fundraiser: dict[str, Any],
    org_b: Organization,
    cast: dict[str, Any],
) -> None:
    donor_create(**fundraiser, first_name="Ann", last_name="Smithers", city="Dayton")
    none = post_gift(client, donors_org, general_fund, donor_text="Zelda").content.decode()
    assert "No donor matches “Zelda”: check the spelling, or add the donor first." in none
    several = post_gift(client, donors_org, general_fund, donor_text="Ann").content.decode()
    assert "2 donors match “Ann”: add an email, city or donor number (such as D-" in several
    assert 'aria-invalid="true"' in several
    # A whole name picks that donor even when another's name contains it.
    exact = post_gift(client, donors_org, general_fund, donor_text="Ann Smith")
    assert exact.status_code == 302
    empty = post_gift(client, donors_org, general_fund, donor_text="  ").content.decode()
    assert "Choose a donor: type a name, email or donor number." in empty
    long = post_gift(client, donors_org, general_fund, donor_text="x" * 400)
    assert long.status_code == 200
    assert "at most 300 characters" in long.content.decode()
    # Another organization's donor number names no donor here.
    other_admin = cast["other_admin"]
    with org_context(org_b):
        theirs = donor_create(
            organization=org_b, actor=other_admin, access=access_of(other_admin), first_name="Bo"
        )
    foreign = post_gift(client, donors_org, general_fund, donor_text=theirs.reference)
    assert f"No donor matches “{theirs.reference}”" in foreign.content.decode()
    assert Donation.objects.count() == 1


def test_the_combobox_is_an_aria_combobox_fed_by_the_donor_search(
    client: Client, donors_org: Organization, ann: Donor, general_fund: Fund
) -> None:
    page = client.get(url(donors_org, "donations/new/")).content.decode()
    box = re.search(r"<input[^>]*role=\"combobox\"[^>]*>", page)
    assert box is not None
    for attr in ('aria-expanded="false"', 'aria-controls="donor-listbox"', "autofocus"):
        assert attr in box[0]
    assert '<ul id="donor-listbox" role="listbox" aria-labelledby="donor-label"' in page
    assert "donors/combobox.js" in page
    options = client.get(url(donors_org, "pick/"), {"q": "smith", "listbox": "1"})
    html = options.content.decode()
    assert f'<li role="option" id="donor-option-{ann.pk}"' in html
    assert f'data-id="{ann.pk}"' in html
    assert 'aria-selected="false"' in html
    by_number = client.get(url(donors_org, "pick/"), {"q": ann.reference, "listbox": "1"})
    assert f'data-id="{ann.pk}"' in by_number.content.decode()
    nothing = client.get(url(donors_org, "pick/"), {"q": "zelda", "listbox": "1"})
    assert 'role="option"' not in nothing.content.decode()
