"""The donors' demo data (a step of `ifm seed_demo`, see ifm/orgs/demo.py).

`ctx.donors` donors (about one in ten an organization, about one in six sharing a household),
with emails, phones and postal addresses; two or three campaigns with their appeals, goals and
dates; two years
of gifts by check, cash, card, bank transfer (ACH), online and in kind, each recorded and posted
to the ledger by ``donation_record``; a Sunday's checks entered as a gift batch and posted as
one deposit; three pledges with some of their payments, a monthly
recurring card gift, a release from the youth fund's restriction, a foundation's grant to the
spring season's time-restricted fund released (as the daily job does) once its date passed, a
few tax receipts (not sent yet), today's deposit left open as a gift batch with two of its three
checks entered, and a saved donor list of last year's donors who have not given this year (LYBUNT).
Everything is drawn from the step's seeded ``random.Random``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from ifm.donors.gifts.batches import gift_batch_add, gift_batch_create, gift_batch_post
from ifm.donors.gifts.giving import live_gifts
from ifm.donors.gifts.services import appeal_create, campaign_create, donation_record
from ifm.donors.lists.services import donor_list_create
from ifm.donors.models import Appeal, Campaign, Donation, Donor, Method
from ifm.donors.people.households import household_create
from ifm.donors.people.services import donor_create
from ifm.donors.pledges.services import pledge_create, recurring_gift_create
from ifm.donors.receipts.issue import receipt_issue
from ifm.ledger.balances.selectors import restricted_balance
from ifm.ledger.balances.services import fund_release, time_restriction_release_due
from ifm.ledger.chart.selectors import cash_accounts
from ifm.ledger.demo import activity_start, demo_window
from ifm.ledger.models import Fund
from ifm.orgs.demo import DemoContext
from ifm.tenancy.roles import Role

FIRST_NAMES = [
    "James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David",
    "Elizabeth", "William", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah",
    "Carlos", "Karen", "Daniel", "Lisa", "Matthew", "Nancy", "Anthony", "Betty", "Mark", "Sandra",
    "Aisha", "Ashley", "Wei", "Kimberly", "Andrew", "Emily", "Joshua", "Donna", "Kenji", "Michelle",
    "Priya", "Carol", "Omar", "Amanda", "Luis", "Melissa", "Ryan", "Deborah", "Fatima", "Laura",
]  # fmt: skip
LAST_NAMES = [
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez",
    "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor",
    "Moore", "Jackson", "Martin", "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez",
    "Clark", "Ramirez", "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright", "Scott",
    "Nguyen", "Hill", "Flores", "Green", "Adams", "Nelson", "Baker", "Hall", "Rivera", "Campbell",
]  # fmt: skip
COMPANIES = [
    "Riverside Hardware", "Maple Family Foundation", "Summit Credit Union", "Lakeshore Dental",
    "Oak Park Rotary Club", "Greenfield Grocers", "Harbor Insurance Group", "Cedar Valley Bank",
    "Northgate Lions Club", "Willow Creek Bakery", "Pine Hill Realty", "Bridgeport Auto Care",
]  # fmt: skip
STREETS = ["Main St", "Oak Ave", "Maple Dr", "Church St", "Park Rd", "Elm St", "Lake View Dr"]
CITIES = [
    ("Columbus", "OH", "432"), ("Dayton", "OH", "454"), ("Cincinnati", "OH", "452"),
    ("Akron", "OH", "443"), ("Toledo", "OH", "436"), ("Springfield", "OH", "455"),
]  # fmt: skip
CAMPAIGNS = [
    ("Annual Fund {year}", ["Spring letter", "Year-end appeal", "Giving Tuesday email"]),
    ("Building for Tomorrow", ["Leadership gifts", "Community breakfast"]),
    ("Summer Youth Camp", ["Parents' letter", "Camp sponsor drive"]),
]
# name -> (goal, start, end) for the campaign year `y`: the calendar year, a two-year drive, a
# summer.
CAMPAIGN_PLANS = {
    "Annual Fund {year}": (Decimal("60000.00"), lambda y: date(y, 1, 1), lambda y: date(y, 12, 31)),
    "Building for Tomorrow": (
        Decimal("250000.00"),
        lambda y: date(y - 1, 1, 1),
        lambda y: date(y + 1, 6, 30),
    ),
    "Summer Youth Camp": (Decimal("15000.00"), lambda y: date(y, 3, 1), lambda y: date(y, 8, 31)),
}
# (method, weight)
METHODS = [
    (Method.CHECK, 34), (Method.CARD, 28), (Method.BANK_TRANSFER, 14), (Method.CASH, 10),
    (Method.ONLINE, 9), (Method.IN_KIND, 5),
]  # fmt: skip
AMOUNTS = [(25, 20), (50, 25), (100, 22), (250, 14), (500, 9), (1000, 6), (2500, 3), (5000, 1)]
IN_KIND = ["Canned food, 12 boxes", "Laptop computers (3)", "Winter coats", "School supplies"]


@dataclass
class Made:
    donors: list[Donor] = field(default_factory=list)
    households: int = 0
    gifts: list[Donation] = field(default_factory=list)
    appeals: list[tuple[Campaign, Appeal]] = field(default_factory=list)


def _pick(rng: random.Random, weighted: list[tuple[Any, int]]) -> Any:
    return rng.choices([v for v, _w in weighted], weights=[w for _v, w in weighted])[0]


def _address(rng: random.Random) -> dict[str, Any]:
    city, state, zip3 = rng.choice(CITIES)
    return {
        "address_line1": f"{rng.randrange(10, 9900)} {rng.choice(STREETS)}",
        "city": city,
        "state": state,
        "postal_code": f"{zip3}{rng.randrange(10, 99)}",
    }


def _person(rng: random.Random, i: int, last: str | None = None) -> dict[str, Any]:
    first, last = rng.choice(FIRST_NAMES), last or rng.choice(LAST_NAMES)
    values: dict[str, Any] = {"kind": "individual", "first_name": first, "last_name": last}
    if rng.random() < 0.85:
        values["email"] = f"{first}.{last}{i}@example.org".lower()
    if rng.random() < 0.6:
        values["phone"] = f"(614) 555-{rng.randrange(0, 10_000):04d}"
    if rng.random() < 0.9:
        values.update(_address(rng))
    return values


def _donors(ctx: DemoContext, who: dict[str, Any], made: Made) -> None:
    rng = ctx.rng
    i = 0
    while len(made.donors) < ctx.donors:
        i += 1
        if rng.random() < 0.1:
            name = COMPANIES[i % len(COMPANIES)] + ("" if i < len(COMPANIES) else f" {i}")
            values = {"kind": "organization", "organization_name": name, **_address(rng)}
            values["email"] = f"giving{i}@example.com"
            made.donors.append(donor_create(**who, confirm_duplicate=True, **values))
        elif rng.random() < 0.18 and len(made.donors) + 2 <= ctx.donors:
            first = _person(rng, i)
            last, shared = first["last_name"], _address(rng)
            pair = [
                donor_create(**who, confirm_duplicate=True, **{**first, **shared}),
                donor_create(
                    **who, confirm_duplicate=True, **{**_person(rng, i + 10_000, last), **shared}
                ),
            ]
            household_create(**who, name=f"The {last} Family", members=pair, **shared)
            made.households += 1
            made.donors.extend(pair)
        else:
            made.donors.append(donor_create(**who, confirm_duplicate=True, **_person(rng, i)))


def _campaigns(ctx: DemoContext, who: dict[str, Any], made: Made, year: int) -> None:
    for name, appeals in CAMPAIGNS[: 2 + ctx.rng.randrange(2)]:
        goal, start, end = CAMPAIGN_PLANS[name]
        campaign = campaign_create(
            **who,
            name=name.format(year=year),
            goal=goal,
            start_date=start(year),
            end_date=end(year),
        )
        for appeal in appeals:
            made.appeals.append((campaign, appeal_create(**who, name=appeal, campaign=campaign)))


def _gift_values(rng: random.Random, made: Made, funds: list[tuple[Fund, int]]) -> dict[str, Any]:
    method = _pick(rng, METHODS)
    values: dict[str, Any] = {
        "amount": Decimal(_pick(rng, AMOUNTS)),
        "method": method,
        "fund": _pick(rng, funds),
    }
    if method == Method.CHECK:
        values["check_number"] = str(rng.randrange(1000, 9999))
    if method == Method.IN_KIND:
        values["description"] = rng.choice(IN_KIND)
    if rng.random() < 0.55:
        campaign, appeal = rng.choice(made.appeals)
        values.update(campaign=campaign, appeal=appeal)
    return values


def _gifts(ctx: DemoContext, who: dict[str, Any], made: Made, first: date, last: date) -> None:
    rng = ctx.rng
    funds = [(Fund.objects.get(is_general=True), 72), (Fund.objects.get(code="YOUTH"), 18)]
    funds.append((Fund.objects.get(code="CAPITAL"), 10))
    days = (last - first).days
    for donor in made.donors:
        if rng.random() < 0.08:
            continue  # a prospect who has not given yet
        count = _pick(rng, [(1, 35), (2, 25), (3, 18), (4, 10), (6, 7), (10, 5)])
        for day in sorted(rng.randrange(days + 1) for _ in range(count)):
            made.gifts.append(
                donation_record(
                    **who,
                    donor=donor,
                    date=first + timedelta(days=day),
                    **_gift_values(rng, made, funds),
                )
            )


def _pledges_and_recurring(
    ctx: DemoContext, who: dict[str, Any], made: Made, first: date, last: date
) -> int:
    rng = ctx.rng
    general = Fund.objects.get(is_general=True)
    capital = Fund.objects.get(code="CAPITAL")
    gifts = 0
    for donor in rng.sample(made.donors, 3):
        total = Decimal(rng.choice([1200, 2400, 5000, 10000]))
        pledge = pledge_create(
            **who,
            donor=donor,
            total=total,
            date=first,
            fund=capital,
            installment_count=4,
            frequency="quarterly",
        )
        for k in range(rng.randrange(1, 4)):
            day = first + timedelta(days=91 * k + rng.randrange(10))
            if day <= last:
                donation_record(
                    **who,
                    donor=donor,
                    amount=total / 4,
                    date=day,
                    method=Method.CHECK,
                    fund=capital,
                    pledge=pledge,
                    check_number=str(rng.randrange(1000, 9999)),
                )
                gifts += 1
    donor = rng.choice(made.donors)
    recurring = recurring_gift_create(
        **who, donor=donor, amount=Decimal(50), frequency="monthly", start_date=first, fund=general
    )
    day = first
    while day <= last:
        donation_record(
            **who,
            donor=donor,
            amount=Decimal(50),
            date=day,
            method=Method.CARD,
            fund=general,
            recurring=recurring,
        )
        gifts += 1
        day = date(day.year + day.month // 12, day.month % 12 + 1, min(day.day, 28))
    return gifts


def _release(ctx: DemoContext, last: date) -> Decimal:
    finance = {
        "organization": ctx.organization,
        "actor": ctx.actor(Role.FINANCE),
        "access": ctx.access(Role.FINANCE),
    }
    youth = Fund.objects.get(code="YOUTH")
    held = restricted_balance(fund_id=youth.pk, as_of=last)
    amount = (held * Decimal("0.6")).quantize(Decimal("0.01"))
    if amount > 0:
        fund_release(
            **finance,
            fund=youth,
            amount=amount,
            date=last,
            memo="Youth program costs paid from the youth fund",
        )
    return amount


def _season_grant(
    ctx: DemoContext, who: dict[str, Any], made: Made, first: date, last: date
) -> int:
    """A foundation's grant to the time-restricted season fund, some weeks before its date, then
    the time restrictions due released (what `ifm release_time_restrictions` runs daily)."""
    season = Fund.objects.filter(code="SEASON").first()
    until = season.restricted_until if season is not None else None
    if season is None or until is None or until > last or not made.donors:
        return 0
    givers = [d for d in made.donors if d.kind == "organization"] or made.donors
    donation_record(
        **who,
        donor=ctx.rng.choice(givers),
        amount=Decimal(ctx.rng.choice([5000, 7500, 10000])),
        date=max(first, until - timedelta(days=45)),
        method=Method.BANK_TRANSFER,
        fund=season,
    )
    return len(time_restriction_release_due(organization=ctx.organization, today=last))


def _receipts(ctx: DemoContext, made: Made) -> int:
    who = {
        "organization": ctx.organization,
        "actor": ctx.actor(Role.FUNDRAISING),
        "access": ctx.access(Role.FUNDRAISING),
    }
    cash = [g for g in made.gifts if g.method not in (Method.IN_KIND, Method.STOCK)]
    largest = sorted(cash, key=lambda g: (-g.amount, g.pk))[:3]
    for gift in largest:
        receipt_issue(**who, donation=gift)
    return len(largest)


def _batches(ctx: DemoContext, who: dict[str, Any], made: Made, last: date) -> int:
    """A Sunday's checks entered as a gift batch and posted as one deposit entry."""
    rng = ctx.rng
    bank = cash_accounts().filter(role="default_bank").first()
    donors = rng.sample(made.donors, min(5, len(made.donors)))
    amounts = [Decimal(_pick(rng, AMOUNTS)) for _ in donors]
    batch = gift_batch_create(
        **who,
        name=f"Sunday deposit {last:%Y-%m-%d}",
        date=last,
        expected_count=len(donors),
        expected_total=sum(amounts, Decimal("0.00")),
        deposit_account=bank,
    )
    for donor, amount in zip(donors, amounts, strict=True):
        number = str(rng.randrange(1000, 9999))
        gift_batch_add(**who, batch=batch, donor=donor, amount=amount, check_number=number)
    gift_batch_post(**who, batch=batch)
    return 1


def _open_batch(ctx: DemoContext, who: dict[str, Any], made: Made, last: date) -> int:
    """Today's deposit, being entered: three checks on the slip, two of them entered so far
    (they wait, pending, until the batch posts)."""
    rng = ctx.rng
    checks = [Decimal(_pick(rng, AMOUNTS[:5])) for _ in range(3)]
    batch = gift_batch_create(
        **who,
        name=f"Deposit {last:%Y-%m-%d}",
        date=last,
        expected_count=len(checks),
        expected_total=sum(checks),
        deposit_account=cash_accounts().filter(role="default_bank").first(),
    )
    for amount in checks[:2]:
        gift_batch_add(
            **who,
            batch=batch,
            donor=rng.choice(made.donors),
            amount=amount,
            check_number=str(rng.randrange(1000, 9999)),
        )
    return 2


def _lybunt_list(who: dict[str, Any], last: date) -> int:
    """A saved donor list of last year's donors who have not given this year (LYBUNT,
    calendar years), as a fundraiser would save it from the report."""
    year = last.year
    gave = live_gifts().filter(date__year=year).values("donor_id")
    ids = list(
        live_gifts()
        .filter(date__year=year - 1)
        .exclude(donor_id__in=gave)
        .values_list("donor_id", flat=True)
        .distinct()
    )
    donor_list_create(
        **who,
        name=f"LYBUNT {year}: call before year-end",
        description="Gave last year, nothing yet this year.",
        donor_ids=ids,
        criteria={"report": "lybunt", "year": year, "basis": "calendar"},
    )
    return len(ids)


def seed(ctx: DemoContext) -> str:
    who = {
        "organization": ctx.organization,
        "actor": ctx.actor(Role.FUNDRAISING),
        "access": ctx.access(Role.FUNDRAISING),
    }
    first = activity_start(ctx.organization, ctx.today)
    _start, last = demo_window(ctx.organization, ctx.today)
    made = Made()
    _donors(ctx, who, made)
    _campaigns(ctx, who, made, last.year)
    _gifts(ctx, who, made, first, last)
    more = _pledges_and_recurring(ctx, who, made, first, last)
    batches = _batches(ctx, who, made, last)
    released = _release(ctx, last)
    time_released = _season_grant(ctx, who, made, first, last)
    receipts = _receipts(ctx, made)
    pending = _open_batch(ctx, who, made, last)
    lybunt = _lybunt_list(who, last)
    return (
        f"{len(made.donors)} donors ({made.households} households), "
        f"{len(made.gifts) + more} gifts, 3 pledges, 1 recurring gift, "
        f"{batches} gift batch posted, "
        f"{released} released, {time_released} time restriction releases, "
        f"{receipts} receipts, 1 open batch ({pending} gifts), "
        f"a saved list of {lybunt} LYBUNT donors"
    )
