"""The donor-year roll-up of giving agrees with the gifts after any sequence of record, edit,
void, merge of donors and import, for calendar years and for fiscal years starting in July;
`ifm giving_verify` finds a row that differs and `--repair` rewrites it."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ifm.donors.gifts import services
from ifm.donors.gifts.rollup import giving_years_differences
from ifm.donors.imports.services import import_start
from ifm.donors.imports.tasks import import_commit_job
from ifm.donors.merge import donor_merge
from ifm.donors.models import Donation, DonationStatus, Donor, DonorGivingYear
from ifm.ledger.periods.services import fiscal_year_ensure
from ifm.tenancy.models import Organization

pytestmark = pytest.mark.django_db

D = Decimal
# Fiscal years from July 2021 to June 2024 (the organization's own calendar years follow).
START = date(2021, 7, 1)
AMOUNTS = ["5.00", "10.00", "99.99", "250.50", "1000.00"]


def expected_rows(start_month: int) -> dict[tuple[int, int], tuple[Any, ...]]:
    """The roll-up as defined, computed gift by gift: per (donor, year) the total, count, last
    date, cumulative total, previous and next year."""
    per: dict[int, dict[int, list[Any]]] = defaultdict(dict)
    for donor_id, on, amount in Donation.objects.filter(status=DonationStatus.ACTIVE).values_list(
        "donor_id", "date", "amount"
    ):
        year = on.year + 1 if start_month != 1 and on.month >= start_month else on.year
        found = per[donor_id].setdefault(year, [D("0.00"), 0, on])
        found[0] += amount
        found[1] += 1
        found[2] = max(found[2], on)
    rows = {}
    for donor_id, years in per.items():
        ordered = sorted(years)
        running = D("0.00")
        for i, year in enumerate(ordered):
            total, count, last = years[year]
            running += total
            rows[(donor_id, year)] = (
                total,
                count,
                last,
                running,
                ordered[i - 1] if i else None,
                ordered[i + 1] if i + 1 < len(ordered) else None,
            )
    return rows


def stored_rows(start_month: int) -> dict[tuple[int, int], tuple[Any, ...]]:
    return {
        (r.donor_id, r.year): (
            r.amount,
            r.gift_count,
            r.last_date,
            r.lifetime,
            r.previous_year,
            r.next_year,
        )
        for r in DonorGivingYear.objects.filter(start_month=start_month)
    }


def assert_agrees(org: Organization) -> None:
    assert stored_rows(1) == expected_rows(1)
    assert stored_rows(7) == expected_rows(7)
    assert giving_years_differences(org) == []


@pytest.fixture
def july(donors_org: Organization) -> Organization:
    donors_org.fiscal_year_start_month = 7
    donors_org.save(update_fields=["fiscal_year_start_month"])
    for year in range(2021, 2024):
        fiscal_year_ensure(organization=donors_org, on=date(year, 7, 1))
    return donors_org


steps = st.lists(
    st.one_of(
        st.tuples(
            st.just("record"),
            st.integers(0, 3),
            st.integers(0, 3 * 365),
            st.sampled_from(AMOUNTS),
        ),
        st.tuples(
            st.just("edit"),
            st.integers(0, 20),
            st.integers(0, 3 * 365),
            st.sampled_from(AMOUNTS),
        ),
        st.tuples(st.just("void"), st.integers(0, 20), st.just(0), st.just("")),
        st.tuples(st.just("merge"), st.integers(0, 3), st.integers(0, 3), st.just("")),
    ),
    min_size=1,
    max_size=14,
)


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(history=steps)
def test_the_roll_up_equals_the_gifts_after_any_writes(
    july: Organization, fundraiser: dict[str, Any], general_fund: Any, history: list[Any]
) -> None:
    with transaction.atomic():
        donors = [
            Donor.objects.create(organization=july, first_name=f"D{i}", last_name="Roll")
            for i in range(4)
        ]
        gifts: list[Donation] = []
        for action, a, b, amount in history:
            if action == "record":
                donor = Donor.objects.get(pk=donors[a].pk)
                while donor.merged_into_id:  # the donor it lives on in, through later merges
                    donor = Donor.objects.get(pk=donor.merged_into_id)
                gifts.append(
                    services.donation_record(
                        **fundraiser,
                        donor=donor,
                        date=START + timedelta(days=b),
                        amount=D(amount),
                        method="check",
                        fund=general_fund,
                    )
                )
            elif action in ("edit", "void") and gifts:
                gift = Donation.objects.get(pk=gifts[a % len(gifts)].pk)
                if gift.status != DonationStatus.ACTIVE:
                    continue
                if action == "void":
                    services.donation_void(**fundraiser, donation=gift, reason="Twice")
                else:
                    services.donation_update(
                        **fundraiser,
                        donation=gift,
                        expected_version=gift.version,
                        date=START + timedelta(days=b),
                        amount=D(amount),
                    )
            elif action == "merge" and a != b:
                keep, gone = Donor.objects.get(pk=donors[a].pk), Donor.objects.get(pk=donors[b].pk)
                if keep.merged_into_id or gone.merged_into_id:
                    continue
                donor_merge(**fundraiser, keep=keep, merge=gone)
            assert_agrees(july)
        transaction.set_rollback(True)


def _import(fundraiser: dict[str, Any], kind: str, data: bytes) -> None:
    _result, run, _ = import_start(
        **fundraiser, kind=kind, data=data, filename=f"{kind}.csv", dry_run=False
    )
    assert run is not None
    import_commit_job.call(organization_id=fundraiser["organization"].pk, run_id=run.pk)
    run.refresh_from_db()
    assert run.status == "done", run.errors


def test_an_import_writes_the_roll_up_of_its_gifts(
    july: Organization, fundraiser: dict[str, Any], general_fund: Any
) -> None:
    _import(
        fundraiser,
        "donors",
        b"LGL Constituent ID,First Name,Last Name,Email\n"
        b"C1,Ann,Import,ann@example.org\nC2,Bob,Import,bob@example.org\n",
    )
    ann = Donor.objects.get(first_name="Ann")
    services.donation_record(
        **fundraiser,
        donor=ann,
        date=date(2023, 3, 1),
        amount=D("40.00"),
        method="check",
        fund=general_fund,
    )
    _import(
        fundraiser,
        "donations",
        b"LGL Gift ID,LGL Constituent ID,Gift Amount,Gift date,Payment type,Fund\n"
        b"G1,C1,100.00,2022-06-30,Check,GEN\nG2,C1,25.50,2022-07-01,Cash,GEN\n"
        b"G3,C2,10.00,2023-12-31,Cash,GEN\nG4,C1,5.00,2024-01-02,Cash,GEN\n",
    )
    assert Donation.objects.count() == 5
    assert_agrees(july)
    by_year = {r.year: r for r in DonorGivingYear.objects.filter(donor=ann, start_month=7)}
    # FY2022 holds June 30th, FY2023 July 1st and March 1st, FY2024 January 2nd.
    assert {y: (r.amount, r.previous_year, r.next_year) for y, r in by_year.items()} == {
        2022: (D("100.00"), None, 2023),
        2023: (D("65.50"), 2022, 2024),
        2024: (D("5.00"), 2023, None),
    }
    assert by_year[2024].lifetime == D("170.50")


def test_giving_verify_finds_a_difference_and_repairs_it(
    july: Organization, fundraiser: dict[str, Any], general_fund: Any
) -> None:
    donor = Donor.objects.create(organization=july, first_name="Eve", last_name="Verify")
    for on in (date(2023, 5, 1), date(2024, 2, 1)):
        services.donation_record(
            **fundraiser, donor=donor, date=on, amount=D("20.00"), method="cash", fund=general_fund
        )
    out = StringIO()
    call_command("giving_verify", org=july.slug, stdout=out)
    assert "agree" in out.getvalue()
    DonorGivingYear.objects.filter(donor=donor, year=2024, start_month=1).update(amount=D("1.00"))
    DonorGivingYear.objects.filter(donor=donor, year=2024, start_month=7).delete()
    with pytest.raises(CommandError):
        call_command("giving_verify", org=july.slug, stdout=StringIO())
    out = StringIO()
    call_command("giving_verify", org=july.slug, repair=True, stdout=out)
    assert "0 differ now" in out.getvalue()
    assert_agrees(july)


def test_a_changed_fiscal_year_reads_the_gifts_until_repaired(
    july: Organization, fundraiser: dict[str, Any], general_fund: Any
) -> None:
    from ifm.reports.fundraising import selectors

    donor = Donor.objects.create(organization=july, first_name="Fay", last_name="Fiscal")
    for on in (date(2023, 5, 1), date(2023, 8, 1)):
        services.donation_record(
            **fundraiser, donor=donor, date=on, amount=D("20.00"), method="cash", fund=general_fund
        )
    july.fiscal_year_start_month = 4  # FY2024 is now April 2023 to March 2024
    july.save(update_fields=["fiscal_year_start_month"])
    report = selectors.lapsed(july, kind="lybunt", year=2025, basis="fiscal")
    assert [r.donor_id for r in report.rows if r.donor_id] == [donor.pk]
    assert report.totals["prior_total"] == D("40.00")
    call_command("giving_verify", org=july.slug, repair=True, stdout=StringIO())
    assert set(DonorGivingYear.objects.values_list("start_month", flat=True)) == {1, 4}
    again = selectors.lapsed(july, kind="lybunt", year=2025, basis="fiscal")
    assert again.totals == report.totals
