"""Ledger benchmarks: posting throughput, trial balance at a million lines, and hledger beside us.

PostgreSQL from DATABASE_URL (default postgres://postgres@127.0.0.1:5432/ifm_bench; the
database is created and migrated if missing). On SQLite a small version runs in a temporary
database (scale 0.02, one writer), since the figures that matter are PostgreSQL's.

(a) post_entry throughput: one writer, then 8 writer processes on 8 organizations, then 8 on
    the same organization (entry numbering serializes them), BENCH_POST_SECONDS each (10).
(b) the default `ifm generate_data` dataset (made once; reused when its organizations are all
    there, each marked complete by its ledger.generate audit event), then trial_balance for the
    largest organization (median and p95 of BENCH_RUNS runs) and the first page of the account
    ledger of its busiest account.
(c) that organization exported with `ifm export_ledger --format hledger`, and
    `hledger -f FILE balance --flat -N` timed; its balances are compared with ours.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from bench.server import BIN, ROOT

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/ifm_bench"
HLEDGER = os.environ.get("HLEDGER", "/usr/bin/hledger")
TB_TARGET_MS = 300
POST_TARGET = 500
WRITER_ORGS = [f"bench-w{i}" for i in range(1, 9)]


def _env(url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(DATABASE_URL=url, DEBUG="0", IFM_ENV="development", LOG_LEVEL="WARNING")
    env.setdefault("IFM_VAR_DIR", tempfile.mkdtemp(prefix="ifm-bench-ledger-"))
    return env


def _setup_django(url: str) -> None:
    os.environ.update(_env(url))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ifm.settings")
    import django

    django.setup()


def _ensure_database(url: str) -> None:
    """Create the PostgreSQL database if it does not exist, then migrate it."""
    import dj_database_url
    import psycopg

    cfg = dj_database_url.parse(url)
    conninfo = {
        "host": cfg["HOST"] or None,
        "port": cfg["PORT"] or None,
        "user": cfg["USER"] or None,
        "password": cfg["PASSWORD"] or None,
    }
    with psycopg.connect(dbname="postgres", autocommit=True, **conninfo) as conn:  # type: ignore[arg-type]
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [cfg["NAME"]])
        if exists.fetchone() is None:
            conn.execute(f'CREATE DATABASE "{cfg["NAME"]}"')
    subprocess.run(
        [str(BIN / "ifm"), "migrate", "--noinput", "-v0"], env=_env(url), cwd=ROOT, check=True
    )


def _quantiles(times: list[float]) -> tuple[float, float]:
    times = sorted(times)
    if len(times) < 2:
        return times[0], times[0]
    return statistics.median(times), statistics.quantiles(times, n=20)[18]


# --- (a) posting throughput ------------------------------------------------------------------


def _writer_orgs(count: int) -> None:
    from ifm.orgs.services import organization_create
    from ifm.tenancy.models import Organization

    for slug in WRITER_ORGS[:count]:
        if not Organization.objects.filter(slug=slug).exists():
            organization_create(slug=slug, name=f"Benchmark writer {slug[-1]}")


def _writer(url: str, slug: str, seconds: float, barrier: Any, out: Any) -> None:
    """One writer process: post entries through post_entry until the time is up."""
    _setup_django(url)
    from django.utils import timezone

    from ifm.core.org_context import org_context
    from ifm.ledger.journal.posting import LineInput, post_entry
    from ifm.ledger.models import Account, Fund
    from ifm.tenancy.models import Organization

    org = Organization.objects.get(slug=slug)
    today = timezone.localdate()
    with org_context(org):
        numbers = ["1010", "4010", "8110", "8210", "2010"]
        acct = {a.number: a for a in Account.objects.filter(number__in=numbers)}
        fund = Fund.objects.get(is_general=True)
        shapes = [
            [LineInput(acct["1010"], fund, debit=Decimal("125.00")),
             LineInput(acct["4010"], fund, credit=Decimal("125.00"))],
            [LineInput(acct["8110"], fund, debit=Decimal("40.10"), function="program"),
             LineInput(acct["8210"], fund, debit=Decimal("900.00"), function="management"),
             LineInput(acct["2010"], fund, credit=Decimal("940.10"))],
        ]  # fmt: skip
        post_entry(organization=org, actor=None, date=today, lines=shapes[0])  # warm-up
        barrier.wait()
        times: list[float] = []
        errors = 0
        start = time.perf_counter()
        while time.perf_counter() - start < seconds:
            t0 = time.perf_counter()
            try:
                post_entry(
                    organization=org,
                    actor=None,
                    date=today,
                    lines=shapes[len(times) % 2],
                    source_type="import",
                )
            except Exception:  # a failed post is counted, not fatal to the benchmark
                errors += 1
            times.append((time.perf_counter() - t0) * 1000)
        out.put((len(times) - errors, errors, time.perf_counter() - start, times))


def _posting(url: str, name: str, slugs: list[str], seconds: float) -> float:
    from django.db import connections

    connections.close_all()
    ctx = mp.get_context("spawn")
    barrier, out = ctx.Barrier(len(slugs)), ctx.Queue()
    procs = [ctx.Process(target=_writer, args=(url, slug, seconds, barrier, out)) for slug in slugs]
    for p in procs:
        p.start()
    results = [out.get(timeout=seconds + 120) for _ in procs]
    for p in procs:
        p.join()
    posted = sum(r[0] for r in results)
    errors = sum(r[1] for r in results)
    wall = max(r[2] for r in results)
    p50, p95 = _quantiles([t for r in results for t in r[3]])
    rate = posted / wall
    mark = "ok" if rate >= POST_TARGET else "MISSED"
    print(
        f"  {name:<36} {rate:7.0f} entries/s  p50={p50:6.1f} ms  p95={p95:6.1f} ms"
        f"  errors={errors}  (target >= {POST_TARGET}/s: {mark})"
    )
    return rate


# --- (b) trial balance and account ledger at a million lines --------------------------------


def _dataset(url: str, scale: float) -> str:
    """Generate the dataset unless it is complete already; the slug of the largest organization."""
    from ifm.ledger.generate import GenerateOptions, existing_state

    options = GenerateOptions(scale=scale)
    state = existing_state(options)
    if len(state) == options.orgs and set(state.values()) == {"complete"}:
        print(f"  dataset: reused ({options.orgs} organizations at scale {scale:g})")
    else:
        print(f"  dataset: generating {options.orgs} organizations at scale {scale:g} ...")
        t0 = time.perf_counter()
        args = [str(BIN / "ifm"), "generate_data", "--scale", str(scale)]
        done = subprocess.run(args, env=_env(url), cwd=ROOT, capture_output=True, text=True)
        if done.returncode:
            sys.exit(f"generate_data failed:\n{done.stdout}\n{done.stderr}")
        print(f"  dataset: {done.stdout.strip().splitlines()[-1]}")
        print(f"  generate_data took {time.perf_counter() - t0:.1f} s in all")
    return f"{options.prefix}-01"


def _timed(call: Any, runs: int) -> tuple[float, float, Any]:
    result = call()  # warm-up
    call()
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        result = call()
        times.append((time.perf_counter() - t0) * 1000)
    p50, p95 = _quantiles(times)
    return p50, p95, result


def _reads(slug: str, runs: int) -> tuple[float, dict[str, Decimal], date]:
    from django.db.models import Count, Max

    from ifm.core.org_context import all_organizations, org_context
    from ifm.ledger.balances.selectors import account_ledger, trial_balance
    from ifm.ledger.models import Account, JournalLine
    from ifm.tenancy.models import Organization

    org = Organization.objects.get(slug=slug)
    with all_organizations():
        table_lines = JournalLine.all_orgs.count()
    with org_context(org):
        lines = JournalLine.objects.count()
        as_of = JournalLine.objects.aggregate(d=Max("date"))["d"]
        print(f"  {slug}: {lines:,} journal lines of {table_lines:,} in the table")
        p50, p95, tb = _timed(lambda: trial_balance(as_of=as_of), runs)
        mark = "ok" if p50 < TB_TARGET_MS else "MISSED"
        print(
            f"  {'trial_balance (all funds)':<36} p50={p50:7.1f} ms  p95={p95:7.1f} ms"
            f"  {len(tb.rows)} accounts, debits {tb.total_debit:,.2f}"
            f" = credits {tb.total_credit:,.2f}"
            f"  (target < {TB_TARGET_MS} ms: {mark})"
        )
        busiest = (
            JournalLine.objects.values("account_id").annotate(n=Count("id")).order_by("-n").first()
        )
        account = Account.objects.get(pk=busiest["account_id"])  # type: ignore[index]

        def first_page() -> list[Any]:
            _opening, rows = account_ledger(account=account)
            return list(rows[:50])

        lp50, lp95, _page = _timed(first_page, runs)
        print(
            f"  {'account_ledger first page (50)':<36} p50={lp50:7.1f} ms  p95={lp95:7.1f} ms"
            f"  account {account.number} with {busiest['n']:,} lines"  # type: ignore[index]
        )
        ours = {row.number: row.debit - row.credit for row in tb.rows}
    return p50, ours, as_of


# --- (c) hledger beside us -------------------------------------------------------------------


def _hledger(url: str, slug: str, ours_ms: float, ours: dict[str, Decimal]) -> None:
    if not Path(HLEDGER).exists():
        print(f"  hledger: skipped, not found at {HLEDGER}")
        return
    out = Path(tempfile.mkdtemp(prefix="ifm-bench-hledger-")) / f"{slug}.journal"
    t0 = time.perf_counter()
    subprocess.run(
        [str(BIN / "ifm"), "export_ledger", "--org", slug, "--format", "hledger", "-o", str(out)],
        env=_env(url),
        cwd=ROOT,
        check=True,
    )
    export_s = time.perf_counter() - t0
    size = out.stat().st_size / 1024 / 1024
    print(f"  {'ifm export_ledger --format hledger':<36} {export_s:7.1f} s  ({size:.0f} MiB)")
    times, text = [], ""
    for _ in range(2):
        t0 = time.perf_counter()
        done = subprocess.run(
            [HLEDGER, "-f", str(out), "balance", "--flat", "-N"],
            capture_output=True,
            text=True,
            check=True,
        )
        times.append((time.perf_counter() - t0) * 1000)
        text = done.stdout
    hledger_ms = min(times)
    theirs: dict[str, Decimal] = {}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) == 3 and ":" in parts[2]:
            theirs[parts[2].split(":")[-1]] = Decimal(parts[0].replace(",", ""))
    nonzero = {k: v for k, v in ours.items() if v}
    agree = "agree" if theirs == nonzero else f"DIFFER ({len(theirs)} vs {len(nonzero)} accounts)"
    mark = "ok" if ours_ms < hledger_ms else "MISSED"
    print(f"  {'hledger balance --flat -N':<36} {hledger_ms:7.0f} ms  balances {agree} with ours")
    print(
        f"  {'ratio trial_balance / hledger':<36} {ours_ms / hledger_ms:7.3f}"
        f"  (target: faster than hledger: {mark})"
    )
    shutil.rmtree(out.parent, ignore_errors=True)


def main() -> None:
    url = os.environ.get("DATABASE_URL") or DEFAULT_URL
    small = not url.startswith(("postgres://", "postgresql://"))
    if small:
        url = f"sqlite:///{tempfile.mkdtemp(prefix='ifm-bench-ledger-')}/bench.sqlite3"
        subprocess.run(
            [str(BIN / "ifm"), "migrate", "--noinput", "-v0"], env=_env(url), cwd=ROOT, check=True
        )
    else:
        _ensure_database(url)
    _setup_django(url)
    seconds = float(os.environ.get("BENCH_POST_SECONDS", "3" if small else "10"))
    runs = int(os.environ.get("BENCH_RUNS", "20"))
    where = "SQLite, small version" if small else url.split("@")[-1]
    print(f"Ledger ({where})")
    _writer_orgs(1 if small else 8)
    _posting(url, "post_entry, 1 writer", WRITER_ORGS[:1], seconds)
    if not small:
        _posting(url, "post_entry, 8 writers on 8 orgs", WRITER_ORGS, seconds)
        _posting(url, "post_entry, 8 writers on one org", WRITER_ORGS[:1] * 8, seconds)
    slug = _dataset(url, 0.02 if small else 1.0)
    ours_ms, ours, _as_of = _reads(slug, runs)
    _hledger(url, slug, ours_ms, ours)


if __name__ == "__main__":
    main()
