"""`statement_import_parsed`: what a read statement stores, what it skips, what it refuses.
Every refusal changes nothing."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings

from ifm.audit.models import AuditEvent
from ifm.banking.accounts.services import bank_account_archive
from ifm.banking.accounts.tests.conftest import who
from ifm.banking.imports.services import (
    ImportResult,
    StatementImportError,
    statement_import_parsed,
)
from ifm.banking.imports.tests.conftest import line, month_of_lines, statement
from ifm.banking.imports.tests.test_identity import START, histories, windows
from ifm.banking.models import BankAccount, BankTransaction, Statement
from ifm.banking.statements import ParsedLine, ParsedStatement
from ifm.banking.tests.factories import bank_account
from ifm.core.errors import ConflictError

pytestmark = pytest.mark.django_db


def run(
    finance: dict[str, Any], account: BankAccount, parsed: ParsedStatement, name: str = "s.ofx"
) -> ImportResult:
    return statement_import_parsed(
        **finance,
        bank_account=account,
        parsed=parsed,
        filename=name,
        sha256=hashlib.sha256(repr(parsed).encode()).hexdigest(),
    )


def stored(account: BankAccount) -> list[tuple[date, Decimal, str]]:
    return sorted(
        BankTransaction.objects.filter(bank_account=account).values_list("date", "amount", "payee")
    )


def test_a_statement_is_stored_with_its_balances_and_counts(
    finance: dict[str, Any], checking: BankAccount
) -> None:
    lines = month_of_lines(date(2026, 3, 1), 31, with_ids=True)
    total = sum((x.amount for x in lines), Decimal(0))
    parsed = statement(lines, opening="1000.00", closing=str(Decimal("1000.00") + total))
    result = run(finance, checking, parsed)
    assert (result.imported, result.duplicates) == (len(lines), 0)
    s = result.statement
    assert (s.line_count, s.imported_count, s.duplicate_count) == (len(lines), len(lines), 0)
    assert (s.start_date, s.end_date) == (date(2026, 3, 1), date(2026, 3, 31))
    assert (s.opening_balance, s.closing_balance) == (Decimal("1000.00"), Decimal(1000) + total)
    assert s.imported_by == finance["actor"]
    agg = BankTransaction.objects.filter(statement=s).aggregate(total=Sum("amount"))
    assert agg["total"] == total
    rent = BankTransaction.objects.get(payee="Rent")
    assert (rent.identity, rent.reference, rent.status) == ("id:R202603", "1001", "unmatched")
    event = AuditEvent.objects.get(action="bank_statement.import")
    assert event.changes["imported"] == len(lines)
    assert event.object_id == str(s.pk)


def test_the_same_file_twice_adds_nothing(finance: dict[str, Any], checking: BankAccount) -> None:
    for with_ids in (True, False):
        BankTransaction.objects.all().delete()
        lines = month_of_lines(date(2026, 1, 1), 20, with_ids=with_ids)
        run(finance, checking, statement(lines))
        again = run(finance, checking, statement(lines))
        assert (again.imported, again.duplicates) == (0, len(lines))
        assert BankTransaction.objects.count() == len(lines)


def test_january_to_march_after_february_to_april_adds_only_january(
    finance: dict[str, Any], checking: BankAccount
) -> None:
    year = month_of_lines(date(2026, 1, 1), 120)
    feb_apr = [x for x in year if date(2026, 2, 1) <= x.date <= date(2026, 4, 30)]
    jan_mar = [x for x in year if x.date <= date(2026, 3, 31)]
    run(finance, checking, statement(feb_apr))
    result = run(finance, checking, statement(jan_mar))
    january = [x for x in year if x.date.month == 1]
    assert result.imported == len(january)
    assert result.duplicates == len(jan_mar) - len(january)
    union = [x for x in year if x.date <= date(2026, 4, 30)]
    assert stored(checking) == sorted((x.date, x.amount, x.payee) for x in union)


def test_two_identical_coffees_on_one_day_both_stay_and_a_third_is_new(
    finance: dict[str, Any], checking: BankAccount
) -> None:
    two = [line("2026-05-04", "-4.50", "Corner Coffee")] * 2
    assert run(finance, checking, statement(two)).imported == 2
    three = [*two, line("2026-05-04", "-4.50", "CORNER  coffee")]
    result = run(finance, checking, statement(three))
    assert (result.imported, result.duplicates) == (1, 2)
    assert BankTransaction.objects.count() == 3


def test_a_bank_id_repeated_for_different_lines_falls_back_to_hashes(
    finance: dict[str, Any], checking: BankAccount
) -> None:
    lines = [
        line("2026-05-04", "-4.50", "Coffee", bank_id="0"),
        line("2026-05-05", "-12.00", "Lunch", bank_id="0"),
        line("2026-05-06", "-30.00", "Fuel", bank_id="77"),
    ]
    assert run(finance, checking, statement(lines)).imported == 3
    identities = dict(BankTransaction.objects.values_list("payee", "identity"))
    assert identities["Fuel"] == "id:77"
    assert identities["Coffee"].startswith("h:")
    assert identities["Lunch"].startswith("h:")
    assert run(finance, checking, statement(lines)).imported == 0


def test_a_file_for_another_account_or_currency_is_refused_saying_which(
    finance: dict[str, Any], checking: BankAccount
) -> None:
    lines = month_of_lines(date(2026, 1, 1), 5)
    with pytest.raises(StatementImportError) as exc:
        run(finance, checking, statement(lines, account_number="99887766", currency="EUR"))
    fields = {p.field: p.message for p in exc.value.problems}
    assert set(fields) == {"currency", "account_number"}
    assert "EUR" in fields["currency"]
    assert "USD" in fields["currency"]
    assert "7766" in fields["account_number"]
    assert "6789" in fields["account_number"]
    assert {e["field"] for e in exc.value.errors} == {"currency", "account_number"}
    # The same digits, written as the bank does, pass.
    ok = run(finance, checking, statement(lines, account_number="0001-2345-6789", currency="usd"))
    assert ok.imported == len(lines)


def test_nothing_is_stored_when_the_balances_do_not_add_up(
    finance: dict[str, Any], checking: BankAccount
) -> None:
    lines = [line("2026-01-02", "100.00", "Deposit"), line("2026-01-03", "-40.00", "Check")]
    with pytest.raises(StatementImportError) as exc:
        run(finance, checking, statement(lines, opening="10.00", closing="80.00"))
    (problem,) = exc.value.problems
    assert problem.field == "closing_balance"
    assert "difference of 10.00" in problem.message
    assert not Statement.objects.exists()
    assert not BankTransaction.objects.exists()
    assert not AuditEvent.objects.filter(action="bank_statement.import").exists()


def test_bad_amounts_and_dates_are_listed_by_line(
    finance: dict[str, Any], checking: BankAccount
) -> None:
    lines = [
        line("2026-01-02", "100.005", "Too precise"),
        line("1850-01-03", "1.00", "Too old"),
        line("2026-01-04", "1000000000000.00", "Too big"),
    ]
    lines = [type(x)(**{**x.__dict__, "where": f"line {n}"}) for n, x in enumerate(lines, start=7)]
    with pytest.raises(StatementImportError) as exc:
        run(finance, checking, statement(lines))
    assert [(p.where, p.field) for p in exc.value.problems] == [
        ("line 7", "amount"),
        ("line 8", "date"),
        ("line 9", "amount"),
    ]
    assert exc.value.errors[0]["field"] == "line 7 amount"
    assert not BankTransaction.objects.exists()


def test_too_many_lines_are_refused(
    finance: dict[str, Any], checking: BankAccount, settings: Any
) -> None:
    settings.BANKING_IMPORT_MAX_LINES = 10
    with pytest.raises(StatementImportError) as exc:
        run(finance, checking, statement(month_of_lines(date(2026, 1, 1), 10)))
    assert exc.value.problems[0].field == "lines"
    assert not Statement.objects.exists()


def test_an_archived_account_takes_no_import(
    finance: dict[str, Any], checking: BankAccount
) -> None:
    bank_account_archive(**finance, bank_account=checking)
    with pytest.raises(ConflictError):
        run(finance, checking, statement(month_of_lines(date(2026, 1, 1), 3)))
    assert not Statement.objects.exists()


def test_a_viewer_may_not_import(in_a: Any, cast: dict[str, Any], checking: BankAccount) -> None:
    with pytest.raises(PermissionDenied):
        run(who(in_a, cast["viewer"]), checking, statement([line("2026-01-02", "1.00")]))
    assert not Statement.objects.exists()


def test_long_text_is_cut_to_its_column_and_an_empty_statement_keeps_its_balance(
    finance: dict[str, Any], checking: BankAccount
) -> None:
    lines = [line("2026-01-02", "-1.00", "P" * 400, memo="m\x00" * 400, bank_id="X" * 300)]
    run(finance, checking, statement(lines))
    stored_line = BankTransaction.objects.get()
    assert len(stored_line.payee) == 255
    assert len(stored_line.memo) == 500
    assert "\x00" not in stored_line.memo
    assert stored_line.identity.startswith("id:sha256:")
    empty = run(finance, checking, statement([], closing="12.00"))
    assert (empty.imported, empty.statement.closing_balance) == (0, Decimal("12.00"))
    assert empty.statement.start_date is None


def test_another_organizations_bank_account_is_not_found(
    finance: dict[str, Any], checking: BankAccount, org_b: Any
) -> None:
    theirs = bank_account(org_b)
    with pytest.raises(BankAccount.DoesNotExist):
        run(finance, theirs, statement([line("2026-01-02", "1.00")]))


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(history=histories(), spans=windows)
def test_random_overlapping_statements_store_the_union(
    finance: dict[str, Any],
    checking: BankAccount,
    history: list[ParsedLine],
    spans: list[list[int]],
) -> None:
    BankTransaction.objects.filter(bank_account=checking).delete()
    Statement.objects.filter(bank_account=checking).delete()
    added = 0
    for lo, hi in spans:
        first, last = START + timedelta(days=lo), START + timedelta(days=hi)
        lines = [x for x in history if first <= x.date <= last]
        result = run(finance, checking, statement(lines))
        assert result.imported + result.duplicates == len(lines)
        added += result.imported
    days = {d for lo, hi in spans for d in range(lo, hi + 1)}
    union = [x for x in history if (x.date - START).days in days]
    assert added == len(union) == BankTransaction.objects.filter(bank_account=checking).count()

    # Which of two lines differing only in case or spacing is kept depends on the order.
    def norm(rows: list[tuple[date, Decimal, str]]) -> list[tuple[date, Decimal, str]]:
        return sorted((d, a, " ".join(p.split()).casefold()) for d, a, p in rows)

    assert norm(stored(checking)) == norm([(x.date, x.amount, x.payee) for x in union])
