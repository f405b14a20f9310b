"""Donations: input rules, the ledger entry of each kind of gift, edit and void, giving
summaries, pledges, recurring gifts and gift batches."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from ifm.core.errors import ConflictError, ServiceError
from ifm.core.org_context import org_context
from ifm.donors.conftest import access_of
from ifm.donors.gifts import batches, selectors, services
from ifm.donors.models import Donation, Donor, DonorGivingSummary, PledgeStatus
from ifm.donors.people import services as people_services
from ifm.donors.pledges import services as pledge_services
from ifm.ledger.journal.selectors import entries_for_source
from ifm.ledger.models import Account, Fund, JournalEntry, JournalLine
from ifm.ledger.periods.services import books_close_through

TODAY = date.today()
D = Decimal


def _fields(exc: ServiceError) -> set[str]:
    return {e["field"] for e in exc.errors}


def _lines(entry: JournalEntry | None) -> list[tuple[str, Decimal, Decimal, str]]:
    assert entry is not None
    return sorted(
        (line.account.number, line.debit, line.credit, line.fund.code)
        for line in entry.lines.select_related("account", "fund")
    )


@pytest.fixture
def ann(fundraiser: dict[str, Any]) -> Donor:
    return people_services.donor_create(**fundraiser, first_name="Ann", last_name="Lee")


def _gift(fundraiser: dict[str, Any], donor: Donor, fund: Fund, **kw: Any) -> Donation:
    values: dict[str, Any] = {"amount": "100.00", "date": TODAY, "method": "cash"} | kw
    return services.donation_record(**fundraiser, donor=donor, fund=fund, **values)


def test_cash_gift_posts_to_undeposited_and_unrestricted_revenue(
    fundraiser: dict[str, Any], ann: Donor, general_fund: Fund
) -> None:
    gift = _gift(
        fundraiser, ann, general_fund, amount=D("250.00"), method="check", check_number="1001"
    )
    entry = gift.journal_entry
    assert entry is not None
    assert gift.status == "active"
    assert (entry.source_type, entry.source_id, entry.date) == ("donation", str(gift.pk), TODAY)
    assert _lines(entry) == [
        ("1050", D("250.00"), D("0.00"), "GEN"),
        ("4010", D("0.00"), D("250.00"), "GEN"),
    ]
    assert list(entries_for_source(source_type="donation", source_id=gift.pk)) == [entry]


def test_restricted_fund_credits_restricted_revenue(
    fundraiser: dict[str, Any], ann: Donor, youth_fund: Fund
) -> None:
    bank = Account.objects.get(role="default_bank")
    gift = _gift(
        fundraiser, ann, youth_fund, amount="75.50", method="bank_transfer", deposit_account=bank
    )
    assert _lines(gift.journal_entry) == [
        ("1010", D("75.50"), D("0.00"), "YOUTH"),
        ("4015", D("0.00"), D("75.50"), "YOUTH"),
    ]


def test_in_kind_and_stock(fundraiser: dict[str, Any], ann: Donor, general_fund: Fund) -> None:
    goods = _gift(
        fundraiser, ann, general_fund, amount="300.00", method="in_kind", description="Ten laptops"
    )
    assert _lines(goods.journal_entry) == [
        ("4140", D("0.00"), D("300.00"), "GEN"),
        ("8120", D("300.00"), D("0.00"), "GEN"),
    ]
    securities = Account.objects.get(number="1510")
    stock = _gift(
        fundraiser,
        ann,
        general_fund,
        amount="1000.00",
        method="stock",
        description="10 shares of ACME",
        deposit_account=securities,
    )
    assert _lines(stock.journal_entry) == [
        ("1510", D("1000.00"), D("0.00"), "GEN"),
        ("4140", D("0.00"), D("1000.00"), "GEN"),
    ]
    with pytest.raises(ServiceError) as exc:
        _gift(fundraiser, ann, general_fund, method="in_kind", description="")
    assert _fields(exc.value) == {"description"}


def test_partly_deductible(fundraiser: dict[str, Any], ann: Donor, general_fund: Fund) -> None:
    gift = _gift(
        fundraiser,
        ann,
        general_fund,
        amount="150.00",
        goods_services_description="Gala dinner",
        goods_services_value="60.00",
    )
    assert gift.deductible_amount == D("90.00")
    assert _lines(gift.journal_entry) == [
        ("1050", D("150.00"), D("0.00"), "GEN"),
        ("4010", D("0.00"), D("150.00"), "GEN"),
    ]
    with pytest.raises(ServiceError) as exc:
        _gift(fundraiser, ann, general_fund, goods_services_value="10.00")
    assert _fields(exc.value) == {"goods_services_description"}


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"amount": "0"}, "amount"),
        ({"amount": "-5.00"}, "amount"),
        ({"amount": "10.001"}, "amount"),
        ({"amount": "abc"}, "amount"),
        ({"amount": 1.5}, "amount"),
        ({"amount": "NaN"}, "amount"),
        ({"amount": "1e20"}, "amount"),
        (
            {"goods_services_value": "100.01", "goods_services_description": "Dinner"},
            "goods_services_value",
        ),
        ({"method": "barter"}, "method"),
        ({"date": "2024-01-01"}, "date"),
        ({"fund": 10**12}, "fund_id"),
        ({"check_number": "12", "method": "cash"}, "check_number"),
        ({"campaign": 999999}, "campaign_id"),
        ({"deposit_account": 999999}, "deposit_account_id"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(
    fundraiser: dict[str, Any], ann: Donor, general_fund: Fund, kw: dict[str, Any], field: str
) -> None:
    values: dict[str, Any] = {
        "amount": "100.00",
        "date": TODAY,
        "method": "cash",
        "fund": general_fund,
    } | kw
    entries = JournalEntry.objects.count()
    with pytest.raises(ServiceError) as exc:
        services.donation_record(**fundraiser, donor=ann, **values)
    assert field in _fields(exc.value)
    assert Donation.objects.count() == 0
    assert JournalEntry.objects.count() == entries


def test_other_org_donor_and_fund_refused(
    fundraiser: dict[str, Any], ann: Donor, general_fund: Fund, org_b: Any
) -> None:
    with org_context(org_b):
        their_donor = Donor.objects.create(organization=org_b, last_name="B")
        their_fund = Fund.objects.get(is_general=True)
    with pytest.raises(ServiceError) as exc:
        _gift(fundraiser, their_donor, general_fund)
    assert _fields(exc.value) == {"donor_id"}
    with pytest.raises(ServiceError) as exc:
        _gift(fundraiser, ann, their_fund)
    assert _fields(exc.value) == {"fund_id"}
    assert Donation.objects.count() == 0


def test_closed_period_refused(
    fundraiser: dict[str, Any], ann: Donor, general_fund: Fund, cast: dict[str, Any]
) -> None:
    from ifm.ledger.models import Period

    period = Period.objects.get(start_date__lte=TODAY, end_date__gte=TODAY)
    admin = cast["admin"]
    books_close_through(
        organization=fundraiser["organization"], actor=admin, access=access_of(admin), period=period
    )
    entries = JournalEntry.objects.count()
    with pytest.raises(ServiceError):
        _gift(fundraiser, ann, general_fund)
    assert Donation.objects.count() == 0
    assert JournalEntry.objects.count() == entries


def test_permissions(donors_org: Any, cast: dict[str, Any], ann: Donor, general_fund: Fund) -> None:
    for role in ("viewer", "staff", "volunteer_coordinator"):
        user = cast[role]
        with pytest.raises(PermissionDenied):
            services.donation_record(
                organization=donors_org,
                actor=user,
                access=access_of(user),
                donor=ann,
                amount="5.00",
                date=TODAY,
                method="cash",
                fund=general_fund,
            )
    finance = cast["finance"]
    ctx = {"organization": donors_org, "actor": finance, "access": access_of(finance)}
    assert _gift(ctx, ann, general_fund).status == "active"


def test_edit_amount_reverses_and_reposts(
    fundraiser: dict[str, Any], ann: Donor, general_fund: Fund, youth_fund: Fund
) -> None:
    gift = _gift(fundraiser, ann, general_fund)
    first = gift.journal_entry
    assert first is not None
    gift = services.donation_update(
        **fundraiser, donation=gift, expected_version=1, amount="120.00", fund=youth_fund
    )
    assert gift.journal_entry_id != first.pk
    assert first is not None
    reversal = JournalEntry.objects.get(reverses=first)
    assert _lines(reversal) == [
        ("1050", D("0.00"), D("100.00"), "GEN"),
        ("4010", D("100.00"), D("0.00"), "GEN"),
    ]
    assert _lines(gift.journal_entry) == [
        ("1050", D("120.00"), D("0.00"), "YOUTH"),
        ("4015", D("0.00"), D("120.00"), "YOUTH"),
    ]
    # A note changes nothing in the ledger.
    entries = JournalEntry.objects.count()
    gift = services.donation_update(
        **fundraiser, donation=gift, expected_version=2, notes="Thank-you call made"
    )
    assert JournalEntry.objects.count() == entries
    with pytest.raises(ConflictError):
        services.donation_update(**fundraiser, donation=gift, expected_version=2, amount="1.00")
    # The books: 120 in the youth fund's revenue, nothing left in the general fund's.
    revenue = JournalLine.objects.filter(account__number__in=["4010", "4015"])
    assert sum(line.credit - line.debit for line in revenue) == D("120.00")


def test_void_reverses(fundraiser: dict[str, Any], ann: Donor, general_fund: Fund) -> None:
    gift = _gift(fundraiser, ann, general_fund)
    with pytest.raises(ServiceError) as exc:
        services.donation_void(**fundraiser, donation=gift, reason="")
    assert _fields(exc.value) == {"reason"}
    gift = services.donation_void(**fundraiser, donation=gift, reason="Bounced check")
    assert gift.status == "voided"
    reversal = JournalEntry.objects.get(reverses=gift.journal_entry)
    assert reversal.source_type == "reversal"
    assert (
        sum(line.debit - line.credit for line in JournalLine.objects.filter(account__number="1050"))
        == 0
    )
    with pytest.raises(ConflictError):
        services.donation_void(**fundraiser, donation=gift, reason="again")
    with pytest.raises(ConflictError):
        services.donation_update(
            **fundraiser, donation=gift, expected_version=gift.version, amount="5.00"
        )


def test_summary_equals_fresh_aggregate(
    fundraiser: dict[str, Any], ann: Donor, general_fund: Fund
) -> None:
    last_year = TODAY.replace(year=TODAY.year - 1, day=1)
    g1 = _gift(fundraiser, ann, general_fund, amount="50.00", date=last_year)
    g2 = _gift(fundraiser, ann, general_fund, amount="200.00")
    g3 = _gift(fundraiser, ann, general_fund, amount="75.00")
    services.donation_update(**fundraiser, donation=g3, expected_version=1, amount="80.00")
    services.donation_void(**fundraiser, donation=g2, reason="Duplicate entry")
    services.donation_update(
        **fundraiser, donation=g1, expected_version=1, date=last_year + timedelta(days=2)
    )
    summary = DonorGivingSummary.objects.get(donor=ann)
    fresh = selectors.giving_aggregate(ann.pk, year=TODAY.year)
    for key, value in fresh.items():
        assert getattr(summary, key) == value, key
    assert (summary.lifetime_total, summary.gift_count, summary.largest_gift) == (
        D("130.00"),
        2,
        D("80.00"),
    )
    assert summary.current_totals() == (D("80.00"), D("50.00"))
    assert summary.first_gift_date == last_year + timedelta(days=2)
    # The year rolls over without any write: "this year" becomes "last year".
    next_year = TODAY.replace(year=TODAY.year + 1, month=1, day=1)
    assert summary.current_totals(next_year) == (D("0.00"), D("80.00"))


def test_soft_credits(fundraiser: dict[str, Any], ann: Donor, general_fund: Fund) -> None:
    bob = people_services.donor_create(**fundraiser, first_name="Bob", last_name="Lee")
    gift = _gift(fundraiser, ann, general_fund, soft_credits=[{"donor": bob, "amount": None}])
    credit = gift.soft_credits.get()
    assert (credit.donor, credit.amount) == (bob, D("100.00"))
    for bad, field in (
        ([(ann, None)], "soft_credits[0].donor_id"),
        ([(bob, "100.01")], "soft_credits[0].amount"),
    ):
        with pytest.raises(ServiceError) as exc:
            _gift(fundraiser, ann, general_fund, soft_credits=bad)
        assert _fields(exc.value) == {field}
    # soft credits do not count in the soft-credited donor's own giving
    assert not DonorGivingSummary.objects.filter(donor=bob, gift_count__gt=0).exists()
    assert Donation.objects.count() == 1


def test_pledge_balance(fundraiser: dict[str, Any], ann: Donor, general_fund: Fund) -> None:
    with pytest.raises(ServiceError) as exc:
        pledge_services.pledge_create(
            **fundraiser,
            donor=ann,
            total="1200.00",
            date=TODAY,
            fund=general_fund,
            installments=[(TODAY, "100.00")],
        )
    assert _fields(exc.value) == {"installments"}
    pledge = pledge_services.pledge_create(
        **fundraiser,
        donor=ann,
        total="1200.00",
        date=TODAY,
        fund=general_fund,
        installments=[(TODAY + timedelta(days=30 * i), "400.00") for i in range(3)],
    )
    assert pledge.installments.count() == 3
    assert pledge.balance_due == D("1200.00")
    p1 = _gift(fundraiser, ann, general_fund, amount="400.00", pledge=pledge)
    _gift(fundraiser, ann, general_fund, amount="500.00", pledge=pledge)
    pledge.refresh_from_db()
    assert (pledge.paid, pledge.balance_due, pledge.status) == (D("900.00"), D("300.00"), "open")
    _gift(fundraiser, ann, general_fund, amount="300.00", pledge=pledge)
    pledge.refresh_from_db()
    assert pledge.balance_due == 0
    assert pledge.status == PledgeStatus.FULFILLED
    with pytest.raises(ServiceError, match="is fulfilled"):
        pledge_services.pledge_cancel(**fundraiser, pledge=pledge, reason="Moved away")
    pledge.refresh_from_db()
    assert pledge.status == PledgeStatus.FULFILLED
    other = pledge_services.pledge_create(
        **fundraiser, donor=ann, total="50.00", date=TODAY, fund=general_fund
    )
    pledge_services.pledge_cancel(**fundraiser, pledge=other, reason="Moved away")
    with pytest.raises(ConflictError, match="already cancelled"):
        pledge_services.pledge_cancel(**fundraiser, pledge=other, reason="Moved away")
    services.donation_void(**fundraiser, donation=p1, reason="Refunded")
    pledge.refresh_from_db()
    assert pledge.balance_due == D("400.00")
    assert pledge.status == PledgeStatus.OPEN
    bob = people_services.donor_create(**fundraiser, first_name="Bob", last_name="Lee")
    with pytest.raises(ServiceError) as exc:
        _gift(fundraiser, bob, general_fund, pledge=pledge)
    assert _fields(exc.value) == {"pledge_id"}


def test_every_input_error_of_a_gift_at_once_then_its_links(
    fundraiser: dict[str, Any], ann: Donor, general_fund: Fund
) -> None:
    with pytest.raises(ServiceError) as exc:
        services.donation_record(
            **fundraiser,
            donor=999_999,
            amount="-5",
            date=TODAY,
            method="cash",
            fund=general_fund,
            pledge=999_999,
            recurring=999_999,
            batch=999_999,
        )
    errors = exc.value.errors
    assert errors[0] == {"field": "donor_id", "message": "Choose a donor of this organization."}
    assert errors[1]["field"] == "amount"
    assert errors[-3:] == [
        {"field": "pledge_id", "message": "No such pledge here."},
        {"field": "recurring_id", "message": "No such recurring here."},
        {"field": "batch_id", "message": "No such batch here."},
    ]
    assert exc.value.message == "; ".join(f"{e['field']}: {e['message']}" for e in errors)

    bob = people_services.donor_create(**fundraiser, first_name="Bob", last_name="Lee")
    pledge = pledge_services.pledge_create(
        **fundraiser, donor=ann, total="50.00", date=TODAY, fund=general_fund
    )
    with pytest.raises(ServiceError) as exc:
        _gift(fundraiser, bob, general_fund, pledge=pledge)
    assert exc.value.errors == [
        {"field": "pledge_id", "message": "That pledge belongs to another donor."}
    ]
    pledge_services.pledge_cancel(**fundraiser, pledge=pledge, reason="Moved away")
    with pytest.raises(ServiceError) as exc:
        _gift(fundraiser, ann, general_fund, pledge=pledge)
    assert exc.value.errors == [{"field": "pledge_id", "message": "That pledge was cancelled."}]
    assert Donation.objects.count() == 0


def test_recurring_gift(fundraiser: dict[str, Any], ann: Donor, general_fund: Fund) -> None:
    start = TODAY.replace(day=31) if TODAY.month == 1 else TODAY
    gift = pledge_services.recurring_gift_create(
        **fundraiser,
        donor=ann,
        amount="25.00",
        frequency="monthly",
        start_date=start,
        fund=general_fund,
    )
    assert gift.next_date == start
    assert gift.status == "active"
    _gift(fundraiser, ann, general_fund, amount="25.00", method="card", recurring=gift, date=start)
    gift.refresh_from_db()
    assert gift.next_date == pledge_services.next_date(start, "monthly")
    assert pledge_services.next_date(date(2025, 1, 31), "monthly") == date(2025, 2, 28)
    assert pledge_services.next_date(date(2025, 11, 15), "quarterly") == date(2026, 2, 15)
    gift = pledge_services.recurring_gift_set_status(
        **fundraiser, gift=gift, status="paused", expected_version=gift.version
    )
    gift = pledge_services.recurring_gift_set_status(
        **fundraiser, gift=gift, status="ended", expected_version=gift.version
    )
    assert gift.next_date is None
    with pytest.raises(ServiceError):
        pledge_services.recurring_gift_set_status(
            **fundraiser, gift=gift, status="active", expected_version=gift.version
        )
    with pytest.raises(ServiceError) as exc:
        pledge_services.recurring_gift_create(
            **fundraiser,
            donor=ann,
            amount="0",
            frequency="daily",
            start_date=TODAY,
            fund=general_fund,
        )
    assert _fields(exc.value) == {"amount", "frequency"}


def test_gift_batch_posts_only_when_it_matches(
    fundraiser: dict[str, Any], ann: Donor, general_fund: Fund
) -> None:
    bank = Account.objects.get(role="default_bank")
    batch = batches.gift_batch_create(
        **fundraiser,
        name="Sunday",
        date=TODAY,
        expected_count=3,
        expected_total="60.00",
        deposit_account=bank,
    )
    entries = JournalEntry.objects.count()
    gifts = [
        _gift(fundraiser, ann, general_fund, amount=a, batch=batch)
        for a in ("10.00", "20.00", "25.00")
    ]
    assert all(g.status == "pending" and g.journal_entry is None for g in gifts)
    assert JournalEntry.objects.count() == entries
    assert not DonorGivingSummary.objects.filter(donor=ann, gift_count__gt=0).exists()
    with pytest.raises(ServiceError) as exc:
        batches.gift_batch_post(**fundraiser, batch=batch)
    assert "55.00" in exc.value.message
    assert _fields(exc.value) == {"expected_total"}
    assert JournalEntry.objects.count() == entries
    services.donation_update(**fundraiser, donation=gifts[2], expected_version=1, amount="30.00")
    extra = _gift(fundraiser, ann, general_fund, amount="1.00", batch=batch)
    with pytest.raises(ServiceError) as exc:
        batches.gift_batch_post(**fundraiser, batch=batch)
    assert _fields(exc.value) == {"expected_count"}
    services.donation_void(**fundraiser, donation=extra, reason="Typo")
    batch = batches.gift_batch_post(**fundraiser, batch=batch)
    assert batch.status == "posted"
    posted = Donation.objects.filter(batch=batch, status="active")
    assert posted.count() == 3
    # One deposit entry for the batch (the bank shows one line), every gift pointing at it.
    assert {gift.journal_entry_id for gift in posted} == {batch.journal_entry_id}
    assert _lines(batch.journal_entry) == [
        ("1010", D("60.00"), D("0.00"), "GEN"),
        ("4010", D("0.00"), D("60.00"), "GEN"),
    ]
    assert JournalEntry.objects.count() == entries + 1
    assert DonorGivingSummary.objects.get(donor=ann).lifetime_total == D("60.00")
    with pytest.raises(ConflictError):
        batches.gift_batch_post(**fundraiser, batch=batch)
    with pytest.raises(ServiceError) as exc:
        _gift(fundraiser, ann, general_fund, batch=batch)
    assert _fields(exc.value) == {"batch_id"}
