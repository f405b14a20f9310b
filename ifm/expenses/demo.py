"""The expenses' demo data (a step of `ifm seed_demo`, see ifm/orgs/demo.py).

Staff claims and vendor bills in every state: drafts, submitted ones waiting for approval,
approved ones (posted as payables) waiting for payment, paid ones and rejected ones. The staff
user enters and submits them; the finance user approves, rejects and pays them, through the
workflow's services, so each approval and payment is posted and audited. The volunteer
coordinator has one claim of their own waiting for approval.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from ifm.expenses.models import Expense, Kind, Status
from ifm.expenses.services import expense_create
from ifm.expenses.workflow import expense_approve, expense_pay, expense_reject, expense_submit
from ifm.ledger.demo import activity_start, demo_window
from ifm.ledger.models import Account, Function, Fund, Program
from ifm.orgs.demo import DemoContext
from ifm.tenancy.roles import Role

# payee, kind, category account, description, low and high amount (below two-step approval)
ITEMS = [
    ("Office Depot", Kind.BILL, "8110", "Printer paper and toner", 60, 400),
    ("City Print Shop", Kind.BILL, "8170", "Newsletter printing", 150, 900),
    ("Metro Utilities", Kind.BILL, "8210", "Electricity for the hall", 180, 650),
    ("Staff mileage", Kind.CLAIM, "8310", "Mileage to the food distribution site", 25, 180),
    ("Green Grocers", Kind.BILL, "8110", "Food for the community meal", 120, 800),
    ("Volunteer lunch", Kind.CLAIM, "8110", "Lunch for volunteer training", 40, 220),
    ("Hartley & Co CPAs", Kind.BILL, "7520", "Bookkeeping review", 300, 950),
    ("Conference fee", Kind.CLAIM, "8590", "Regional nonprofit conference", 90, 450),
]
# how many expenses end in each state
STATES = [
    (Status.PAID, 8),
    (Status.APPROVED, 3),
    (Status.SUBMITTED, 3),
    (Status.REJECTED, 2),
    (Status.DRAFT, 3),
]
FUNCTIONS = [Function.PROGRAM, Function.PROGRAM, Function.MANAGEMENT, Function.FUNDRAISING]


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
    accounts = {a.number: a for a in Account.objects.filter(number__in={i[2] for i in ITEMS})}
    bank = Account.objects.get(number="1010")
    general = Fund.objects.get(is_general=True)
    programs = list(Program.objects.order_by("code"))
    made = 0
    for state, count in STATES:
        for _ in range(count):
            payee, kind, number, description, low, high = rng.choice(ITEMS)
            # Older ones are paid; the ones still in the workflow are recent.
            day = last - timedelta(days=rng.randrange(min(span, 45) + 1))
            if state == Status.PAID:
                day = first + timedelta(days=rng.randrange(max(span - 30, 1)))
            function = rng.choice(FUNCTIONS)
            expense = expense_create(
                **staff,
                kind=kind,
                payee=payee,
                date=day,
                function=function,
                amount=Decimal(rng.randrange(low * 100, high * 100)) / 100,
                category=accounts[number],
                fund=general,
                program=rng.choice(programs) if function == Function.PROGRAM and programs else None,
                description=description,
            )
            made += 1
            _move(expense, state, staff, finance, bank, min(last, day + timedelta(days=14)))
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
        function=Function.PROGRAM,
        amount=Decimal(rng.randrange(4_000, 12_000)) / 100,
        category=accounts["8110"],
        fund=general,
        program=programs[0] if programs else None,
        description="Lunch for the Saturday volunteer crew",
    )
    expense_submit(**coordinator, expense=claim)
    made += 1
    states = ", ".join(f"{n} {s.label.lower()}" for s, n in STATES)
    return f"{made} expenses ({states}, and 1 claim of the volunteer coordinator submitted)"


def _move(
    expense: Expense,
    state: str,
    staff: dict[str, Any],
    finance: dict[str, Any],
    bank: Account,
    paid_on: date,
) -> None:
    if state == Status.DRAFT:
        return
    expense = expense_submit(**staff, expense=expense)
    if state == Status.REJECTED:
        expense_reject(**finance, expense=expense, reason="Please attach the itemized receipt.")
    elif state in (Status.APPROVED, Status.PAID):
        expense = expense_approve(**finance, expense=expense)
        if state == Status.PAID:
            expense_pay(**finance, expense=expense, paid_from=bank, date=paid_on)
