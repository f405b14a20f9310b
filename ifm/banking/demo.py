"""Banking's demo data (a step of `ifm seed_demo`, see ifm/orgs/demo.py).

The bookkeeper's month-end, two months of it: the "Operating checking" bank account on the cash
account the other demo data pays from and deposits to, the weekly bank deposits of the gifts
waiting in undeposited funds, then the bank's statement for the last two full months, made from
those ledger lines as the bank shows them (deposits a day later, checks when they clear, the
transfers the same day), with a monthly service charge and a month's interest the books do not
have yet, and a few of the latest items not on it. The statement is imported as the OFX file a
bank would send; confident matches are accepted, a "Service charge" rule posts the fees, the
first month is reconciled to 0.00 and finished, and the second is started, waiting for the
interest to be entered.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Sum

from ifm.banking.accounts.services import bank_account_create
from ifm.banking.imports.services import statement_import
from ifm.banking.matching.rules import bank_rule_create, rules_apply
from ifm.banking.matching.services import accept_confident, match_lines
from ifm.banking.models import BankAccount, BankTransaction, LineStatus, MatchLine
from ifm.banking.reconciliation.services import reconciliation_finish, reconciliation_start
from ifm.banking.statements.generate import ofx_bytes
from ifm.banking.statements.types import ParsedLine
from ifm.ledger.chart.selectors import cash_accounts
from ifm.ledger.demo import activity_start, month_start
from ifm.ledger.journal.posting import LineInput
from ifm.ledger.journal.services import journal_entry_create
from ifm.ledger.models import Account, Fund, JournalLine
from ifm.orgs.demo import DemoContext
from ifm.tenancy.roles import Role

NAME = "Operating checking"
INSTITUTION = "First Community Bank"
ACCOUNT_NUMBER = "004417203958"
FEES_ACCOUNT, INTEREST_ACCOUNT = "8590", "5310"
ZERO = Decimal("0.00")


@dataclass
class BankLine:
    line: ParsedLine
    journal_line_id: int | None  # the ledger line it is, when the books have it


@dataclass
class Plan:
    start: date  # first day of the statement
    first_end: date  # last day of its first month (the finished reconciliation)
    end: date  # last day of the statement
    opening: Decimal  # the bank's balance the day before `start`
    lines: list[BankLine] = field(default_factory=list)

    def balance_on(self, day: date) -> Decimal:
        return self.opening + sum((b.line.amount for b in self.lines if b.line.date <= day), ZERO)


def seed(ctx: DemoContext) -> str:
    org = ctx.organization
    finance = ctx.actor(Role.FINANCE)
    who = {"organization": org, "actor": finance, "access": ctx.access(Role.FINANCE)}
    if BankAccount.objects.filter(name=NAME).exists():
        return "already there"
    cash = cash_accounts().filter(role="default_bank").first()
    if cash is None:
        return "no bank account in the chart of accounts"
    general = Fund.objects.get(is_general=True)
    start = month_start(ctx.today, 2)
    if activity_start(org, ctx.today) > start:
        return "the books begin too recently for two months of statements"
    first_end = month_start(ctx.today, 1) - timedelta(days=1)  # the first month, reconciled
    end = month_start(ctx.today) - timedelta(days=1)  # the statement's last day
    deposits = _deposit_gifts(ctx, cash, general, start)
    account = bank_account_create(
        **who,
        name=NAME,
        ledger_account=cash,
        default_fund=general,
        institution=INSTITUTION,
        account_number=ACCOUNT_NUMBER,
    )
    plan = _plan(ctx, cash, start, first_end, end)
    data = ofx_bytes(
        [b.line for b in plan.lines],
        account_number=ACCOUNT_NUMBER,
        currency=org.currency,
        closing_balance=plan.balance_on(end),
        closing_date=end,
    )
    result = statement_import(
        **who, bank_account=account, data=data, filename=f"statement-{end:%Y-%m}.ofx"
    )
    confident = accept_confident(**who, bank_account=account)
    bank_rule_create(
        **who,
        name="Service charge",
        payee_contains="Service charge",
        direction="out",
        account=Account.objects.get(number=FEES_ACCOUNT),
        fund=general,
        memo="Bank service charge",
    )
    by_rule = rules_apply(**who, bank_account=account)
    by_hand = _match_the_rest(who, account, plan)
    first = reconciliation_start(
        **who,
        bank_account=account,
        statement_date=first_end,
        statement_balance=plan.balance_on(first_end),
        books_from=start,  # the statement's opening balance holds everything before
    )
    reconciliation_finish(**who, reconciliation=first)
    reconciliation_start(
        **who, bank_account=account, statement_date=end, statement_balance=plan.balance_on(end)
    )
    unmatched = BankTransaction.objects.filter(
        bank_account=account, status=LineStatus.UNMATCHED
    ).count()
    return (
        f"{deposits} deposits, statement of {result.imported} lines, {confident} matched "
        f"as confident, {by_rule} by the rule, {by_hand} by hand, {unmatched} to do; "
        f"{first_end:%Y-%m} reconciled, {end:%Y-%m} in progress"
    )


def _deposit_gifts(ctx: DemoContext, cash: Account, general: Fund, start: date) -> int:
    """Monday deposits of the previous week's gifts waiting in undeposited funds, from the
    statement's start to today, as the bookkeeper records them (one debit to the bank)."""
    undeposited = Account.objects.filter(role="undeposited_funds").first()
    if undeposited is None:
        return 0
    finance = {
        "organization": ctx.organization,
        "actor": ctx.actor(Role.FINANCE),
        "access": ctx.access(Role.FINANCE),
    }
    monday = start + timedelta(days=(7 - start.weekday()) % 7)
    made = 0
    rows = (
        JournalLine.objects.filter(
            account=undeposited, date__gte=monday - timedelta(days=7), date__lt=ctx.today
        )
        .values("date", "fund_id")
        .annotate(debit=Sum("debit"), credit=Sum("credit"))
    )
    weeks: dict[date, dict[int, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    for row in rows:
        day = row["date"] + timedelta(days=7 - row["date"].weekday())  # the next Monday
        weeks[day][row["fund_id"]] += row["debit"] - row["credit"]
    funds = {f.pk: f for f in Fund.objects.all()}
    for day in sorted(weeks):
        if day > ctx.today:
            break
        amounts = {fund_id: a for fund_id, a in weeks[day].items() if a > 0}
        total = sum(amounts.values(), ZERO)
        if not total:
            continue
        lines = [LineInput(account=cash, fund=general, debit=total, memo="Bank deposit")]
        lines += [
            LineInput(account=undeposited, fund=funds[fund_id], credit=amount)
            for fund_id, amount in sorted(amounts.items())
        ]
        journal_entry_create(
            **finance,
            date=day,
            memo=f"Bank deposit of the week's gifts ({day:%b %d})",
            reference=f"DEP-{day:%Y%m%d}",
            lines=lines,
        )
        made += 1
    return made


def _plan(ctx: DemoContext, cash: Account, start: date, first_end: date, end: date) -> Plan:
    """The bank's view of the ledger lines on `cash`: what reached the bank by `end`."""
    rng = ctx.rng
    before = JournalLine.objects.filter(account=cash, date__lt=start).aggregate(
        d=Sum("debit"), c=Sum("credit")
    )
    plan = Plan(start, first_end, end, (before["d"] or ZERO) - (before["c"] or ZERO))
    ledger = JournalLine.objects.filter(account=cash, date__gte=start, date__lte=end)
    for n, row in enumerate(ledger.select_related("entry").order_by("date", "id")):
        amount = row.debit - row.credit
        entry = row.entry
        check = _check_number(entry.memo)
        if amount > 0:  # a deposit: the bank credits it the next business day
            on, payee, kind = _business_day(row.date + timedelta(days=1)), "Deposit", "DEP"
        elif check:  # a check: it clears when the payee has cashed it
            on, payee, kind = row.date + timedelta(days=rng.randrange(2, 6)), "Check", "CHECK"
        else:  # a transfer or a payment made online: the same day
            on, payee, kind = row.date, entry.memo or "Online transfer", "XFER"
        if on > end:
            continue  # not on this statement yet: in transit or outstanding
        memo = f"Check {check}" if check else (entry.reference or "")
        plan.lines.append(
            BankLine(
                ParsedLine(
                    date=on,
                    amount=amount,
                    payee=payee[:60],
                    memo=memo,
                    reference=check,
                    bank_id=f"{on:%Y%m%d}{n:04d}",
                    kind=kind,
                ),
                row.pk,
            )
        )
    fee = Decimal(rng.choice(("12.00", "15.00", "9.95")))
    for n, month_end in enumerate((first_end, end)):
        plan.lines.append(
            BankLine(
                ParsedLine(
                    date=month_end,
                    amount=-fee,
                    payee="Service charge",
                    memo="Monthly maintenance fee",
                    bank_id=f"{month_end:%Y%m%d}FEE{n}",
                    kind="SRVCHG",
                ),
                None,
            )
        )
    interest = Decimal(rng.randrange(35, 240)) / 100
    plan.lines.append(
        BankLine(
            ParsedLine(
                date=end,
                amount=interest,
                payee="Interest paid",
                memo="Interest for the month",
                bank_id=f"{end:%Y%m%d}INT",
                kind="INT",
            ),
            None,
        )
    )
    plan.lines.sort(key=lambda b: (b.line.date, b.line.bank_id))
    return plan


def _check_number(memo: str) -> str:
    """ "Payment of EXP-4: Office Depot by check 1004" -> "1004"."""
    head, sep, tail = memo.rpartition("by check ")
    return tail.strip() if sep and head and tail.strip().isdigit() else ""


def _business_day(day: date) -> date:
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def _match_the_rest(who: dict[str, Any], account: BankAccount, plan: Plan) -> int:
    """Lines the matcher was not confident about, matched by hand to the ledger line they are
    (as the bookkeeper would pick the suggestion)."""
    known = {b.line.bank_id: b.journal_line_id for b in plan.lines if b.journal_line_id}
    rest = BankTransaction.objects.filter(
        bank_account=account, status=LineStatus.UNMATCHED, bank_id__in=list(known)
    )
    free = set(known.values()) - set(
        MatchLine.objects.filter(journal_line_id__in=list(known.values())).values_list(
            "journal_line_id", flat=True
        )
    )
    made = 0
    for line in rest.order_by("date", "id"):
        journal_line_id = known[line.bank_id]
        if journal_line_id in free:
            match_lines(**who, bank_lines=[line], journal_line_ids=[journal_line_id])
            made += 1
    return made
