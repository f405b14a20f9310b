"""PostgreSQL itself refuses unbalanced entries (at commit) and changes to posted lines.

Deferred constraint triggers fire only at COMMIT, so these tests commit for real.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction

from ifm.core.org_context import org_context
from ifm.ledger.chart.services import chart_create_from_template
from ifm.ledger.journal.posting import LineInput, post_entry
from ifm.ledger.models import Account, Fund, JournalEntry, JournalLine, LedgerCounter, Period
from ifm.ledger.periods.services import fiscal_year_ensure

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="database triggers exist on PostgreSQL only"
    ),
]
DAY = date(2026, 3, 15)


@pytest.fixture
def ledger_org(org_a: Any) -> Any:
    chart_create_from_template(organization=org_a)
    fiscal_year_ensure(organization=org_a, on=DAY)
    with org_context(org_a):
        yield org_a


def _raw_entry(org: Any, debit: str, credit: str) -> None:
    """Write an entry straight to the tables, skipping the service's checks."""
    cash, revenue = Account.objects.get(number="1010"), Account.objects.get(number="4010")
    fund = Fund.objects.get(is_general=True)
    entry = JournalEntry.objects.create(
        number=9000, date=DAY, period=Period.objects.get(name="2026-03")
    )
    JournalLine.objects.bulk_create(
        [
            JournalLine(
                organization=org,
                entry=entry,
                account=cash,
                fund=fund,
                debit=Decimal(debit),
                date=DAY,
            ),
            JournalLine(
                organization=org,
                entry=entry,
                account=revenue,
                fund=fund,
                credit=Decimal(credit),
                date=DAY,
            ),
        ]
    )


def test_commit_of_an_unbalanced_entry_is_rejected(ledger_org: Any) -> None:
    with pytest.raises(IntegrityError, match="does not balance"), transaction.atomic():
        _raw_entry(ledger_org, "100.00", "90.00")
    assert not JournalEntry.objects.exists()
    assert not JournalLine.objects.exists()


def test_commit_of_a_balanced_raw_entry_is_accepted(ledger_org: Any) -> None:
    with transaction.atomic():
        _raw_entry(ledger_org, "100.00", "100.00")
    assert JournalLine.objects.count() == 2


def _raw_entry_without_public(org: Any, debit: str, credit: str) -> None:
    with transaction.atomic():
        _raw_entry(org, debit, credit)
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL search_path = pg_temp")


def test_the_check_holds_whatever_search_path_the_session_sets(ledger_org: Any) -> None:
    """The check runs with its owner's rights and names every object by schema, so a session
    that moves `public` out of its search path neither escapes nor breaks it."""
    with pytest.raises(IntegrityError, match="does not balance"):
        _raw_entry_without_public(ledger_org, "100.00", "90.00")
    _raw_entry_without_public(ledger_org, "100.00", "100.00")
    assert JournalLine.objects.count() == 2
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT prosecdef, proconfig FROM pg_proc WHERE proname = 'ledger_check_entry_balanced'"
        )
        assert cursor.fetchall() == [(True, None)]


def test_entry_without_lines_is_rejected(ledger_org: Any) -> None:
    with pytest.raises(IntegrityError, match="at least two"), transaction.atomic():
        JournalEntry.objects.create(
            number=9001, date=DAY, period=Period.objects.get(name="2026-03")
        )
    assert not JournalEntry.objects.exists()


def test_posted_lines_and_entries_cannot_be_updated_or_deleted(ledger_org: Any, cast: Any) -> None:
    general = Fund.objects.get(is_general=True)
    entry = post_entry(
        organization=ledger_org,
        actor=cast["finance"],
        date=DAY,
        lines=[
            LineInput(Account.objects.get(number="1010"), general, debit=Decimal("10.00")),
            LineInput(Account.objects.get(number="4010"), general, credit=Decimal("10.00")),
        ],
    )
    line = entry.lines.first()
    assert line is not None
    for statement in (
        lambda: JournalLine.objects.filter(pk=line.pk).update(debit=Decimal("11.00")),
        lambda: JournalLine.objects.filter(pk=line.pk).delete(),
        lambda: JournalEntry.objects.filter(pk=entry.pk).update(memo="changed"),
    ):
        with pytest.raises(DatabaseError, match="post a reversing entry"), transaction.atomic():
            statement()
    assert JournalLine.objects.get(pk=line.pk).debit in (Decimal("10.00"), Decimal("0"))
    assert JournalEntry.objects.get(pk=entry.pk).memo == ""


def test_check_constraint_refuses_two_sided_lines(ledger_org: Any) -> None:
    assert LedgerCounter.objects.exists()
    with pytest.raises(IntegrityError), transaction.atomic():
        _raw_entry(ledger_org, "-5.00", "-5.00")


def test_posting_statements_are_planned_once_per_connection(ledger_org: Any) -> None:
    """The lookup and the write of post_entry are prepared: the second posting only executes."""
    fund = Fund.objects.get(is_general=True)
    lines = [
        LineInput(account=Account.objects.get(number="1010"), fund=fund, debit=Decimal("5.00")),
        LineInput(account=Account.objects.get(number="4010"), fund=fund, credit=Decimal("5.00")),
    ]
    for _ in range(3):
        post_entry(organization=ledger_org, actor=None, date=DAY, lines=lines)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT statement FROM pg_prepared_statements WHERE statement LIKE %s"
            " OR statement LIKE %s",
            ["%ledger_ledgercounter%", "%FROM ledger_period p%"],
        )
        prepared = [row[0] for row in cursor.fetchall()]
    assert len(prepared) == 2, prepared
    assert JournalEntry.objects.count() == 3
