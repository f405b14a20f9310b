"""PostgreSQL itself refuses changes of reconciled data, whatever code (or console) asks.

The triggers are BEFORE row triggers, so they fire at once: no commit needed."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction

from ifm.banking.models import BankAccount, BankTransaction, Match, MatchLine, Reconciliation
from ifm.banking.reconciliation.services import (
    reconciliation_finish,
    reconciliation_reopen,
    reconciliation_start,
)
from ifm.banking.reconciliation.tests.factories import matched_pair, post_cash

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="database triggers exist on PostgreSQL only"
    ),
]
JAN = date(2026, 1, 31)


@pytest.fixture
def finished(org_a: Any, account: BankAccount, finance: Any) -> dict[str, Any]:
    line, journal_line = matched_pair(org_a, account, "25.00", date(2026, 1, 5))
    rec = reconciliation_start(
        **finance, bank_account=account, statement_date=JAN, statement_balance=Decimal("25.00")
    )
    rec = reconciliation_finish(**finance, reconciliation=rec)
    line.refresh_from_db()
    assert line.status == "reconciled"
    return {"line": line, "journal_line": journal_line, "rec": rec, "match": line.match}


def _refused(sql: str, params: list[Any]) -> str:
    with pytest.raises(DatabaseError) as caught, transaction.atomic(), connection.cursor() as c:
        c.execute(sql, params)
    return str(caught.value)


@pytest.mark.parametrize(
    "change",
    [
        "amount = amount + 1",
        "date = date - 1",
        "payee = 'Someone else'",
        "match_id = NULL, status = 'unmatched', reconciliation_id = NULL",
        "status = 'matched', reconciliation_id = NULL",
    ],
)
def test_a_reconciled_line_cannot_be_updated(finished: Any, change: str) -> None:
    line = finished["line"]
    message = _refused(
        f"UPDATE banking_banktransaction SET {change} WHERE id = %s",  # noqa: S608
        [line.pk],
    )
    assert f"bank line {line.pk} is reconciled" in message
    line.refresh_from_db()
    assert (line.status, line.amount) == ("reconciled", Decimal("25.00"))


def test_a_reconciled_line_cannot_be_deleted(finished: Any) -> None:
    assert "is reconciled" in _refused(
        "DELETE FROM banking_banktransaction WHERE id = %s", [finished["line"].pk]
    )


def test_the_setting_alone_does_not_release_a_line(finished: Any) -> None:
    """Releasing needs the reconciliation reopened too, not only the transaction's flag."""
    sql = (
        "SELECT set_config('ifm.reconcile_reopen', 'on', true); "
        "UPDATE banking_banktransaction SET status = 'matched', reconciliation_id = NULL "
        "WHERE id = %s"
    )
    assert "is reconciled" in _refused(sql, [finished["line"].pk])


def test_the_match_and_its_lines_cannot_be_changed(finished: Any, org_a: Any) -> None:
    match = finished["match"]
    assert "holds reconciled bank lines" in _refused(
        "DELETE FROM banking_matchline WHERE match_id = %s", [match.pk]
    )
    assert "holds reconciled bank lines" in _refused(
        "DELETE FROM banking_match WHERE id = %s", [match.pk]
    )
    assert "holds reconciled bank lines" in _refused(
        "UPDATE banking_match SET cleared_on = cleared_on + 30 WHERE id = %s", [match.pk]
    )
    other = post_cash(org_a, "5.00", date(2026, 1, 6))
    assert "holds reconciled bank lines" in _refused(
        "INSERT INTO banking_matchline (organization_id, match_id, journal_line_id) "
        "VALUES (%s, %s, %s)",
        [org_a.pk, match.pk, other.pk],
    )
    # The ORM's delete (the match's lines cascade, the bank line's match is set to null) too.
    with pytest.raises(DatabaseError), transaction.atomic():
        Match.objects.filter(pk=match.pk).delete()
    assert MatchLine.objects.filter(match=match).count() == 1


def test_a_finished_reconciliation_cannot_be_changed_or_deleted(finished: Any) -> None:
    rec = finished["rec"]
    assert "is finished" in _refused(
        "UPDATE banking_reconciliation SET statement_balance = 0 WHERE id = %s", [rec.pk]
    )
    assert "is finished" in _refused(
        "UPDATE banking_reconciliation SET status = 'open' WHERE id = %s", [rec.pk]
    )
    assert "is finished" in _refused("DELETE FROM banking_reconciliation WHERE id = %s", [rec.pk])
    rec.refresh_from_db()
    assert rec.status == "finished"


def test_reopening_releases_the_lines_and_ends_the_exception(finished: Any, finance: Any) -> None:
    reconciliation_reopen(**finance, reconciliation=finished["rec"], reason="Bank corrected it")
    line = finished["line"]
    line.refresh_from_db()
    assert (line.status, line.reconciliation_id) == ("matched", None)
    # Now it is an ordinary matched line: the match may be undone.
    with transaction.atomic():
        BankTransaction.objects.filter(pk=line.pk).update(status="unmatched", match=None)
        Match.objects.filter(pk=finished["match"].pk).delete()
    with connection.cursor() as c:
        c.execute("SELECT current_setting('ifm.reconcile_reopen', true)")
        assert c.fetchone()[0] == "off"


def test_the_lock_sees_rows_whatever_the_session_context(finished: Any) -> None:
    """The guard runs with its owner's rights: a session without the organization's context
    (which sees no rows) cannot slip a change through by hiding the reconciled lines."""
    assert Reconciliation.objects.filter(status="finished").count() == 1
    with connection.cursor() as c:
        c.execute(
            "SELECT prosecdef FROM pg_proc WHERE proname IN "
            "('banking_line_guard', 'banking_match_guard', 'banking_match_is_reconciled')"
        )
        assert [row[0] for row in c.fetchall()] == [True, True, True]
