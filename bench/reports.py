"""Report benchmarks: the financial statements of the largest organization of an
`ifm generate_data` dataset, read from the stored monthly balances, each beside the same
statement summed from every line (the floor it replaced), and posting throughput with the
balances kept by the posting transaction.

PostgreSQL from DATABASE_URL (default postgres://postgres@127.0.0.1:5432/ifm_bench; created and
migrated if missing); without a PostgreSQL URL a small version runs in a temporary SQLite
database. Sizes: BENCH_REPORTS_ORGS (34), BENCH_REPORTS_YEARS (5), BENCH_REPORTS_SCALE (0.2:
the largest organization has about 100,000 lines); BENCH_REPORTS_FULL=1 is the issue's full
size (`--orgs 34 --years 5`, scale 1: 500,000 lines in the largest, the dataset of
bench/ledger.py, reused). BENCH_RUNS (30) runs of each read; BENCH_POST_ENTRIES (2,000).

(a) p95 server time, in this process, for the largest organization: the trial balance, the
    statement of financial position (compared with a year before), the statement of
    activities (the last fiscal year, compared with the one before) and the statement of
    functional expenses (the last fiscal year, with the days of its partial last month).
    Target: each under 20 ms. Ratio: against the same call summing every line instead.
(b) the trial balance beside hledger's `balance` on the same organization's export (full size).
(c) post_entry, one writer, into the largest organization (so its balances are kept as it
    posts), each entry committed. Target: at least 500 entries/s.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from bench.ledger import DEFAULT_URL, _ensure_database, _env, _setup_django, _timed
from bench.server import BIN, ROOT

READ_TARGET_MS = 20.0
POST_TARGET = 500


@dataclass(frozen=True)
class Sizes:
    orgs: int = 34
    years: int = 5
    scale: float = 0.2
    runs: int = 30
    post_entries: int = 2000
    prefix: str = "rep"


QUICK = Sizes(orgs=2, years=2, scale=0.002, runs=3, post_entries=20, prefix="repq")
FULL = Sizes(scale=1.0, prefix="gen")


def sizes_from_env() -> Sizes:
    if os.environ.get("BENCH_REPORTS_FULL", "") not in ("", "0"):
        base = FULL
    else:
        base = Sizes(
            orgs=int(os.environ.get("BENCH_REPORTS_ORGS", "34")),
            years=int(os.environ.get("BENCH_REPORTS_YEARS", "5")),
            scale=float(os.environ.get("BENCH_REPORTS_SCALE", "0.2")),
        )
    return Sizes(
        orgs=base.orgs,
        years=base.years,
        scale=base.scale,
        runs=int(os.environ.get("BENCH_RUNS", str(base.runs))),
        post_entries=int(os.environ.get("BENCH_POST_ENTRIES", str(base.post_entries))),
        prefix=base.prefix,
    )


@dataclass(frozen=True)
class Figure:
    """A read's p95 beside its floor (the same read summing every line)."""

    name: str
    p50_ms: float
    p95_ms: float
    floor_p95_ms: float

    @property
    def ratio(self) -> float:
        return self.p95_ms / self.floor_p95_ms if self.floor_p95_ms else float("inf")

    @property
    def met(self) -> bool:
        return self.p95_ms < READ_TARGET_MS

    def line(self) -> str:
        mark = "ok" if self.met else "MISSED"
        return (
            f"  {self.name:<44} p50={self.p50_ms:7.1f} ms  p95={self.p95_ms:7.1f} ms"
            f"  summing lines p95={self.floor_p95_ms:8.1f} ms  ratio {self.ratio:6.3f}"
            f"  (target < {READ_TARGET_MS:.0f} ms: {mark})"
        )


def dataset(sizes: Sizes, out: Callable[[str], None] = print) -> str:
    """Generate the dataset unless it is complete already; the slug of the largest organization."""
    from ifm.ledger.generate import GenerateOptions, existing_state, generate

    options = GenerateOptions(
        orgs=sizes.orgs, years=sizes.years, scale=sizes.scale, prefix=sizes.prefix
    )
    state = existing_state(options)
    if len(state) == options.orgs and set(state.values()) == {"complete"}:
        out(f"  dataset: reused ({options.orgs} organizations, {options.years} years)")
    else:
        t0 = time.perf_counter()
        result = generate(options)
        out(
            f"  dataset: generated {options.orgs} organizations, {options.years} years,"
            f" scale {options.scale:g}: {result.lines:,} lines in {time.perf_counter() - t0:.1f} s"
        )
    return f"{options.prefix}-01"


def _trial_balance_by_lines(as_of: date) -> list[Any]:
    """The trial balance's query before the balances were stored: every line summed."""
    from django.db.models import F, Sum

    from ifm.ledger.models import JournalLine

    return list(
        JournalLine.objects.filter(date__lte=as_of)
        .values("account_id")
        .annotate(net=Sum(F("debit") - F("credit")))
        .order_by()
    )


def reads(slug: str, sizes: Sizes, out: Callable[[str], None] = print) -> list[Figure]:
    """Each statement for the organization's last fiscal year, stored and summed."""
    from django.db.models import Max

    from ifm.core.org_context import org_context
    from ifm.ledger.balances.monthly import summing_lines
    from ifm.ledger.balances.selectors import trial_balance
    from ifm.ledger.models import JournalLine, MonthlyBalance, PeriodBalance
    from ifm.ledger.periods.fiscal_years import fiscal_year_bounds
    from ifm.reports.financial.selectors import (
        compare_period,
        functional_expenses,
        statement_of_activities,
        statement_of_financial_position,
        year_before,
    )
    from ifm.tenancy.models import Organization

    org = Organization.objects.get(slug=slug)
    figures = []
    with org_context(org):
        last = JournalLine.objects.aggregate(d=Max("date"))["d"]
        lines = JournalLine.objects.count()
        stored = MonthlyBalance.objects.count()
        periods = PeriodBalance.objects.count()
        start = fiscal_year_bounds(org, last)[0]
        # A partial last month: the statements read its days from the lines.
        as_of = last.replace(day=min(last.day, 15))
        out(
            f"  {slug}: {lines:,} journal lines, {stored:,} stored monthly balances,"
            f" {periods:,} quarterly and yearly"
        )
        calls: dict[str, Callable[[], Any]] = {
            "trial balance": lambda: trial_balance(as_of=as_of),
            "statement of financial position": lambda: statement_of_financial_position(
                as_of=as_of, compare_to=year_before(as_of)
            ),
            "statement of activities": lambda: statement_of_activities(
                date_from=start,
                date_to=as_of,
                compare=compare_period("prior_year", start, as_of),
            ),
            "statement of functional expenses": lambda: functional_expenses(
                date_from=start, date_to=as_of
            ),
        }
        for name, call in calls.items():
            p50, p95, ours = _timed(call, sizes.runs)
            with summing_lines():
                _f50, floor, theirs = _timed(call, max(3, sizes.runs // 5))
            same = ours == theirs
            if not same:
                raise AssertionError(f"{name}: stored and summed balances differ")
            figure = Figure(name, p50, p95, floor)
            out(figure.line())
            figures.append(figure)
        _o50, old, _rows = _timed(lambda: _trial_balance_by_lines(as_of), max(3, sizes.runs // 5))
        out(
            f"  {'trial balance, the old query alone':<44} p95={old:7.1f} ms"
            f"  ratio stored / old {figures[0].p95_ms / old:6.3f}"
        )
    return figures


def posting(slug: str, sizes: Sizes, out: Callable[[str], None] = print) -> float:
    """post_entry, one writer, each entry committed, into the organization's last month."""
    from django.db.models import Max

    from ifm.core.org_context import org_context
    from ifm.ledger.journal.posting import LineInput, post_entry
    from ifm.ledger.models import Account, Fund, JournalLine
    from ifm.tenancy.models import Organization

    org = Organization.objects.get(slug=slug)
    with org_context(org):
        on = JournalLine.objects.aggregate(d=Max("date"))["d"]
        acct = {a.number: a for a in Account.objects.filter(number__in=["1010", "4010", "8110"])}
        fund = Fund.objects.get(is_general=True)
        shapes = [
            [LineInput(acct["1010"], fund, debit=Decimal("125.00")),
             LineInput(acct["4010"], fund, credit=Decimal("125.00"))],
            [LineInput(acct["8110"], fund, debit=Decimal("40.10"), function="management"),
             LineInput(acct["1010"], fund, credit=Decimal("40.10"))],
        ]  # fmt: skip
        post_entry(organization=org, actor=None, date=on, lines=shapes[0])  # warm-up
        t0 = time.perf_counter()
        for i in range(sizes.post_entries):
            post_entry(
                organization=org, actor=None, date=on, lines=shapes[i % 2], source_type="import"
            )
        seconds = time.perf_counter() - t0
    rate = sizes.post_entries / seconds
    mark = "ok" if rate >= POST_TARGET else "MISSED"
    out(
        f"  {'post_entry, 1 writer, balances kept':<44} {rate:7.0f} entries/s"
        f"  ({sizes.post_entries} entries, target >= {POST_TARGET}/s: {mark})"
    )
    return rate


def run(sizes: Sizes, out: Callable[[str], None] = print) -> tuple[list[Figure], float]:
    from ifm.ledger.generate import refresh_statistics

    slug = dataset(sizes, out)
    refresh_statistics()  # as autovacuum would have, on a server where it is on
    figures = reads(slug, sizes, out)
    rate = posting(slug, sizes, out)
    return figures, rate


def main() -> None:
    url = os.environ.get("DATABASE_URL") or DEFAULT_URL
    small = not url.startswith(("postgres://", "postgresql://"))
    sizes = sizes_from_env()
    if small:
        url = f"sqlite:///{tempfile.mkdtemp(prefix='ifm-bench-reports-')}/bench.sqlite3"
        subprocess.run(
            [str(BIN / "ifm"), "migrate", "--noinput", "-v0"], env=_env(url), cwd=ROOT, check=True
        )
        sizes = QUICK
    else:
        _ensure_database(url)
    _setup_django(url)
    where = "SQLite, small version" if small else url.split("@")[-1]
    print(f"Reports ({where}; {sizes.orgs} orgs, {sizes.years} years, scale {sizes.scale:g})")
    figures, _rate = run(sizes)
    if not small and sizes.scale >= 1.0:
        from bench.ledger import _hledger

        trial = figures[0]
        _hledger(url, f"{sizes.prefix}-01", trial.p95_ms, _ours(f"{sizes.prefix}-01"))


def _ours(slug: str) -> dict[str, Decimal]:
    from django.db.models import Max

    from ifm.core.org_context import org_context
    from ifm.ledger.balances.selectors import trial_balance
    from ifm.ledger.models import JournalLine
    from ifm.tenancy.models import Organization

    with org_context(Organization.objects.get(slug=slug)):
        as_of = JournalLine.objects.aggregate(d=Max("date"))["d"]
        return {row.number: row.debit - row.credit for row in trial_balance(as_of=as_of).rows}


if __name__ == "__main__":
    main()
