"""Suggestions: which unmatched ledger lines of the bank account's cash account a bank line is.

Every suggestion adds up exactly: a bank line is only ever offered ledger lines whose
debit minus credit sums to its amount (deposits positive on both sides). Among those:

* one ledger line of that amount, dated within `DATE_WINDOW_DAYS` of the bank line (or up to
  `CHECK_WINDOW_DAYS` before it when the check number or reference is the same: checks clear
  late);
* one bank line to many ledger lines, when no single line of the amount lies within two days:
  the cash lines of one journal entry, or lines of one day (a day's gifts deposited together),
  a bounded subset-sum search (`MAX_GROUP_LINES` lines of one sign, days of at most
  `MAX_DAY_LINES` such lines, `SEARCH_BUDGET` steps; a busier day is offered only whole);
* many bank lines to one ledger line: this line and up to `MAX_OTHER_BANK_LINES` other
  unmatched bank lines of the window adding up to one ledger line.

Score, 0 to 100: the exact amount 40; the date 20 on the same day, about 3 less a day apart, 0
outside the window; the same check number or reference 30 (15 less when both name check
numbers and they differ); payee words found in the entry's memo or lines 10 at most; a group
of lines 5 less than a single line. A suggestion is
`confident` when it is the only one within two days (or beats the next by
`CONFIDENT_LEAD` points), no other unmatched bank line of the same amount lies within two days
of it, and it is not many-to-one: accepting all confident suggestions never lets two bank
lines claim one ledger line.

`suggestions_for` loads only what one bank line needs (indexed by account and date);
`suggest_all` loads every candidate once and indexes it by amount and date, then runs the same
engine, so both give the same answer for a line.
"""

from __future__ import annotations

import bisect
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from functools import cached_property

from django.db.models import Q

from ifm.banking.matching.selectors import candidate_lines
from ifm.banking.models import BankAccount, BankTransaction, LineStatus

DATE_WINDOW_DAYS = 5
CHECK_WINDOW_DAYS = 60
CONFIDENT_DAYS = 2
CONFIDENT_LEAD = 10
MAX_GROUP_LINES = 5
MAX_DAY_LINES = 24
MAX_OTHER_BANK_LINES = 3
NEAREST_BANK_LINES = 8
SEARCH_BUDGET = 4000
GROUPS_PER_DAY = 3

POINTS_AMOUNT = 40
POINTS_DATE = 20
POINTS_REFERENCE = 30
POINTS_PAYEE = 10
GROUP_PENALTY = 5
OTHER_CHECK_PENALTY = 15

_WORD = re.compile(r"[a-z0-9]+")
_CHECK = re.compile(r"\b(?:check|chk|cheque|ck|no|#)\s*#?\s*0*(\d{2,12})\b", re.IGNORECASE)
_STOP = frozenset(
    [
        "the",
        "and",
        "for",
        "from",
        "gift",
        "gifts",
        "payment",
        "paid",
        "deposit",
        "deposits",
        "check",
        "chk",
        "cheque",
        "ach",
        "pos",
        "debit",
        "credit",
        "card",
        "purchase",
        "online",
        "transfer",
        "bank",
        "inc",
        "llc",
        "ltd",
        "co",
        "org",
        "donation",
        "donations",
        "entry",
        "reversal",
        "with",
        "via",
        "ref",
        "memo",
        "batch",
    ]
)


def words(*texts: str) -> frozenset[str]:
    """The words that can name a payee: lower case, 3+ letters, no plain numbers or filler."""
    found = set()
    for text in texts:
        for word in _WORD.findall(text.lower()):
            if len(word) >= 3 and not word.isdigit() and word not in _STOP:
                found.add(word)
    return frozenset(found)


def _reference(text: str) -> str:
    text = text.strip().lower()
    return text.lstrip("0") or text if text.isdigit() else text


def references(reference: str, *texts: str) -> frozenset[str]:
    """A reference as given (digits without leading zeros) and check numbers named in text."""
    found = {_reference(reference)} if reference.strip() else set()
    for text in texts:
        found.update(m.group(1).lstrip("0") for m in _CHECK.finditer(text))
    found.discard("")
    return frozenset(found)


def cents(amount: Decimal) -> int:
    return int(amount * 100)


@dataclass(eq=False)
class Candidate:
    """A ledger line as the engine sees it: its signed amount in cents (debit minus credit)."""

    id: int
    entry_id: int
    entry_number: int
    date: date
    cents: int
    memo: str
    entry_memo: str
    reference: str
    source_type: str

    @property
    def amount(self) -> Decimal:
        return Decimal(self.cents) / 100

    @cached_property
    def words(self) -> frozenset[str]:
        return words(self.memo, self.entry_memo)

    @cached_property
    def references(self) -> frozenset[str]:
        return references(self.reference, self.memo, self.entry_memo)

    @property
    def label(self) -> str:
        return f"JE-{self.entry_number}"


@dataclass(eq=False)
class BankLine:
    id: int
    date: date
    cents: int
    payee: str
    memo: str
    reference: str

    @property
    def amount(self) -> Decimal:
        return Decimal(self.cents) / 100

    @cached_property
    def words(self) -> frozenset[str]:
        return words(self.payee, self.memo)

    @cached_property
    def references(self) -> frozenset[str]:
        return references(self.reference, self.payee, self.memo)


@dataclass
class Suggestion:
    """Ledger lines (and, many-to-one, other bank lines) that add up to the bank line."""

    journal_lines: list[Candidate]
    score: int
    reasons: list[str]
    confident: bool = False
    other_bank_lines: list[BankLine] = field(default_factory=list)
    # Within CONFIDENT_DAYS of the bank line: what `confident` needs, besides being unique.
    close: bool = False

    @property
    def journal_line_ids(self) -> list[int]:
        return [line.id for line in self.journal_lines]

    @property
    def other_bank_line_ids(self) -> list[int]:
        return [line.id for line in self.other_bank_lines]

    @property
    def amount(self) -> Decimal:
        return Decimal(sum(line.cents for line in self.journal_lines)) / 100

    @property
    def date(self) -> date:
        return max(line.date for line in self.journal_lines)

    @property
    def key(self) -> frozenset[int]:
        return frozenset(self.journal_line_ids)


# --- The pool: candidates and bank lines, indexed -------------------------------------------


class Pool:
    """Candidates indexed by amount, date and entry; unmatched bank lines by amount and date."""

    def __init__(self, candidates: Iterable[Candidate], bank_lines: Iterable[BankLine]) -> None:
        self.by_cents: dict[int, list[Candidate]] = defaultdict(list)
        # Lines of one day and one sign (1 deposits, -1 payments), and their total.
        self.by_day: dict[tuple[date, int], list[Candidate]] = defaultdict(list)
        by_entry: dict[int, list[Candidate]] = defaultdict(list)
        for c in candidates:
            self.by_cents[c.cents].append(c)
            self.by_day[(c.date, 1 if c.cents > 0 else -1)].append(c)
            by_entry[c.entry_id].append(c)
        for group in self.by_cents.values():
            group.sort(key=lambda c: (c.date, c.id))
        self.dates_by_cents = {k: [c.date for c in v] for k, v in self.by_cents.items()}
        self.day_totals = {k: sum(c.cents for c in v) for k, v in self.by_day.items()}
        self.entries_by_sum: dict[int, list[list[Candidate]]] = defaultdict(list)
        for lines in by_entry.values():
            if len(lines) > 1:
                self.entries_by_sum[sum(c.cents for c in lines)].append(lines)
        self.bank_by_cents: dict[int, list[BankLine]] = defaultdict(list)
        self.bank_by_date: dict[date, list[BankLine]] = defaultdict(list)
        for b in bank_lines:
            self.bank_by_cents[b.cents].append(b)
            self.bank_by_date[b.date].append(b)

    def of_amount(self, amount: int, start: date, end: date) -> list[Candidate]:
        group = self.by_cents.get(amount)
        if not group:
            return []
        dates = self.dates_by_cents[amount]
        return group[bisect.bisect_left(dates, start) : bisect.bisect_right(dates, end)]


# --- Scoring -----------------------------------------------------------------------------------


def _days(a: date, b: date) -> int:
    return abs((a - b).days)


def _date_points(days: int) -> int:
    if days > DATE_WINDOW_DAYS:
        return 0
    return round(POINTS_DATE * (1 - days / (DATE_WINDOW_DAYS + 1)))


def _day_words(days: int) -> str:
    return "Same day" if days == 0 else f"{days} day{'s' if days != 1 else ''} apart"


def _checks(refs: frozenset[str]) -> bool:
    return any(r.isdigit() for r in refs)


def _score(bank: BankLine, lines: list[Candidate], *, group_reason: str = "") -> Suggestion:
    days = max(_days(bank.date, c.date) for c in lines)
    score = POINTS_AMOUNT + _date_points(days)
    reasons = ["Same amount" if len(lines) == 1 else group_reason, _day_words(days)]
    shared_refs = set().union(*(bank.references & c.references for c in lines))
    if shared_refs:
        score += POINTS_REFERENCE
        kind = "Check number" if all(r.isdigit() for r in shared_refs) else "Reference"
        reasons.append(f"{kind} {', '.join(sorted(shared_refs))} on both")
    elif _checks(bank.references) and all(_checks(c.references) for c in lines):
        score -= OTHER_CHECK_PENALTY
        reasons.append("Another check number")
    if bank.words:
        ledger_words = frozenset().union(*(c.words for c in lines))
        common = bank.words & ledger_words
        if common:
            share = len(common) / len(bank.words)
            score += max(1, round(POINTS_PAYEE * share))
            reasons.append("Payee words in common: " + ", ".join(sorted(common)[:4]))
    if len(lines) > 1:
        score -= GROUP_PENALTY
    return Suggestion(
        journal_lines=sorted(lines, key=lambda c: (c.date, c.id)),
        score=max(0, min(100, score)),
        reasons=reasons,
        close=days <= CONFIDENT_DAYS,
    )


# --- The engine --------------------------------------------------------------------------------


def _singles(bank: BankLine, pool: Pool) -> list[Suggestion]:
    window = timedelta(days=DATE_WINDOW_DAYS)
    found = []
    start = bank.date - timedelta(days=CHECK_WINDOW_DAYS)
    for c in pool.of_amount(bank.cents, start, bank.date + window):
        if _days(c.date, bank.date) <= DATE_WINDOW_DAYS or bank.references & c.references:
            found.append(_score(bank, [c]))
    return found


def _subsets(lines: list[Candidate], target: int, budget: list[int]) -> Iterator[list[Candidate]]:
    """Subsets of 2..MAX_GROUP_LINES lines (all of one sign, largest first) summing to target."""
    n = len(lines)
    suffix = [0] * (n + 1)
    for i in range(n - 1, -1, -1):
        suffix[i] = suffix[i + 1] + abs(lines[i].cents)
    goal = abs(target)
    chosen: list[Candidate] = []

    def walk(i: int, left: int) -> Iterator[list[Candidate]]:
        if left == 0:
            if len(chosen) > 1:
                yield list(chosen)
            return
        if len(chosen) >= MAX_GROUP_LINES or i >= n or suffix[i] < left:
            return
        for j in range(i, n):
            if budget[0] <= 0:
                return
            budget[0] -= 1
            size = abs(lines[j].cents)
            if size > left:
                continue
            if suffix[j] < left:
                return
            chosen.append(lines[j])
            yield from walk(j + 1, left - size)
            chosen.pop()

    yield from walk(0, goal)


def _groups(bank: BankLine, pool: Pool) -> list[Suggestion]:
    """One bank line to many ledger lines: one entry's cash lines, or lines of one day."""
    found: dict[frozenset[int], Suggestion] = {}
    for lines in pool.entries_by_sum.get(bank.cents, []):
        if _days(lines[0].date, bank.date) <= DATE_WINDOW_DAYS:
            label = f"The {len(lines)} lines of {lines[0].label} add up to the amount"
            suggestion = _score(bank, lines, group_reason=label)
            found[suggestion.key] = suggestion
    sign = 1 if bank.cents > 0 else -1
    budget = [SEARCH_BUDGET]
    for offset in range(-DATE_WINDOW_DAYS, DATE_WINDOW_DAYS + 1):
        day = bank.date + timedelta(days=offset)
        same_sign = pool.by_day.get((day, sign), [])
        if len(same_sign) < 2:
            continue
        label_day = f"{day:%Y-%m-%d}"
        if pool.day_totals[(day, sign)] == bank.cents:
            label = f"All {len(same_sign)} lines of {label_day} add up to the amount"
            suggestion = _score(bank, same_sign, group_reason=label)
            found.setdefault(suggestion.key, suggestion)
            continue
        if len(same_sign) > MAX_DAY_LINES:
            continue
        smaller = sorted(
            (c for c in same_sign if abs(c.cents) < abs(bank.cents)),
            key=lambda c: (-abs(c.cents), c.id),
        )
        for n, subset in enumerate(_subsets(smaller, bank.cents, budget)):
            if n >= GROUPS_PER_DAY:
                break
            label = f"{len(subset)} lines of {label_day} add up to the amount"
            suggestion = _score(bank, subset, group_reason=label)
            found.setdefault(suggestion.key, suggestion)
    return list(found.values())


def _bank_subsets(bank: BankLine, pool: Pool) -> Iterator[tuple[list[BankLine], int]]:
    """This bank line with 1..MAX_OTHER_BANK_LINES of the nearest other unmatched lines of its
    sign and window, and what each set comes to (a bounded walk)."""
    sign = 1 if bank.cents > 0 else -1
    others = [
        b
        for offset in range(-DATE_WINDOW_DAYS, DATE_WINDOW_DAYS + 1)
        for b in pool.bank_by_date.get(bank.date + timedelta(days=offset), ())
        if b.id != bank.id and b.cents * sign > 0
    ]
    others.sort(key=lambda b: (_days(b.date, bank.date), b.id))
    others = others[:NEAREST_BANK_LINES]
    budget = SEARCH_BUDGET
    stack: list[tuple[int, list[BankLine], int]] = [(0, [], bank.cents)]
    while stack:
        start, chosen, total = stack.pop()
        if chosen:
            yield chosen, total
        if len(chosen) >= MAX_OTHER_BANK_LINES:
            continue
        for j in range(len(others) - 1, start - 1, -1):
            if budget <= 0:
                return
            budget -= 1
            stack.append((j + 1, [*chosen, others[j]], total + others[j].cents))


def _many_to_one(bank: BankLine, pool: Pool) -> list[Suggestion]:
    """This bank line and a few other unmatched ones of the window adding up to one ledger line."""
    found: dict[frozenset[int], Suggestion] = {}
    window = timedelta(days=DATE_WINDOW_DAYS)
    for chosen, total in _bank_subsets(bank, pool):
        for c in pool.of_amount(total, bank.date - window, bank.date + window):
            label = f"With {len(chosen)} other bank line{'s' if len(chosen) > 1 else ''}"
            suggestion = _score(bank, [c])
            suggestion.reasons[0] = f"{label}, adds up to {c.label}"
            suggestion.score = max(0, suggestion.score - GROUP_PENALTY)
            suggestion.other_bank_lines = sorted(chosen, key=lambda b: (b.date, b.id))
            suggestion.close = False
            key = suggestion.key | frozenset(-b.id for b in chosen)
            found.setdefault(key, suggestion)
    return list(found.values())


def _needs_groups(singles: list[Suggestion]) -> bool:
    """Groups are searched unless a single line of the amount lies within CONFIDENT_DAYS."""
    return not any(s.close for s in singles)


def _rank(bank: BankLine, pool: Pool, limit: int) -> list[Suggestion]:
    suggestions = _singles(bank, pool)
    if _needs_groups(suggestions):
        suggestions += _groups(bank, pool)
        suggestions += _many_to_one(bank, pool)
    suggestions.sort(key=lambda s: (-s.score, _days(s.date, bank.date), s.journal_line_ids))
    if suggestions:
        top = suggestions[0]
        rival = next((s for s in suggestions[1:] if s.close), None)
        unique = rival is None or top.score - rival.score >= CONFIDENT_LEAD
        top.confident = (
            top.close and unique and not top.other_bank_lines and not _contested(bank, top, pool)
        )
    return suggestions[:limit]


def _contested(bank: BankLine, suggestion: Suggestion, pool: Pool) -> bool:
    """Another unmatched bank line of the same amount lies within CONFIDENT_DAYS of the lines."""
    on = suggestion.date
    return any(
        b.id != bank.id and _days(b.date, on) <= CONFIDENT_DAYS
        for b in pool.bank_by_cents.get(bank.cents, ())
    )


# --- Loading -----------------------------------------------------------------------------------

_CANDIDATE_FIELDS = (
    "id",
    "entry_id",
    "entry__number",
    "date",
    "debit",
    "credit",
    "memo",
    "entry__memo",
    "entry__reference",
    "entry__source_type",
)


def _candidates(rows: Iterable[tuple[object, ...]]) -> list[Candidate]:
    out = []
    for pk, entry_id, number, on, debit, credit, memo, entry_memo, reference, source in rows:
        out.append(
            Candidate(
                id=pk,  # type: ignore[arg-type]
                entry_id=entry_id,  # type: ignore[arg-type]
                entry_number=number,  # type: ignore[arg-type]
                date=on,  # type: ignore[arg-type]
                cents=cents(debit) - cents(credit),  # type: ignore[arg-type]
                memo=memo,  # type: ignore[arg-type]
                entry_memo=entry_memo,  # type: ignore[arg-type]
                reference=reference,  # type: ignore[arg-type]
                source_type=source,  # type: ignore[arg-type]
            )
        )
    return out


def _bank_line(line: BankTransaction) -> BankLine:
    return BankLine(
        id=line.pk,
        date=line.date,
        cents=cents(line.amount),
        payee=line.payee,
        memo=line.memo,
        reference=line.reference,
    )


_BANK_FIELDS = ("id", "date", "amount", "payee", "memo", "reference")


def _bank_lines(rows: Iterable[tuple[object, ...]]) -> list[BankLine]:
    return [
        BankLine(id=pk, date=on, cents=cents(amount), payee=payee, memo=memo, reference=ref)  # type: ignore[arg-type]
        for pk, on, amount, payee, memo, ref in rows
    ]


def suggestions_for(bank_line: BankTransaction, limit: int = 5) -> list[Suggestion]:
    """The best suggestions for one bank line, best first (an empty list for a matched line).

    Reads only what the engine can use for this line, in three or four indexed range
    queries: the unmatched bank lines of its window (and of its amount a little wider); the
    ledger lines of its window as bare amounts; then in full the lines the engine can use (of
    its amount, of entries with several cash lines, of days a group can come from, of an
    amount a set of nearby bank lines comes to), and, for a bank line naming a check number
    or reference, the lines of its amount back to CHECK_WINDOW_DAYS."""
    if bank_line.status != LineStatus.UNMATCHED:
        return []
    account = bank_line.bank_account
    bank = _bank_line(bank_line)
    window = timedelta(days=DATE_WINDOW_DAYS)
    near = timedelta(days=CONFIDENT_DAYS)
    start, end = bank.date - window, bank.date + window
    # A line of the amount further back than the window counts only for a shared check
    # number or reference: without one on the bank line, the window is all there is to read.
    back = timedelta(days=CHECK_WINDOW_DAYS) if bank.references else window
    others = _bank_lines(
        BankTransaction.objects.filter(bank_account=account, status=LineStatus.UNMATCHED)
        .exclude(pk=bank_line.pk)
        .filter(
            Q(date__gte=start, date__lte=end)
            | Q(amount=bank_line.amount, date__gte=bank.date - back - near, date__lte=end + near)
        )
        .values_list(*_BANK_FIELDS)
    )
    banks = [bank, *others]
    sums = {total for _chosen, total in _bank_subsets(bank, Pool([], banks))}
    lines = candidate_lines(account)
    light = [
        (pk, entry_id, on, cents(debit) - cents(credit))
        for pk, entry_id, on, debit, credit in lines.filter(
            date__gte=start, date__lte=end
        ).values_list("id", "entry_id", "date", "debit", "credit")
    ]
    sign = 1 if bank.cents > 0 else -1
    per_day: dict[date, list[int]] = defaultdict(lambda: [0, 0])
    per_entry: dict[int, int] = defaultdict(int)
    for _pk, entry_id, on, amount in light:
        per_entry[entry_id] += 1
        if amount * sign > 0:
            per_day[on][0] += 1
            per_day[on][1] += amount
    days = {
        on for on, (n, total) in per_day.items() if 2 <= n <= MAX_DAY_LINES or total == bank.cents
    }
    wanted = [
        pk
        for pk, entry_id, on, amount in light
        if amount == bank.cents
        or per_entry[entry_id] > 1
        or (on in days and amount * sign > 0)
        or amount in sums
    ]
    found = Q(pk__in=wanted) if wanted else Q(pk__in=[])
    if back != window:
        found |= Q(date__gte=bank.date - back, date__lt=start) & _amount_is(bank.cents)
    candidates = _candidates(lines.filter(found).values_list(*_CANDIDATE_FIELDS))
    return _rank(bank, Pool(candidates, banks), limit)


def _amount_is(amount: int) -> Q:
    value = Decimal(abs(amount)) / 100
    return Q(debit=value) if amount > 0 else Q(credit=value)


def suggest_all(bank_account: BankAccount, limit: int = 5) -> dict[int, list[Suggestion]]:
    """Suggestions for every unmatched line of the account: {bank line id: suggestions}.

    Candidates and bank lines are each loaded in one query and indexed in memory, so the cost
    grows with the number of lines, not with their product."""
    candidates = _candidates(candidate_lines(bank_account).values_list(*_CANDIDATE_FIELDS))
    banks = _bank_lines(
        BankTransaction.objects.filter(bank_account=bank_account, status=LineStatus.UNMATCHED)
        .order_by("date", "id")
        .values_list(*_BANK_FIELDS)
    )
    pool = Pool(candidates, banks)
    return {bank.id: _rank(bank, pool, limit) for bank in banks}


def confident_picks(suggested: dict[int, list[Suggestion]]) -> dict[int, Suggestion]:
    """The confident top suggestion of each bank line, leaving out any two that would claim the
    same ledger line (neither is taken)."""
    tops = {bank_id: s[0] for bank_id, s in suggested.items() if s and s[0].confident}
    claims: dict[int, int] = defaultdict(int)
    for top in tops.values():
        for line_id in top.journal_line_ids:
            claims[line_id] += 1
    return {
        bank_id: top
        for bank_id, top in tops.items()
        if all(claims[line_id] == 1 for line_id in top.journal_line_ids)
    }
