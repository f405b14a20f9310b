"""Donations agree with the ledger whatever mix of gifts recorded, changed, voided, entered in
a batch and imported from a file happens, checked after every step.

The imports go through the donor import itself: `import_start` with a generated CSV file (not a
dry run), its commit job run by the worker as in production. After each step every fund's
difference is 0.00, and each fund's contribution revenue on the statement of activities is the
total of its posted gifts."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import transaction
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    invariant,
    rule,
    run_state_machine_as_test,
)

from ifm.donors.gifts import services
from ifm.donors.gifts.batches import gift_batch_add, gift_batch_create, gift_batch_post
from ifm.donors.imports.services import import_start
from ifm.donors.models import Donation, DonationStatus, GiftBatch, ImportRun, ImportStatus
from ifm.donors.people.services import donor_create
from ifm.ledger.models import Account, Fund, Restriction
from ifm.reports.financial.selectors import statement_of_activities
from ifm.reports.tieout.selectors import donations_vs_ledger, fund_ties

pytestmark = pytest.mark.django_db

D = Decimal
TODAY = date.today()
START = TODAY - timedelta(days=40)
# The accounts a gift is credited to: contributions without and with donor restrictions, and
# gifts in kind.
CONTRIBUTIONS = ("contributions_without", "contributions_with", "in_kind_contributions")

amounts = st.decimals(min_value=D("1.00"), max_value=D("5000"), places=2)
days = st.integers(0, 40)
funds = st.integers(0, 2)
# A row of a donation file: the donor's email, amount, date, payment type as other systems
# write it, fund (empty: the general fund), and a gift id from a small pool, so that a later
# file may hold a gift imported before (the import skips it).
file_rows = st.tuples(
    st.integers(0, 1),
    amounts,
    days,
    st.sampled_from(["Check", "cash", "Credit Card", "In-kind", "ACH"]),
    funds,
    st.integers(1, 12),
)


class DonationsMachine(RuleBasedStateMachine):
    """Gifts recorded, changed, voided, batched and imported in one organization; each example
    runs in a transaction of its own that is rolled back at its end."""

    # Given by the test: the fundraiser's service arguments, the worker, the on-commit
    # capture, and a tally of the gifts imported in all examples.
    kw: dict[str, Any]
    run_jobs: Callable[[], int]
    capture: Callable[..., Any]
    imported: list[int]

    batches = Bundle("batches")

    def __init__(self) -> None:
        super().__init__()
        self.atomic = transaction.atomic()
        self.atomic.__enter__()
        self.donors = [
            donor_create(**self.kw, first_name="Ann", last_name="Lee", email="ann@example.org"),
            donor_create(**self.kw, first_name="Bo", last_name="Chan", email="bo@example.org"),
        ]
        self.funds = [
            Fund.objects.get(is_general=True),
            Fund.objects.create(code="YOUTH", name="Youth", restriction=Restriction.PURPOSE),
            Fund.objects.create(code="LATER", name="Later", restriction=Restriction.TIME),
        ]
        self.contribution_ids = set(
            Account.objects.filter(role__in=CONTRIBUTIONS).values_list("pk", flat=True)
        )

    def teardown(self) -> None:
        transaction.set_rollback(True)
        self.atomic.__exit__(None, None, None)

    def _live(self) -> list[Donation]:
        return list(Donation.objects.filter(status=DonationStatus.ACTIVE).order_by("pk"))

    # --- The steps ------------------------------------------------------------------------

    @rule(
        donor=st.integers(0, 1),
        amount=amounts,
        fund=funds,
        day=days,
        method=st.sampled_from(["check", "cash", "in_kind"]),
    )
    def record(self, donor: int, amount: Decimal, fund: int, day: int, method: str) -> None:
        services.donation_record(
            **self.kw,
            donor=self.donors[donor],
            amount=amount,
            date=START + timedelta(days=day),
            method=method,
            fund=self.funds[fund],
            description="Books" if method == "in_kind" else "",
        )

    @rule(index=st.integers(0, 50), amount=amounts, fund=funds, day=days)
    def edit(self, index: int, amount: Decimal, fund: int, day: int) -> None:
        live = self._live()
        if not live:
            return
        gift = live[index % len(live)]
        services.donation_update(
            **self.kw,
            donation=gift,
            expected_version=gift.version,
            amount=amount,
            fund=self.funds[fund],
            date=START + timedelta(days=day),
        )

    @rule(index=st.integers(0, 50))
    def void(self, index: int) -> None:
        live = self._live()
        if live:
            services.donation_void(**self.kw, donation=live[index % len(live)], reason="Bounced")

    @rule(target=batches, gifts=st.lists(amounts, min_size=1, max_size=3), fund=funds)
    def batch_enter(self, gifts: list[Decimal], fund: int) -> GiftBatch:
        """A batch whose gifts wait (not counted, not posted) until it is posted."""
        batch = gift_batch_create(
            **self.kw,
            name="Slip",
            date=TODAY,
            expected_count=len(gifts),
            expected_total=sum(gifts, D(0)),
            fund=self.funds[fund],
        )
        for amount in gifts:
            gift_batch_add(**self.kw, batch=batch, donor=self.donors[0], amount=amount, date=TODAY)
        return batch

    @rule(batch=consumes(batches))
    def batch_post(self, batch: GiftBatch) -> None:
        gift_batch_post(**self.kw, batch=batch)

    @rule(rows=st.lists(file_rows, min_size=1, max_size=4, unique_by=lambda row: row[5]))
    def import_file(self, rows: list[tuple[Any, ...]]) -> None:
        """A donation file imported as the import page does it: checked, queued, committed
        by the job."""
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(
            ["Gift ID", "Email", "Gift Amount", "Gift date", "Payment type", "Fund", "Notes"]
        )
        for donor, amount, day, method, fund, gift_id in rows:
            writer.writerow(
                [
                    f"G-{gift_id}",
                    self.donors[donor].email,
                    f"{amount:,}",
                    f"{START + timedelta(days=day):%m/%d/%Y}",
                    method,
                    self.funds[fund].code if fund else "",
                    "Books" if method == "In-kind" else "",
                ]
            )
        before = Donation.objects.count()
        with self.capture(execute=True):
            result, run, earlier = import_start(
                **self.kw,
                kind="donations",
                data=out.getvalue().encode(),
                filename="gifts.csv",
                dry_run=False,
            )
        assert result is not None
        assert result.problems == []
        if earlier:  # the same file again: nothing is queued, nothing written
            assert Donation.objects.count() == before
            return
        assert run is not None
        assert self.run_jobs() >= 1
        run.refresh_from_db()
        assert run.status == ImportStatus.DONE, run.errors
        assert run.created_count == result.new
        assert Donation.objects.count() == before + result.new
        self.imported.append(result.new)

    @rule(cut=st.tuples(days, days))
    def check_a_period(self, cut: tuple[int, int]) -> None:
        start, end = sorted(START + timedelta(days=d) for d in cut)
        self._agrees(start, end)

    # --- What must hold after every step --------------------------------------------------

    @invariant()
    def donations_agree_with_the_ledger(self) -> None:
        self._agrees(START, TODAY)

    def _agrees(self, date_from: date, date_to: date) -> None:
        for tie in fund_ties(date_from=date_from, date_to=date_to):
            assert tie.difference == D("0.00"), tie
        report = donations_vs_ledger(date_from=date_from, date_to=date_to)
        assert report.totals["funds_difference"] == D("0.00")
        gifts = Donation.objects.filter(
            status=DonationStatus.ACTIVE, date__gte=date_from, date__lte=date_to
        )
        assert report.totals["donations_total"] == sum((g.amount for g in gifts), D("0.00"))
        for fund in self.funds:
            activities = statement_of_activities(
                date_from=date_from, date_to=date_to, fund_id=fund.pk
            )
            revenue = sum(
                (
                    row.values["total"]
                    for row in activities.rows
                    if row.account_id in self.contribution_ids
                ),
                D("0.00"),
            )
            given = sum((g.amount for g in gifts if g.fund_id == fund.pk), D("0.00"))
            assert revenue == given, (fund.code, revenue, given)


def test_every_fund_agrees_after_any_record_edit_void_batch_and_import(
    fundraiser: dict[str, Any], run_jobs: Any, django_capture_on_commit_callbacks: Any
) -> None:
    imported: list[int] = []
    machine = type(
        "Machine",
        (DonationsMachine,),
        {
            "kw": fundraiser,
            "run_jobs": staticmethod(run_jobs),
            "capture": staticmethod(django_capture_on_commit_callbacks),
            "imported": imported,
        },
    )
    run_state_machine_as_test(
        machine, settings=settings(max_examples=12, stateful_step_count=8, deadline=None)
    )
    assert sum(imported) > 0  # files were imported, not only checked
    assert ImportRun.objects.count() == 0  # every example was rolled back
