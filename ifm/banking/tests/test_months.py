"""The lines per month and status that the database keeps agree with the lines after any
sequence of inserts, status changes, moves and deletes, in one statement or row by row, and
the pages' figures read from them are the figures counted from the lines."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ifm.banking import months
from ifm.banking.matching.tests.factories import account, bank_line
from ifm.banking.models import BankLineMonth, BankTransaction, LineStatus
from ifm.core.org_context import org_context
from ifm.tenancy.models import Organization

pytestmark = pytest.mark.django_db

START = date(2025, 11, 20)
amounts = st.decimals(min_value=Decimal("-99999.99"), max_value=Decimal("99999.99"), places=2)
day = st.integers(min_value=0, max_value=120)
ops = st.lists(
    st.one_of(
        st.tuples(st.just("add"), day, amounts),
        st.tuples(st.just("bulk"), st.lists(st.tuples(day, amounts), min_size=1, max_size=5)),
        st.tuples(st.just("status"), st.integers(0, 30), st.sampled_from(["unmatched", "matched"])),
        st.tuples(st.just("status_all"), st.sampled_from(["unmatched", "matched"])),
        st.tuples(st.just("move"), st.integers(0, 30), day),
        st.tuples(st.just("delete"), st.integers(0, 30)),
    ),
    max_size=12,
)


def _nth(bank_id: int, n: int) -> BankTransaction | None:
    lines = list(BankTransaction.objects.filter(bank_account_id=bank_id).order_by("id"))
    return lines[n % len(lines)] if lines else None


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=ops)
def test_the_kept_months_always_agree_with_the_lines(org_a: Organization, steps: list) -> None:
    bank = account(org_a)
    seed = bank_line(org_a, START, "1.00", bank=bank)
    with org_context(org_a):
        for step in steps:
            kind = step[0]
            if kind == "add":
                bank_line(org_a, START + timedelta(days=step[1]), str(step[2]), bank=bank)
            elif kind == "bulk":
                BankTransaction.objects.bulk_create(
                    BankTransaction(
                        organization=org_a,
                        bank_account=bank,
                        statement_id=seed.statement_id,
                        date=START + timedelta(days=d),
                        amount=a,
                        identity=f"bulk:{i}:{d}:{a}:{BankTransaction.objects.count()}",
                    )
                    for i, (d, a) in enumerate(step[1])
                )
            elif kind == "status" and (line := _nth(bank.pk, step[1])):
                BankTransaction.objects.filter(pk=line.pk).update(status=step[2])
            elif kind == "status_all":
                BankTransaction.objects.filter(bank_account=bank).update(status=step[1])
            elif kind == "move" and (line := _nth(bank.pk, step[1])):
                line.date = START + timedelta(days=step[2])
                line.save(update_fields=["date"])
            elif kind == "delete" and (line := _nth(bank.pk, step[1])):
                line.delete()
        assert months.drift(org_a.pk) == []
        on = START + timedelta(days=60)
        for status in (LineStatus.UNMATCHED, LineStatus.MATCHED):
            lines = BankTransaction.objects.filter(bank_account=bank, status=status, date__lte=on)
            got = months.totals_through(org_a.pk, bank.pk, status, on)
            assert got.lines == lines.count()
            assert got.amount == sum((line.amount for line in lines), Decimal("0.00"))
        BankTransaction.objects.filter(bank_account=bank).delete()
        assert months.drift(org_a.pk) == []
        assert not any(months.status_totals(bank).values())


def test_drift_names_a_month_that_was_changed_behind_the_lines(org_a: Organization) -> None:
    bank = account(org_a)
    bank_line(org_a, START, "-12.34", bank=bank)
    with org_context(org_a):
        assert months.drift(org_a.pk) == []
        BankLineMonth.objects.filter(bank_account=bank).update(cents=1)
        (bad,) = months.drift(org_a.pk)
    assert bad[2:] == (str(START.replace(day=1)), "unmatched", 1, 1, 1, -1234)


def test_a_bank_account_deleted_with_its_lines_leaves_no_month_behind(org_a: Organization) -> None:
    """The months of deleted lines are updated, never inserted again: deleting the lines and
    then their bank account (as a cascade from the organization does) leaves nothing."""
    from ifm.banking.models import Statement

    bank = account(org_a)
    bank_line(org_a, START, "5.00", bank=bank)
    with org_context(org_a):
        BankTransaction.objects.filter(bank_account=bank).delete()
        Statement.objects.filter(bank_account=bank).delete()
        BankLineMonth.objects.filter(bank_account=bank).delete()
        bank.delete()
        assert not BankLineMonth.objects.filter(bank_account_id=bank.pk).exists()
        assert months.drift(org_a.pk) == []
