"""The expenses' tiles (registered in ExpensesConfig.ready(), see ifm/orgs/dashboard.py):
for finance, the expenses waiting for approval and those approved and waiting to be paid; for
everyone who submits expenses, their own by status."""

from __future__ import annotations

from collections.abc import Iterator

from ifm.expenses import selectors
from ifm.expenses.models import Status
from ifm.orgs.dashboard import DashboardContext, Tile

# The states of one's own expenses the staff section shows, with what each means for them.
MINE = [
    (Status.DRAFT, "Drafts", "Not submitted yet"),
    (Status.SUBMITTED, "Submitted", "Waiting for approval"),
    (Status.APPROVED, "Approved", "Waiting to be paid"),
    (Status.REJECTED, "Rejected", "Sent back to you"),
    (Status.PAID, "Paid", "Paid to you or the vendor"),
]


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def finance_tiles(ctx: DashboardContext) -> Iterator[Tile]:
    everyone = selectors.totals_by_status(selectors.expense_list(user=ctx.user, access=ctx.access))
    none = selectors.Totals(0, selectors.ZERO)
    waiting = everyone.get(Status.SUBMITTED, none)
    yield Tile(
        key="expenses.to_approve",
        title="Approvals waiting",
        value=waiting.count,
        detail=f"{waiting.amount:,.2f} submitted",
        attention=waiting.count > 0,
        url=ctx.url("expenses:expense_queue"),
    )
    to_pay = everyone.get(Status.APPROVED, none)
    yield Tile(
        key="expenses.to_pay",
        title="Approved, to pay",
        value=to_pay.amount,
        is_money=True,
        detail=_plural(to_pay.count, "expense"),
        attention=to_pay.count > 0,
        url=ctx.url("expenses:expense_list", {"scope": "all", "status": Status.APPROVED.value}),
    )


def staff_tiles(ctx: DashboardContext) -> Iterator[Tile]:
    """One's own expenses in each state they are in (a state with none is left out, and so is
    the section for someone who has never entered an expense)."""
    mine = selectors.totals_by_status(
        selectors.expense_list(user=ctx.user, access=ctx.access, mine=True)
    )
    for status, title, meaning in MINE:
        row = mine.get(status)
        if row is None or not row.count:
            continue
        yield Tile(
            key=f"expenses.mine.{status.value}",
            title=title,
            value=row.count,
            detail=f"{meaning} · {row.amount:,.2f}",
            attention=status in (Status.DRAFT, Status.REJECTED),
            url=ctx.url("expenses:expense_list", {"scope": "mine", "status": status.value}),
        )
