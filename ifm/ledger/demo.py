"""The ledger's demo data (a step of `ifm seed_demo`, see ifm/orgs/demo.py).

Three restricted funds (for a purpose; for a time still to come; for a season that has begun,
which the donors step gives to and then releases as the daily job does) and a board-designated
one, three programs, the opening balances (the
board-designated reserve among them) in the first month of the demo's window, then that month
closed, as after a month-end review, and a few manual journal entries: quarterly transfers to
savings and the insurance premium. The donors and expenses steps post their gifts and bills
after the closed month.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from ifm.ledger.chart.services import fund_create, program_create
from ifm.ledger.journal.posting import LineInput
from ifm.ledger.journal.services import journal_entry_create
from ifm.ledger.models import Account, Function, Fund, Period, Program, Restriction
from ifm.ledger.periods.fiscal_years import PostingCalendar
from ifm.ledger.periods.services import books_close_through
from ifm.orgs.demo import DemoContext
from ifm.tenancy.models import Organization
from ifm.tenancy.roles import Role

WINDOW_MONTHS = 24
FUNDS = [
    ("YOUTH", "Youth programs", Restriction.PURPOSE, "After-school and summer youth programs"),
    ("CAPITAL", "Capital campaign", Restriction.TIME, "New building, restricted until it opens"),
    (
        "SEASON",
        "Spring season grant",
        Restriction.TIME,
        "A foundation's grant for the spring season, restricted until the season began",
    ),
    ("BOARD", "Board-designated reserve", Restriction.NONE, ""),
]
PROGRAMS = [("FOOD", "Food pantry"), ("MENTOR", "Youth mentoring"), ("EDU", "Adult education")]
BANK, SAVINGS, NET_ASSETS, BOARD_NET_ASSETS, INSURANCE = "1010", "1070", "3010", "3020", "8520"


def month_start(day: date, months_back: int = 0) -> date:
    index = day.year * 12 + day.month - 1 - months_back
    return date(index // 12, index % 12 + 1, 1)


def demo_window(organization: Organization, today: date) -> tuple[date, date]:
    """First and last day of the demo's activity: up to two years before `today`, from the
    organization's first fiscal year on (nothing can be posted before it)."""
    first_year, _name = PostingCalendar.load(organization).first_year()
    return max(first_year, month_start(today, WINDOW_MONTHS - 1)), today


def activity_start(organization: Organization, today: date) -> date:
    """The first day after the closed opening month: where gifts and bills begin."""
    start, _end = demo_window(organization, today)
    return month_start(start + timedelta(days=32))


def _cents(rng_value: float, low: int, high: int) -> Decimal:
    return Decimal(round(low + (high - low) * rng_value, -2)).quantize(Decimal("0.01"))


def _restricted_until(
    organization: Organization, today: date, code: str, restriction: str
) -> date | None:
    """A year after the window for the capital campaign; halfway through the demo's activity for
    the season's grant, so that its date has passed."""
    if restriction != Restriction.TIME:
        return None
    _start, end = demo_window(organization, today)
    if code == "SEASON":
        first = activity_start(organization, today)
        return first + (end - first) // 2 if first < end else end
    return end + timedelta(days=365)


def seed(ctx: DemoContext) -> str:
    org = ctx.organization
    finance = {
        "organization": org,
        "actor": ctx.actor(Role.FINANCE),
        "access": ctx.access(Role.FINANCE),
    }
    start, end = demo_window(org, ctx.today)
    # An organization made by `ifm generate_data` (the load test's) has some of these already.
    have_funds = set(Fund.objects.values_list("code", flat=True))
    have_programs = set(Program.objects.values_list("code", flat=True))
    for code, name, restriction, purpose in FUNDS:
        if code in have_funds:
            continue
        fund_create(
            **finance,
            code=code,
            name=name,
            restriction=restriction,
            purpose=purpose,
            restricted_until=_restricted_until(org, ctx.today, code, restriction),
        )
    for code, name in PROGRAMS:
        if code in have_programs:
            continue
        program_create(**finance, code=code, name=name)
    account = {
        a.number: a
        for a in Account.objects.filter(
            number__in=[BANK, SAVINGS, NET_ASSETS, BOARD_NET_ASSETS, INSURANCE]
        )
    }
    general = Fund.objects.get(is_general=True)
    board = Fund.objects.get(code="BOARD")
    rng = ctx.rng
    bank, savings = _cents(rng.random(), 30_000, 90_000), _cents(rng.random(), 20_000, 60_000)
    reserve = _cents(rng.random(), 10_000, 25_000)
    journal_entry_create(
        **finance,
        date=start,
        memo="Opening balances",
        reference="OPEN",
        lines=[
            LineInput(account=account[BANK], fund=general, debit=bank),
            LineInput(account=account[SAVINGS], fund=general, debit=savings),
            LineInput(account=account[NET_ASSETS], fund=general, credit=bank + savings),
            LineInput(account=account[SAVINGS], fund=board, debit=reserve),
            LineInput(account=account[NET_ASSETS], fund=board, credit=reserve),
        ],
    )
    books_close_through(
        **finance, period=Period.objects.get(start_date__lte=start, end_date__gte=start)
    )
    entries = 1
    first = activity_start(org, ctx.today)
    months = max(1, (end.year - first.year) * 12 + end.month - first.month)
    for i in range(4):  # quarterly transfers to savings
        day = month_start(first, -min(months - 1, i * 3 + 2)) + timedelta(days=rng.randrange(25))
        if day > end:
            break
        amount = _cents(rng.random(), 2_000, 8_000)
        journal_entry_create(
            **finance,
            date=day,
            memo="Transfer to savings",
            reference=f"TRF-{i + 1}",
            lines=[
                LineInput(account=account[SAVINGS], fund=general, debit=amount),
                LineInput(account=account[BANK], fund=general, credit=amount),
            ],
        )
        entries += 1
    premium = _cents(rng.random(), 2_400, 6_000)
    journal_entry_create(
        **finance,
        date=min(end, first + timedelta(days=rng.randrange(20, 40))),
        memo="Annual liability insurance premium",
        reference="INS",
        lines=[
            LineInput(
                account=account[INSURANCE],
                fund=general,
                debit=premium,
                function=Function.MANAGEMENT,
            ),
            LineInput(account=account[BANK], fund=general, credit=premium),
        ],
    )
    return (
        f"{len(FUNDS)} funds, {len(PROGRAMS)} programs, {entries + 1} journal entries, "
        f"period {start:%Y-%m} closed"
    )
