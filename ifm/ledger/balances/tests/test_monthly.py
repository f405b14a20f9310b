"""The stored monthly balances: kept by every way lines are posted, equal to summing the lines
for any date range, and checked (and repaired) by `ifm ledger_verify`."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.db.models import F, Q, Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ifm.ledger.balances.monthly import Split, split
from ifm.ledger.balances.selectors import (
    fund_net_assets,
    group_balances,
    line_totals,
    restricted_balance,
    trial_balance,
)
from ifm.ledger.balances.stored import differences, rebuild
from ifm.ledger.closing.services import fiscal_year_close
from ifm.ledger.conftest import acct
from ifm.ledger.journal.posting import (
    EntryInput,
    LineInput,
    post_entries,
    post_entry,
    reverse_entry,
)
from ifm.ledger.models import (
    FiscalYear,
    Fund,
    JournalEntry,
    JournalLine,
    MonthlyBalance,
    PeriodBalance,
    Program,
    Restriction,
    SourceType,
)
from ifm.tenancy.models import Membership, Organization

pytestmark = pytest.mark.django_db

BASE = date(date.today().year - 1, 1, 1)
SPAN = (date.today() - BASE).days
CENT = Decimal("0.01")
amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999"), places=2)
days = st.integers(min_value=0, max_value=SPAN)
postings = st.lists(
    st.tuples(
        days,
        amounts,
        st.sampled_from(["8110", "7220", "4010", "4015", "2010"]),
        st.integers(0, 1),  # fund
        st.sampled_from([None, 0, 1]),  # program
        st.sampled_from(["", "program", "management", "fundraising"]),
        st.sampled_from([None, 0, 40]),  # reversed: not, the same day, or 40 days later
    ),
    min_size=1,
    max_size=12,
)


D = date


@pytest.mark.parametrize(
    ("date_from", "date_to", "expected"),
    [
        (D(2026, 1, 1), D(2026, 12, 15),
         Split(quarters=[(D(2026, 1, 1), D(2026, 7, 1))], months=[(D(2026, 10, 1), D(2026, 11, 1))],
               days=[(D(2026, 12, 1), D(2026, 12, 15))])),
        (None, D(2026, 12, 15),
         Split(years=[(None, D(2025, 1, 1))], quarters=[(D(2026, 1, 1), D(2026, 7, 1))],
               months=[(D(2026, 10, 1), D(2026, 11, 1))],
               days=[(D(2026, 12, 1), D(2026, 12, 15))])),
        (D(2024, 2, 10), D(2026, 5, 20),
         Split(years=[(D(2025, 1, 1), D(2025, 1, 1))],
               quarters=[(D(2024, 4, 1), D(2024, 10, 1)), (D(2026, 1, 1), D(2026, 1, 1))],
               months=[(D(2024, 3, 1), D(2024, 3, 1)), (D(2026, 4, 1), D(2026, 4, 1))],
               days=[(D(2024, 2, 10), D(2024, 2, 29)), (D(2026, 5, 1), D(2026, 5, 20))])),
        (D(2026, 1, 10), D(2026, 3, 31),
         Split(months=[(D(2026, 2, 1), D(2026, 3, 1))], days=[(D(2026, 1, 10), D(2026, 1, 31))])),
        (D(2026, 3, 5), D(2026, 3, 20), Split(days=[(D(2026, 3, 5), D(2026, 3, 20))])),
        (D(2026, 3, 5), D(2026, 4, 20), Split(days=[(D(2026, 3, 5), D(2026, 4, 20))])),
        (None, D(2024, 2, 29),
         Split(years=[(None, D(2023, 1, 1))], months=[(D(2024, 1, 1), D(2024, 2, 1))])),
        (D(2025, 12, 2), None,
         Split(years=[(D(2026, 1, 1), None)], days=[(D(2025, 12, 2), D(2025, 12, 31))])),
        (D(2025, 7, 1), D(2025, 12, 31), Split(quarters=[(D(2025, 7, 1), D(2025, 10, 1))])),
        (None, None, Split(years=[(None, None)])),
        (D(2026, 5, 1), D(2026, 4, 30), Split(days=[(D(2026, 5, 1), D(2026, 4, 30))])),
    ],
)  # fmt: skip
def test_split_reads_whole_years_quarters_and_months_stored_and_the_edges_from_lines(
    date_from: date | None, date_to: date | None, expected: Split
) -> None:
    assert split(date_from, date_to) == expected


def _days(parts: Split, earliest: date) -> list[tuple[date, date]]:
    """Every piece of a split as a range of days, open ends from `earliest`."""
    pieces = []
    for ranges, after in (
        (parts.years, lambda d: D(d.year + 1, 1, 1)),
        (parts.quarters, lambda d: D(d.year + (d.month > 9), (d.month + 2) % 12 + 1, 1)),
        (parts.months, lambda d: D(d.year + (d.month == 12), d.month % 12 + 1, 1)),
    ):
        for low, high in ranges:
            assert high is not None  # the tests' ranges end
            day = low or earliest
            while day <= high:
                pieces.append((day, after(day) - timedelta(days=1)))
                day = after(day)
    pieces += [(low or earliest, high) for low, high in parts.days if high is not None]
    return sorted(pieces)


@given(
    start=st.dates(D(2019, 1, 1), D(2028, 12, 31)),
    length=st.integers(0, 1500),
    open_start=st.booleans(),
)
def test_split_covers_every_day_once(start: date, length: int, open_start: bool) -> None:
    end = start + timedelta(days=length)
    earliest = D(2018, 1, 1)
    parts = split(None if open_start else start, end)
    day = earliest if open_start else start
    for low, high in _days(parts, earliest):
        assert low == day
        day = high + timedelta(days=1)
    assert day == end + timedelta(days=1)
    assert len(parts.years) <= 1
    assert max(len(parts.quarters), len(parts.months), len(parts.days)) <= 2


def _post_all(org: Organization, actor: Any, ledger: list[tuple[Any, ...]], ctx: dict) -> None:
    for day, amount, account, fund_index, program, function, reversed_after in ledger:
        fund = ctx["funds"][fund_index]
        on = BASE + timedelta(days=day)
        entry = post_entry(
            organization=org,
            actor=actor,
            date=on,
            lines=[
                LineInput(
                    acct(account),
                    fund,
                    debit=amount,
                    program=ctx["programs"][program] if program is not None else None,
                    function=function,
                ),
                LineInput(acct("1010"), ctx["funds"][0], credit=amount),
            ],
        )
        if reversed_after is not None:
            reverse_entry(
                organization=org,
                actor=actor,
                entry=entry,
                date=min(on + timedelta(days=reversed_after), date.today()),
            )


def _by_lines(group_by: tuple[str, ...], date_from: date, date_to: date, **where: Any) -> dict:
    """The old way: every line in the range summed, closing entries left out."""
    closing = JournalEntry.objects.filter(source_type=SourceType.CLOSING).values("pk")
    rows = (
        JournalLine.objects.exclude(entry_id__in=closing)
        .filter(date__gte=date_from, date__lte=date_to, **where)
        .values(*group_by)
        .annotate(net=Sum(F("credit") - F("debit")))
        .order_by()
    )
    return {tuple(r[g] for g in group_by): Decimal(r["net"]).quantize(CENT) for r in rows}


def _stored(rows: list[dict[str, Any]], group_by: tuple[str, ...]) -> dict:
    return {tuple(r[g] for g in group_by): r["net"] for r in rows}


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ledger=postings, cut=st.tuples(days, days), close=st.booleans())
def test_stored_balances_equal_summing_the_lines(
    books: Organization,
    cast: Any,
    general: Fund,
    ledger: list[tuple[Any, ...]],
    cut: tuple[int, int],
    close: bool,
) -> None:
    actor = cast["admin"]
    with transaction.atomic():
        ctx: dict[str, Any] = {
            "funds": [
                general,
                Fund.objects.create(code="YOUTH", name="Youth", restriction=Restriction.PURPOSE),
            ],
            "programs": [
                Program.objects.create(code="P1", name="Meals"),
                Program.objects.create(code="P2", name="Shelter"),
            ],
        }
        _post_all(books, actor, ledger, ctx)
        year = FiscalYear.objects.filter(end_date__lt=date.today()).order_by("start_date").first()
        if close and year is not None:
            fiscal_year_close(
                organization=books,
                actor=actor,
                access=Membership.objects.get(user=actor),
                fiscal_year=year,
            )
        assert differences(books.pk) == []

        start, end = sorted(BASE + timedelta(days=d) for d in cut)
        for group_by in (
            ("account_id", "fund_id", "program_id", "function"),
            ("account__type", "account__net_asset_class"),
            ("fund_id", "fund__code"),
        ):
            stored = line_totals(group_by=group_by, date_from=start, date_to=end)
            assert _stored(stored, group_by) == _by_lines(group_by, start, end)
        one_fund = line_totals(
            group_by=("account_id",),
            date_from=start,
            date_to=end,
            types=("expense",),
            fund_id=general.pk,
        )
        assert _stored(one_fund, ("account_id",)) == _by_lines(
            ("account_id",), start, end, account__type="expense", fund_id=general.pk
        )

        balance = trial_balance(as_of=end)
        lines = JournalLine.objects.filter(date__lte=end)
        expected = {
            r["account_id"]: Decimal(r["net"]).quantize(CENT)
            for r in lines.values("account_id").annotate(net=Sum(F("debit") - F("credit")))
        }
        assert {r.account_id: r.debit - r.credit for r in balance.rows} == expected
        funds = fund_net_assets(as_of=end, date_from=start)
        assets = {
            r["fund_id"]: Decimal(r["net"]).quantize(CENT)
            for r in lines.filter(account__type="asset")
            .values("fund_id")
            .annotate(net=Sum(F("debit") - F("credit")))
        }
        assert {r.fund_id: r.assets for r in funds.rows if r.assets or r.fund_id in assets} == (
            assets
        )
        released = lines.filter(date__gte=start, account__role="release_with").aggregate(
            net=Sum(F("debit") - F("credit"))
        )["net"]
        assert funds.total("released") == Decimal(released or 0).quantize(CENT)
        restricted = lines.filter(
            fund_id=ctx["funds"][1].pk, account__net_asset_class="with_donor_restrictions"
        ).aggregate(net=Sum(F("credit") - F("debit")))["net"]
        assert restricted_balance(fund_id=ctx["funds"][1].pk, as_of=end) == Decimal(
            restricted or 0
        ).quantize(CENT)
        cash = lines.filter(Q(account__is_cash=True)).aggregate(net=Sum(F("debit") - F("credit")))
        assert group_balances(groups=["cash"], as_of=end)["cash"] == Decimal(
            cash["net"] or 0
        ).quantize(CENT)
        transaction.set_rollback(True)


def _gift(org: Organization, actor: Any, fund: Fund, on: date, amount: str) -> JournalEntry:
    return post_entry(
        organization=org,
        actor=actor,
        date=on,
        lines=[
            LineInput(acct("1010"), fund, debit=Decimal(amount)),
            LineInput(acct("4010"), fund, credit=Decimal(amount)),
        ],
    )


def _stored_row(account: str, on: date) -> MonthlyBalance:
    return MonthlyBalance.objects.get(account=acct(account), month=on.replace(day=1))


def test_posting_an_entry_adds_to_its_month(books: Organization, cast: Any, general: Fund) -> None:
    on = date.today()
    _gift(books, cast["admin"], general, on, "100.00")
    _gift(books, cast["admin"], general, on, "25.50")
    cash = _stored_row("1010", on)
    assert (cash.debit, cash.credit) == (Decimal("125.50"), Decimal("0.00"))
    assert _stored_row("4010", on).credit == Decimal("125.50")
    assert differences(books.pk) == []


def test_bulk_imports_and_reversals_are_kept(books: Organization, cast: Any, general: Fund) -> None:
    on = date.today().replace(day=1)
    lines = [
        LineInput(acct("8110"), general, debit=Decimal("10.00"), function="management"),
        LineInput(acct("1010"), general, credit=Decimal("10.00")),
    ]
    post_entries(
        organization=books,
        actor=cast["admin"],
        entries=[EntryInput(date=on, lines=lines) for _ in range(30)],
    )
    assert _stored_row("8110", on).debit == Decimal("300.00")
    entry = _gift(books, cast["admin"], general, on, "40.00")
    reverse_entry(organization=books, actor=cast["admin"], entry=entry)
    cash = _stored_row("1010", on)
    assert (cash.debit, cash.credit) == (Decimal("40.00"), Decimal("340.00"))
    assert differences(books.pk) == []


@pytest.mark.skipif(connection.vendor != "sqlite", reason="PostgreSQL refuses to delete lines")
def test_removing_a_line_takes_it_out_on_sqlite(
    books: Organization, cast: Any, general: Fund
) -> None:
    on = date.today()
    entry = _gift(books, cast["admin"], general, on, "70.00")
    JournalLine.objects.filter(entry=entry).delete()
    assert _stored_row("1010", on).debit == Decimal("0.00")
    assert differences(books.pk) == []


def test_ledger_verify_finds_a_tampered_row_and_repair_fixes_it(
    books: Organization, org_b: Organization, cast: Any, general: Fund
) -> None:
    on = date.today()
    _gift(books, cast["admin"], general, on, "100.00")
    out = StringIO()
    call_command("ledger_verify", stdout=out)
    assert f"{books.slug}: balances agree with the lines" in out.getvalue()
    assert f"{org_b.slug}: balances agree with the lines" in out.getvalue()

    MonthlyBalance.objects.filter(account=acct("1010")).update(debit=Decimal("99.00"))
    out = StringIO()
    with pytest.raises(CommandError) as failed:
        call_command("ledger_verify", "--org", books.slug, stdout=out)
    assert failed.value.returncode == 1
    assert f"{books.slug} {on:%Y-%m} account 1010 fund {general.code}" in out.getvalue()
    assert "stored debits 99.00 credits 0.00, lines debits 100.00 credits 0.00" in out.getvalue()

    out = StringIO()
    call_command("ledger_verify", "--org", books.slug, "--repair", stdout=out)
    assert "0 differ now" in out.getvalue()
    assert _stored_row("1010", on).debit == Decimal("100.00")
    call_command("ledger_verify", "--org", books.slug, stdout=StringIO())


def test_ledger_verify_finds_a_missing_row_and_an_unknown_org(
    books: Organization, cast: Any, general: Fund
) -> None:
    _gift(books, cast["admin"], general, date.today(), "5.00")
    MonthlyBalance.objects.filter(account=acct("4010")).delete()
    with pytest.raises(CommandError):
        call_command("ledger_verify", "--org", books.slug, stdout=StringIO())
    assert rebuild(books.pk) == 6  # two accounts: a month, a quarter and a year each
    assert differences(books.pk) == []
    with pytest.raises(CommandError, match="No organization"):
        call_command("ledger_verify", "--org", "no-such-org", stdout=StringIO())


def _period_row(account: str, span: str) -> PeriodBalance:
    return PeriodBalance.objects.get(account=acct(account), span=span)


def test_posting_adds_to_its_quarter_and_year(
    books: Organization, cast: Any, general: Fund
) -> None:
    on = date.today()
    _gift(books, cast["admin"], general, on, "100.00")
    entry = _gift(books, cast["admin"], general, on, "25.50")
    quarter, year = _period_row("1010", "quarter"), _period_row("4010", "year")
    assert quarter.start == on.replace(month=(on.month - 1) // 3 * 3 + 1, day=1)
    assert (quarter.debit, quarter.credit) == (Decimal("125.50"), Decimal("0.00"))
    assert (year.start, year.credit) == (on.replace(month=1, day=1), Decimal("125.50"))
    reverse_entry(organization=books, actor=cast["admin"], entry=entry)
    assert _period_row("1010", "year").credit == Decimal("25.50")
    assert differences(books.pk) == []


def test_ledger_verify_names_a_tampered_quarter(
    books: Organization, cast: Any, general: Fund
) -> None:
    on = date.today()
    _gift(books, cast["admin"], general, on, "100.00")
    PeriodBalance.objects.filter(account=acct("1010"), span="quarter").update(debit=Decimal("1.00"))
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("ledger_verify", "--org", books.slug, stdout=out)
    quarter = f"{on:%Y}-Q{(on.month - 1) // 3 + 1}"
    assert f"{books.slug} {quarter} account 1010 fund {general.code}" in out.getvalue()
    assert "stored debits 1.00 credits 0.00, lines debits 100.00" in out.getvalue()
    call_command("ledger_verify", "--org", books.slug, "--repair", stdout=StringIO())
    assert _period_row("1010", "quarter").debit == Decimal("100.00")
    assert differences(books.pk) == []
