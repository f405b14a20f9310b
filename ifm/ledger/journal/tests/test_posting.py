from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from ifm.core.errors import ServiceError
from ifm.core.org_context import org_context
from ifm.ledger.balances.selectors import fund_balances, restricted_balance, trial_balance
from ifm.ledger.balances.services import restriction_release
from ifm.ledger.closing.services import fiscal_year_close
from ifm.ledger.conftest import acct
from ifm.ledger.journal.posting import LineInput, post_entry, reverse_entry
from ifm.ledger.journal.selectors import entries_for_source
from ifm.ledger.journal.services import journal_entry_create
from ifm.ledger.models import Account, JournalEntry, JournalLine, Period, PeriodStatus
from ifm.ledger.periods.services import (
    books_close_through,
    fiscal_year_ensure,
    period_close,
    period_reopen,
)
from ifm.tenancy.models import Membership

D = Decimal
# A day of last year: posting may still open that year, and it has ended, so it can be closed.
DAY = date(date.today().year - 1, 3, 15)


def access(user: Any) -> Membership:
    return Membership.objects.get(user=user)


def donation_lines(fund: Any, amount: str = "100.00") -> list[LineInput]:
    return [
        LineInput(account=acct("1010"), fund=fund, debit=D(amount)),
        LineInput(account=acct("4010"), fund=fund, credit=D(amount)),
    ]


def test_new_organization_gets_the_ucoa_chart_and_a_general_fund(books: Any, general: Any) -> None:
    assert acct("1010").name == "Cash in bank - operating"
    assert acct("4015").net_asset_class == "with_donor_restrictions"
    assert general.is_general
    assert general.restriction == "none"
    assert Account.objects.filter(number__startswith="7").exists()


def test_balanced_entry_posts_with_lines_and_number(books: Any, cast: Any, general: Any) -> None:
    entry = post_entry(
        organization=books, actor=cast["finance"], date=DAY, lines=donation_lines(general)
    )
    again = post_entry(
        organization=books, actor=cast["finance"], date=DAY, lines=donation_lines(general)
    )
    assert again.number == entry.number + 1
    assert entry.period.name == f"{DAY:%Y-%m}"
    assert sorted((line.debit, line.credit) for line in entry.lines.all()) == [
        (D("0"), D("100.00")),
        (D("100.00"), D("0")),
    ]


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        (
            lambda f: [
                LineInput(acct("1010"), f, debit=D("100")),
                LineInput(acct("4010"), f, credit=D("90")),
            ],
            "does not balance",
        ),
        (
            lambda f: [
                LineInput(acct("1010"), f, debit=D("5"), credit=D("5")),
                LineInput(acct("4010"), f),
            ],
            "exactly one of debit or credit",
        ),
        (
            lambda f: [
                LineInput(acct("1010"), f, debit=D("-5")),
                LineInput(acct("4010"), f, credit=D("-5")),
            ],
            "must be positive",
        ),
        (
            lambda f: [
                LineInput(acct("1010"), f, debit=D("1.005")),
                LineInput(acct("4010"), f, credit=D("1.005")),
            ],
            "two decimals",
        ),
        (
            lambda f: [
                LineInput(acct("1000"), f, debit=D("5")),
                LineInput(acct("4010"), f, credit=D("5")),
            ],
            "header",
        ),
        (
            lambda f: [
                LineInput(999999, f, debit=D("5")),
                LineInput(acct("4010"), f, credit=D("5")),
            ],
            "No such account",
        ),
        (lambda f: [LineInput(acct("1010"), f, debit=D("5"))], "at least two lines"),
    ],
)
def test_bad_entries_are_refused_and_nothing_is_written(
    books: Any, cast: Any, general: Any, lines: Any, message: str
) -> None:
    with pytest.raises(ServiceError, match=message):
        post_entry(organization=books, actor=cast["finance"], date=DAY, lines=lines(general))
    assert not JournalEntry.objects.exists()
    assert not JournalLine.objects.exists()


def test_float_amounts_are_refused(books: Any, cast: Any, general: Any) -> None:
    lines = [
        LineInput(acct("1010"), general, debit=0.1),  # type: ignore[arg-type]
        LineInput(acct("4010"), general, credit=0.1),  # type: ignore[arg-type]
    ]
    with pytest.raises(ServiceError, match="decimal"):
        post_entry(organization=books, actor=cast["finance"], date=DAY, lines=lines)


def test_another_organizations_account_or_fund_is_unknown(
    books: Any, org_b: Any, cast: Any, general: Any
) -> None:
    with org_context(org_b):
        b_cash = Account.objects.get(number="1010")
        from ifm.ledger.models import Fund

        b_fund = Fund.objects.get(is_general=True)
    with pytest.raises(ServiceError, match="No such account"):
        post_entry(
            organization=books,
            actor=cast["finance"],
            date=DAY,
            lines=[
                LineInput(b_cash, general, debit=D("5")),
                LineInput(acct("4010"), general, credit=D("5")),
            ],
        )
    with pytest.raises(ServiceError, match="No such fund"):
        post_entry(
            organization=books,
            actor=cast["finance"],
            date=DAY,
            lines=[
                LineInput(acct("1010"), b_fund, debit=D("5")),
                LineInput(acct("4010"), general, credit=D("5")),
            ],
        )


def test_inactive_account_is_refused(books: Any, cast: Any, general: Any) -> None:
    Account.objects.filter(number="4010").update(is_active=False)
    with pytest.raises(ServiceError, match="inactive"):
        post_entry(
            organization=books, actor=cast["finance"], date=DAY, lines=donation_lines(general)
        )


def test_inactive_fund_unknown_program_and_unknown_function_are_named(
    books: Any, cast: Any, general: Any, restricted: Any
) -> None:
    from ifm.ledger.models import Fund

    Fund.objects.filter(pk=restricted.pk).update(is_active=False)
    with pytest.raises(ServiceError) as caught:
        post_entry(
            organization=books,
            actor=cast["finance"],
            date=DAY,
            lines=[
                LineInput(acct("8110"), restricted, debit=D("5"), program=999999),
                LineInput(acct("1010"), general, credit=D("5"), function="parties"),
            ],
        )
    fields = {error["field"] for error in caught.value.errors}
    assert fields == {"lines[0].fund", "lines[0].program", "lines[1].function"}
    assert "YOUTH Youth program is inactive" in str(caught.value)
    assert not JournalEntry.objects.exists()


def test_line_errors_come_line_by_line_amounts_first_then_account_fund_program_function(
    books: Any, cast: Any, general: Any, restricted: Any
) -> None:
    from ifm.ledger.models import Fund

    Fund.objects.filter(pk=restricted.pk).update(is_active=False)
    with pytest.raises(ServiceError) as caught:
        post_entry(
            organization=books,
            actor=cast["finance"],
            date=DAY,
            lines=[
                LineInput(acct("1000"), restricted, debit=D("5"), credit=D("5"), program=999999),
                LineInput(999999, 999999, credit=D("-5"), function="parties"),
                LineInput(acct("1010"), general, debit=D("5")),
            ],
        )
    assert [(e["field"], e["message"]) for e in caught.value.errors] == [
        ("lines[0]", "Give exactly one of debit or credit, above zero."),
        (
            "lines[0].account",
            "1000 Cash is a header: post to one of its sub-accounts.",
        ),
        ("lines[0].fund", "Fund YOUTH Youth program is inactive."),
        ("lines[0].program", "No such program."),
        ("lines[1]", "Amounts must be positive: use the other column."),
        ("lines[1].account", "No such account."),
        ("lines[1].fund", "No such fund."),
        ("lines[1].function", "Unknown function 'parties'."),
    ]
    assert str(caught.value).startswith(
        "The entry has errors: Give exactly one of debit or credit, above zero.; 1000 "
    )
    assert not JournalEntry.objects.exists()


def test_posting_records_one_audit_event_with_the_request_facts(
    books: Any, cast: Any, general: Any
) -> None:
    from ifm.audit.models import AuditEvent
    from ifm.core.request_context import reset_request_meta, set_request_meta

    token = set_request_meta({"ip": "192.0.2.7", "user_agent": "pytest", "request_id": "r-42"})
    try:
        entry = post_entry(
            organization=books,
            actor=cast["finance"],
            date=DAY,
            lines=donation_lines(general, "12.34"),
            source_type="donation",
            source_id=77,
        )
    finally:
        reset_request_meta(token)
    event = AuditEvent.objects.get(action="journal_entry.post")
    assert (event.organization_id, event.actor_id) == (books.pk, cast["finance"].pk)
    assert event.actor_label == cast["finance"].email
    assert (event.object_type, event.object_id) == ("ledger.journalentry", str(entry.pk))
    assert event.object_repr == f"JE-{entry.number}"
    assert event.changes == {"date": DAY.isoformat(), "source": "donation:77", "total": "12.34"}
    assert (event.ip_address, event.user_agent, event.request_id) == ("192.0.2.7", "pytest", "r-42")
    stored = JournalEntry.objects.get(pk=entry.pk)
    assert (stored.number, stored.source_type, stored.source_id) == (entry.number, "donation", "77")
    assert stored.created_by_id == cast["finance"].pk
    assert stored.period_id == entry.period_id


def test_posting_without_audit_writes_no_event(books: Any, cast: Any, general: Any) -> None:
    from ifm.audit.models import AuditEvent

    post_entry(
        organization=books,
        actor=cast["finance"],
        date=DAY,
        lines=donation_lines(general),
        audit=False,
    )
    assert JournalEntry.objects.count() == 1
    assert not AuditEvent.objects.filter(action="journal_entry.post").exists()


def test_an_organization_without_an_entry_counter_gets_one(
    books: Any, cast: Any, general: Any
) -> None:
    from ifm.ledger.models import LedgerCounter

    LedgerCounter.objects.all().delete()
    first = post_entry(
        organization=books, actor=cast["finance"], date=DAY, lines=donation_lines(general)
    )
    second = post_entry(
        organization=books, actor=cast["finance"], date=DAY, lines=donation_lines(general)
    )
    assert (first.number, second.number) == (1, 2)
    assert LedgerCounter.objects.get().next_entry_number == 3


def test_a_date_in_a_year_not_yet_opened_creates_the_year(
    books: Any, cast: Any, general: Any
) -> None:
    next_year = date.today().year + 1  # the year after the latest one on record
    entry = post_entry(
        organization=books,
        actor=cast["finance"],
        date=date(next_year, 7, 4),
        lines=donation_lines(general),
    )
    assert JournalEntry.objects.get(pk=entry.pk).period.name == f"{next_year}-07"


def test_crossing_funds_adds_interfund_lines_so_each_fund_balances(
    books: Any, cast: Any, general: Any, restricted: Any
) -> None:
    entry = post_entry(
        organization=books,
        actor=cast["finance"],
        date=DAY,
        lines=[
            LineInput(acct("8110"), restricted, debit=D("40.00")),
            LineInput(acct("1010"), general, credit=D("40.00")),
        ],
    )
    by_fund: dict[int, D] = {}
    for line in entry.lines.all():
        by_fund[line.fund_id] = by_fund.get(line.fund_id, D("0")) + line.debit - line.credit
    assert set(by_fund.values()) == {D("0")}
    accounts = {
        (line.account.number, line.fund_id): (line.debit, line.credit)
        for line in entry.lines.select_related("account")
    }
    assert accounts[("2900", restricted.pk)] == (D("0"), D("40.00"))
    assert accounts[("1900", general.pk)] == (D("40.00"), D("0"))


def test_reversal_mirrors_the_entry_once(books: Any, cast: Any, general: Any) -> None:
    entry = post_entry(
        organization=books, actor=cast["finance"], date=DAY, lines=donation_lines(general)
    )
    reversal = reverse_entry(organization=books, actor=cast["finance"], entry=entry)
    assert reversal.reverses == entry
    assert list(entries_for_source(source_type="reversal", source_id=entry.pk)) == [reversal]
    tb = trial_balance(as_of=DAY)
    assert all(row.debit == row.credit == 0 for row in tb.rows)
    with pytest.raises(ServiceError, match="already been reversed"):
        reverse_entry(organization=books, actor=cast["finance"], entry=entry)


def test_closed_period_refuses_postings_and_names_the_period(
    books: Any, cast: Any, general: Any
) -> None:
    fiscal_year_ensure(organization=books, on=DAY)
    period = Period.objects.get(name=f"{DAY:%Y-%m}")
    books_close_through(
        organization=books, actor=cast["finance"], access=access(cast["finance"]), period=period
    )
    with pytest.raises(ServiceError, match=f"{DAY:%Y-%m} is closed"):
        post_entry(
            organization=books, actor=cast["finance"], date=DAY, lines=donation_lines(general)
        )
    with pytest.raises(ServiceError, match="why"):
        period_reopen(
            organization=books,
            actor=cast["admin"],
            access=access(cast["admin"]),
            period=period,
            reason=" ",
        )
    period_reopen(
        organization=books,
        actor=cast["admin"],
        access=access(cast["admin"]),
        period=period,
        reason="Late bill",
    )
    assert post_entry(
        organization=books, actor=cast["finance"], date=DAY, lines=donation_lines(general)
    )


def test_only_finance_and_admin_close_periods_and_post_manual_entries(
    books: Any, cast: Any, general: Any
) -> None:
    fiscal_year_ensure(organization=books, on=DAY)
    period = Period.objects.get(name=f"{DAY:%Y-%m}")
    with pytest.raises(PermissionDenied):
        period_close(
            organization=books, actor=cast["staff"], access=access(cast["staff"]), period=period
        )
    with pytest.raises(PermissionDenied):
        journal_entry_create(
            organization=books,
            actor=cast["fundraising"],
            access=access(cast["fundraising"]),
            date=DAY,
            lines=donation_lines(general),
        )
    entry = journal_entry_create(
        organization=books,
        actor=cast["finance"],
        access=access(cast["finance"]),
        date=DAY,
        lines=donation_lines(general),
    )
    assert entry.source_type == "manual"


def test_release_from_restriction_reclassifies_within_the_fund(
    books: Any, cast: Any, general: Any, restricted: Any
) -> None:
    entry = restriction_release(
        organization=books, actor=cast["finance"], fund=restricted, amount=D("25.00"), date=DAY
    )
    lines = {line.account.role: line for line in entry.lines.select_related("account")}
    assert lines["release_with"].debit == D("25.00")
    assert lines["release_with"].fund == restricted
    assert lines["release_without"].credit == D("25.00")
    with pytest.raises(ServiceError, match="no donor restriction"):
        restriction_release(
            organization=books, actor=cast["finance"], fund=general, amount=D("5"), date=DAY
        )


def test_trial_balance_balances_and_filters_by_fund(
    books: Any, cast: Any, general: Any, restricted: Any
) -> None:
    post_entry(
        organization=books, actor=cast["finance"], date=DAY, lines=donation_lines(general, "100.00")
    )
    post_entry(
        organization=books,
        actor=cast["finance"],
        date=DAY,
        lines=[
            LineInput(acct("1010"), restricted, debit=D("60.00")),
            LineInput(acct("4015"), restricted, credit=D("60.00")),
        ],
    )
    post_entry(
        organization=books,
        actor=cast["finance"],
        date=DAY.replace(month=4, day=1),
        lines=donation_lines(general, "7.00"),
    )
    tb = trial_balance(as_of=DAY)
    assert tb.total_debit == tb.total_credit == D("160.00")
    rows = {row.number: (row.debit, row.credit) for row in tb.rows}
    assert rows == {
        "1010": (D("160.00"), D("0.00")),
        "4010": (D("0.00"), D("100.00")),
        "4015": (D("0.00"), D("60.00")),
    }
    only = trial_balance(as_of=DAY, fund_id=restricted.pk)
    assert only.total_debit == D("60.00")
    balances = {row["fund__code"]: row["balance"] for row in fund_balances(as_of=DAY)}
    assert balances == {"GEN": D("100.00"), "YOUTH": D("60.00")}


def test_year_end_close_moves_revenue_and_expenses_into_net_assets_by_class(
    books: Any, cast: Any, general: Any, restricted: Any
) -> None:
    post_entry(
        organization=books, actor=cast["finance"], date=DAY, lines=donation_lines(general, "100.00")
    )
    post_entry(
        organization=books,
        actor=cast["finance"],
        date=DAY,
        lines=[
            LineInput(acct("1010"), restricted, debit=D("60.00")),
            LineInput(acct("4015"), restricted, credit=D("60.00")),
        ],
    )
    post_entry(
        organization=books,
        actor=cast["finance"],
        date=DAY,
        lines=[
            LineInput(acct("8110"), general, debit=D("30.00")),
            LineInput(acct("1010"), general, credit=D("30.00")),
        ],
    )
    fy = fiscal_year_ensure(organization=books, on=DAY)
    entry = fiscal_year_close(
        organization=books, actor=cast["admin"], access=access(cast["admin"]), fiscal_year=fy
    )
    assert entry is not None
    assert entry.source_type == "closing"
    rows = {
        row.number: (row.debit, row.credit)
        for row in trial_balance(as_of=fy.end_date).rows
        if row.debit or row.credit
    }
    assert rows == {
        "1010": (D("130.00"), D("0.00")),
        "3010": (D("0.00"), D("70.00")),
        "3110": (D("0.00"), D("60.00")),
    }
    assert not Period.objects.filter(fiscal_year=fy, status=PeriodStatus.OPEN).exists()


def test_year_end_close_keeps_what_a_restricted_fund_holds(
    books: Any, cast: Any, restricted: Any
) -> None:
    """An expense of a restricted fund is "without donor restrictions" (its release moved the
    money across): the close takes it into net assets without restrictions, so the fund
    holds as much with restrictions after the close as before."""
    post_entry(
        organization=books,
        actor=cast["finance"],
        date=DAY,
        lines=[
            LineInput(acct("1010"), restricted, debit=D("100.00")),
            LineInput(acct("4015"), restricted, credit=D("100.00")),
        ],
    )
    post_entry(
        organization=books,
        actor=cast["finance"],
        date=DAY,
        lines=[
            LineInput(acct("8110"), restricted, debit=D("30.00"), function="management"),
            LineInput(acct("1010"), restricted, credit=D("30.00")),
        ],
    )
    assert restricted_balance(fund_id=restricted.pk, as_of=DAY) == D("70.00")  # 30 released
    fy = fiscal_year_ensure(organization=books, on=DAY)
    fiscal_year_close(
        organization=books, actor=cast["admin"], access=access(cast["admin"]), fiscal_year=fy
    )
    assert restricted_balance(fund_id=restricted.pk, as_of=fy.end_date) == D("70.00")
    rows = {
        row.number: row.debit - row.credit
        for row in trial_balance(as_of=fy.end_date, fund_id=restricted.pk).rows
        if row.debit or row.credit
    }
    # The expense (without) and the release into "without" cancel; "with" keeps the rest.
    assert rows == {"1010": D("70.00"), "3110": D("-70.00")}
