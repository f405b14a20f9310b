"""Donations agree with the ledger: after any sequence of gifts recorded, changed, voided and
posted in a batch, every fund's difference is 0.00; a manual journal entry to a contribution
account is a difference, listed item by item, on the page, the API and the reports home."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ifm.conftest import client_for
from ifm.core.tests.api_helpers import api_client_for, assert_problem
from ifm.donors.gifts import services
from ifm.donors.gifts.batches import gift_batch_add, gift_batch_create, gift_batch_post
from ifm.donors.models import Donation, DonationStatus, Donor
from ifm.donors.people.services import donor_create
from ifm.ledger.conftest import acct
from ifm.ledger.journal.posting import LineInput, post_entry
from ifm.ledger.models import Fund, Restriction
from ifm.ledger.periods.fiscal_years import organization_today
from ifm.reports.tieout.selectors import donations_vs_ledger, fund_ties
from ifm.tenancy.models import Organization

pytestmark = pytest.mark.django_db

D = Decimal
TODAY = date.today()
START = TODAY - timedelta(days=40)

amounts = st.decimals(min_value=D("1.00"), max_value=D("5000"), places=2)
steps = st.lists(
    st.one_of(
        st.tuples(
            st.just("record"),
            amounts,
            st.integers(0, 2),
            st.integers(0, 40),
            st.sampled_from(["check", "cash", "in_kind"]),
        ),
        st.tuples(
            st.just("edit"), st.integers(0, 20), amounts, st.integers(0, 2), st.integers(0, 40)
        ),
        st.tuples(st.just("void"), st.integers(0, 20)),
        st.tuples(st.just("batch"), st.lists(amounts, min_size=1, max_size=3), st.integers(0, 2)),
    ),
    max_size=10,
)


def _funds() -> list[Fund]:
    return [
        Fund.objects.get(is_general=True),
        Fund.objects.create(code="YOUTH", name="Youth", restriction=Restriction.PURPOSE),
        Fund.objects.create(code="LATER", name="Later", restriction=Restriction.TIME),
    ]


def _apply(
    fundraiser: dict[str, Any], donor: Donor, funds: list[Fund], step: tuple[Any, ...]
) -> None:
    kind = step[0]
    live = list(Donation.objects.filter(status=DonationStatus.ACTIVE).order_by("pk"))
    if kind == "record":
        _, amount, fund, day, method = step
        services.donation_record(
            **fundraiser,
            donor=donor,
            amount=amount,
            date=START + timedelta(days=day),
            method=method,
            fund=funds[fund],
            description="Books" if method == "in_kind" else "",
        )
    elif kind == "edit" and live:
        _, index, amount, fund, day = step
        gift = live[index % len(live)]
        services.donation_update(
            **fundraiser,
            donation=gift,
            expected_version=gift.version,
            amount=amount,
            fund=funds[fund],
            date=START + timedelta(days=day),
        )
    elif kind == "void" and live:
        services.donation_void(**fundraiser, donation=live[step[1] % len(live)], reason="Bounced")
    elif kind == "batch":
        _, gifts, fund = step
        batch = gift_batch_create(
            **fundraiser,
            name="Slip",
            date=TODAY,
            expected_count=len(gifts),
            expected_total=sum(gifts, D(0)),
            fund=funds[fund],
        )
        for amount in gifts:
            gift_batch_add(**fundraiser, batch=batch, donor=donor, amount=amount, date=TODAY)
        gift_batch_post(**fundraiser, batch=batch)


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=steps, cut=st.tuples(st.integers(0, 40), st.integers(0, 40)))
def test_every_fund_agrees_after_any_record_edit_void_and_batch(
    fundraiser: dict[str, Any], steps: list[tuple[Any, ...]], cut: tuple[int, int]
) -> None:
    with transaction.atomic():
        donor = donor_create(**fundraiser, first_name="Ann", last_name="Lee")
        funds = _funds()
        for step in steps:
            _apply(fundraiser, donor, funds, step)
        start, end = sorted(START + timedelta(days=d) for d in cut)
        for date_from, date_to in ((START, TODAY), (start, end)):
            for tie in fund_ties(date_from=date_from, date_to=date_to):
                assert tie.difference == D("0.00"), tie
            report = donations_vs_ledger(date_from=date_from, date_to=date_to)
            assert report.totals["funds_difference"] == D("0.00")
            assert report.totals["donations_total"] == sum(
                (
                    g.amount
                    for g in Donation.objects.filter(
                        status=DonationStatus.ACTIVE, date__gte=date_from, date__lte=date_to
                    )
                ),
                D("0.00"),
            )
        transaction.set_rollback(True)


@pytest.fixture
def manual(fundraiser: dict[str, Any], general_fund: Fund) -> Organization:
    """A gift of 100.00 and a manual journal entry of 40.00 to individual contributions."""
    on = organization_today(fundraiser["organization"])
    donor = donor_create(**fundraiser, first_name="Ann", last_name="Lee")
    services.donation_record(
        **fundraiser, donor=donor, amount=D("100.00"), date=on, method="cash", fund=general_fund
    )
    org = fundraiser["organization"]
    post_entry(
        organization=org,
        actor=fundraiser["actor"],
        date=on,
        memo="Cash found in the box",
        lines=[
            LineInput(acct("1010"), general_fund, debit=D("40.00")),
            LineInput(acct("4010"), general_fund, credit=D("40.00")),
        ],
    )
    return org


def test_a_manual_entry_to_a_contribution_account_is_a_difference_item(
    manual: Organization, general_fund: Fund
) -> None:
    on = organization_today(manual)
    report = donations_vs_ledger(date_from=on, date_to=on, org_slug=manual.slug)
    fund_row = next(row for row in report.rows if row.fund_id == general_fund.pk)
    assert fund_row.values == {
        "donations": D("100.00"),
        "ledger": D("140.00"),
        "difference": D("40.00"),
    }
    [item] = [row for row in report.rows if row.key.startswith("entry_")]
    assert "Cash found in the box" in item.label
    assert item.value("difference") == D("40.00")
    assert item.href.startswith(f"/o/{manual.slug}/ledger/entries/")
    assert report.totals["difference"] == D("40.00")


def test_home_page_api_and_page(manual: Organization, cast: Any) -> None:
    on = organization_today(manual)
    home = reverse("reports:home", kwargs={"org_slug": manual.slug})
    page = reverse("reports:donations_vs_ledger", kwargs={"org_slug": manual.slug})
    html = client_for(cast["finance"]).get(home).content.decode()
    assert "differ by 40.00" in html
    assert page in html
    body = client_for(cast["viewer"]).get(page).content.decode()
    assert "Cash found in the box" in body
    assert client_for(cast["finance"]).get(page + "export.xlsx").status_code == 200
    api = api_client_for(cast["admin"], manual)
    data = api.get(f"/api/v1/reports/donations-vs-ledger?from={on}&to={on}").json()
    assert data["totals"]["difference"] == "40.00"
    assert any(row["values"].get("difference") == "40.00" for row in data["rows"])
    assert_problem(
        api.get(f"/api/v1/reports/donations-vs-ledger?from={on}&to={on - timedelta(days=1)}"),
        422,
    )
    assert client_for(cast["staff"]).get(page).status_code == 403


def test_home_shows_the_check_mark_when_donations_agree(
    fundraiser: dict[str, Any], general_fund: Fund, cast: Any
) -> None:
    on = organization_today(fundraiser["organization"])
    donor = donor_create(**fundraiser, first_name="Ann", last_name="Lee")
    services.donation_record(
        **fundraiser, donor=donor, amount=D("100.00"), date=on, method="cash", fund=general_fund
    )
    slug = fundraiser["organization"].slug
    html = client_for(cast["admin"]).get(reverse("reports:home", kwargs={"org_slug": slug}))
    assert "Donations agree with the ledger" in html.content.decode()
