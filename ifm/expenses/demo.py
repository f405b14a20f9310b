"""The expenses' demo data (a step of `ifm seed_demo`, see ifm/orgs/demo.py).

Staff claims and vendor bills in every state: drafts, submitted ones waiting for approval,
approved ones (posted as payables) waiting for payment, paid ones (by numbered checks) and
rejected ones. Finance first defines the categories staff choose from by plain name; the staff
user enters and submits expenses in them; the finance user approves, rejects and pays them,
through the workflow's services, so each approval and payment is posted and audited. The volunteer
coordinator has one claim of their own waiting for approval. One bill, for the youth mentoring
program's supplies, is charged to the purpose-restricted youth fund: its approval's entry
releases that amount from restriction (the ledger's automatic release).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from ifm.expenses.categories import expense_category_create
from ifm.expenses.models import Expense, ExpenseCategory, Kind, Status
from ifm.expenses.payments import expense_pay
from ifm.expenses.services import expense_create
from ifm.expenses.workflow import expense_approve, expense_reject, expense_submit
from ifm.ledger.demo import activity_start, demo_window
from ifm.ledger.journal.selectors import restricted_headroom
from ifm.ledger.models import Account, Function, Fund, Program
from ifm.orgs.demo import DemoContext
from ifm.tenancy.roles import Role

# The categories finance defines: plain name, expense account, default function.
CATEGORIES = [
    ("Office supplies", "8110", Function.MANAGEMENT),
    ("Program supplies and food", "8110", Function.PROGRAM),
    ("Printing and copying", "8170", Function.FUNDRAISING),
    ("Rent and utilities", "8210", Function.MANAGEMENT),
    ("Travel and mileage", "8310", Function.PROGRAM),
    ("Conferences and training", "8320", Function.MANAGEMENT),
    ("Accounting and bookkeeping", "7520", Function.MANAGEMENT),
    ("Postage and shipping", "8140", Function.FUNDRAISING),
]
# payee, kind, category, description, low and high amount (below two-step approval)
ITEMS = [
    ("Office Depot", Kind.BILL, "Office supplies", "Printer paper and toner", 60, 400),
    ("City Print Shop", Kind.BILL, "Printing and copying", "Newsletter printing", 150, 900),
    ("Metro Utilities", Kind.BILL, "Rent and utilities", "Electricity for the hall", 180, 650),
    (
        "Staff mileage",
        Kind.CLAIM,
        "Travel and mileage",
        "Mileage to the food distribution site",
        25,
        180,
    ),
    (
        "Green Grocers",
        Kind.BILL,
        "Program supplies and food",
        "Food for the community meal",
        120,
        800,
    ),
    (
        "Volunteer lunch",
        Kind.CLAIM,
        "Program supplies and food",
        "Lunch for volunteer training",
        40,
        220,
    ),
    ("Hartley & Co CPAs", Kind.BILL, "Accounting and bookkeeping", "Bookkeeping review", 300, 950),
    (
        "Conference fee",
        Kind.CLAIM,
        "Conferences and training",
        "Regional nonprofit conference",
        90,
        450,
    ),
]
FIRST_CHECK = 1001
# how many expenses end in each state
STATES = [
    (Status.PAID, 8),
    (Status.APPROVED, 3),
    (Status.SUBMITTED, 3),
    (Status.REJECTED, 2),
    (Status.DRAFT, 3),
]


def seed(ctx: DemoContext) -> str:
    org, rng = ctx.organization, ctx.rng
    staff = {"organization": org, "actor": ctx.actor(Role.STAFF), "access": ctx.access(Role.STAFF)}
    finance = {
        "organization": org,
        "actor": ctx.actor(Role.FINANCE),
        "access": ctx.access(Role.FINANCE),
    }
    first = activity_start(org, ctx.today)
    _start, last = demo_window(org, ctx.today)
    span = (last - first).days
    accounts = {a.number: a for a in Account.objects.filter(number__in={c[1] for c in CATEGORIES})}
    categories: dict[str, ExpenseCategory] = {}
    for name, number, default_function in CATEGORIES:
        categories[name] = expense_category_create(
            **finance, name=name, account=accounts[number], default_function=default_function
        )
    bank = Account.objects.get(number="1010")
    checks = iter(range(FIRST_CHECK, FIRST_CHECK + 1000))
    general = Fund.objects.get(is_general=True)
    programs = list(Program.objects.order_by("code"))
    made = 0
    for state, count in STATES:
        for _ in range(count):
            payee, kind, category_name, description, low, high = rng.choice(ITEMS)
            category = categories[category_name]
            # Older ones are paid; the ones still in the workflow are recent.
            day = last - timedelta(days=rng.randrange(min(span, 45) + 1))
            if state == Status.PAID:
                day = first + timedelta(days=rng.randrange(max(span - 30, 1)))
            program = category.default_function == Function.PROGRAM and programs
            expense = expense_create(
                **staff,
                kind=kind,
                payee=payee,
                date=day,
                amount=Decimal(rng.randrange(low * 100, high * 100)) / 100,
                expense_category=category,
                fund=general,
                program=rng.choice(programs) if program else None,
                description=description,
            )
            made += 1
            paid_on = min(last, day + timedelta(days=14))
            _move(expense, state, staff, finance, bank, paid_on, str(next(checks)))
    # The volunteer coordinator's own claim, waiting for approval.
    coordinator = {
        "organization": org,
        "actor": ctx.actor(Role.VOLUNTEER_COORDINATOR),
        "access": ctx.access(Role.VOLUNTEER_COORDINATOR),
    }
    claim = expense_create(
        **coordinator,
        kind=Kind.CLAIM,
        payee="Volunteer lunch",
        date=last,
        amount=Decimal(rng.randrange(4_000, 12_000)) / 100,
        expense_category=categories["Program supplies and food"],
        fund=general,
        program=programs[0] if programs else None,
        description="Lunch for the Saturday volunteer crew",
    )
    expense_submit(**coordinator, expense=claim)
    made += 1
    restricted = _restricted_bill(ctx, staff, finance, categories, bank, str(next(checks)))
    states = ", ".join(f"{n} {s.label.lower()}" for s, n in STATES)
    youth = f"; a bill of {restricted} paid from the youth fund, released from restriction"
    return (
        f"{len(categories)} categories, {made + bool(restricted)} expenses "
        f"({states}, and 1 claim of the volunteer coordinator submitted"
        f"{youth if restricted else ''})"
    )


def _restricted_bill(
    ctx: DemoContext,
    staff: dict[str, Any],
    finance: dict[str, Any],
    categories: dict[str, ExpenseCategory],
    bank: Account,
    check_number: str,
) -> Decimal:
    """A bill charged to the purpose-restricted youth fund, approved and paid: the approval's
    entry releases it from restriction. Half of what the fund may still release, at most 900
    (below two-step approval); none when the fund holds nothing with restrictions."""
    _start, last = demo_window(ctx.organization, ctx.today)
    day = max(activity_start(ctx.organization, ctx.today), last - timedelta(days=20))
    youth = Fund.objects.filter(code="YOUTH").first()
    if youth is None:
        return Decimal("0.00")
    headroom = restricted_headroom(fund_id=youth.pk, on=day)
    amount = min(Decimal("900.00"), (headroom / 2).quantize(Decimal("0.01")))
    if amount <= 0:
        return Decimal("0.00")
    expense = expense_create(
        **staff,
        kind=Kind.BILL,
        payee="Green Grocers",
        date=day,
        amount=amount,
        expense_category=categories["Program supplies and food"],
        fund=youth,
        program=Program.objects.filter(code="MENTOR").first(),
        description="Snacks and supplies for the youth mentoring program",
    )
    _move(
        expense, Status.PAID, staff, finance, bank, min(last, day + timedelta(days=7)), check_number
    )
    return amount


def _move(
    expense: Expense,
    state: str,
    staff: dict[str, Any],
    finance: dict[str, Any],
    bank: Account,
    paid_on: date,
    check_number: str,
) -> None:
    if state == Status.DRAFT:
        return
    expense = expense_submit(**staff, expense=expense)
    if state == Status.REJECTED:
        expense_reject(**finance, expense=expense, reason="Please attach the itemized receipt.")
    elif state in (Status.APPROVED, Status.PAID):
        expense = expense_approve(**finance, expense=expense)
        if state == Status.PAID:
            expense_pay(
                **finance,
                expense=expense,
                paid_from=bank,
                date=paid_on,
                check_number=check_number,
            )
