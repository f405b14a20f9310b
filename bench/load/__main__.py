"""`python -m bench.load` (`make loadtest`): the seed's Phase-4 load against a production-like app.

Prepares a PostgreSQL database (bench/load/prepare.py; kept between runs, so only the first run
pays for the data), starts gunicorn with production settings behind one (simulated) proxy and
the background worker, runs Locust headless for the set time, then prints p50/p95/p99 per
request name, the error count and the throughput, writes Locust's HTML report under
var/loadtest/, and exits non-zero when a request failed or any p95 passed the hard limit.
The app runs with bench/load/settings.py: production's, but static files found in place and
mail kept in memory. See docs/loadtest.md.
"""

from __future__ import annotations

import argparse
import csv
import os
import secrets
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from bench.server import free_port

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
HARD_LIMIT_MS = 500.0  # the seed's API target: a p95 above it fails the run
API_TARGET_MS = 200.0
PAGE_TARGET_MS = 300.0
DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/ifm_loadtest"


@dataclass(frozen=True)
class Plan:
    duration: int
    users: int
    orgs: int
    scale: float
    donors: int
    think: str
    spawn_rate: float
    year_end_after: int


FULL = Plan(
    duration=600,
    users=300,
    orgs=34,
    scale=1.0,
    donors=40,
    think="5,25",
    spawn_rate=2,  # people arrive over the first minutes, not all in one second
    year_end_after=120,
)
# CI's smoke: the same people and work, fewer of them, a little data, the same limits.
SMOKE = Plan(
    duration=60,
    users=24,
    orgs=2,
    scale=0.002,
    donors=12,
    think="2,8",
    spawn_rate=2,
    year_end_after=20,
)


@dataclass(frozen=True)
class Row:
    name: str
    requests: int
    failures: int
    p50: float
    p95: float
    p99: float
    rps: float

    @property
    def target_ms(self) -> float:
        return PAGE_TARGET_MS if self.name.startswith(("page", "sign-in")) else API_TARGET_MS


@dataclass(frozen=True)
class Result:
    rows: list[Row]
    total: Row
    failures: list[str]
    html: Path

    @property
    def errors(self) -> int:
        return self.total.failures

    @property
    def worst_p95(self) -> float:
        return max((r.p95 for r in self.rows), default=0.0)

    @property
    def passed(self) -> bool:
        return self.errors == 0 and self.worst_p95 < HARD_LIMIT_MS and self.total.requests > 0


def ensure_database(url: str) -> None:
    """Create the load test's database when it is missing (it is kept between runs)."""
    import psycopg

    base, _, name = url.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            return
        conn.execute(f'CREATE DATABASE "{name}"')


def _run(args: list[str], env: dict[str, str]) -> None:
    subprocess.run(args, env=env, cwd=ROOT, check=True)


def _wait_healthy(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2) as resp:  # noqa: S310
                if resp.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.2)
    raise SystemExit(f"The app at {url} did not answer /healthz within {seconds:.0f} s")


def read_stats(prefix: Path, html: Path) -> Result:
    rows: list[Row] = []
    total: Row | None = None
    with open(f"{prefix}_stats.csv", newline="") as f:
        for rec in csv.DictReader(f):
            row = Row(
                name=rec["Name"],
                requests=int(rec["Request Count"]),
                failures=int(rec["Failure Count"]),
                p50=float(rec["50%"] or 0),
                p95=float(rec["95%"] or 0),
                p99=float(rec["99%"] or 0),
                rps=float(rec["Requests/s"] or 0),
            )
            if rec["Name"] == "Aggregated":
                total = row
            else:
                rows.append(row)
    failures = []
    with open(f"{prefix}_failures.csv", newline="") as f:
        for rec in csv.DictReader(f):
            failures.append(f"{rec['Occurrences']} x {rec['Name']}: {rec['Error'][:200]}")
    assert total is not None, "Locust wrote no aggregated figures"
    return Result(
        rows=sorted(rows, key=lambda r: r.name), total=total, failures=failures, html=html
    )


def print_result(result: Result, plan: Plan, out: object = print) -> None:
    say = out if callable(out) else print
    say(f"{'request':<44} {'count':>7} {'fail':>5} {'p50':>6} {'p95':>6} {'p99':>6} {'req/s':>6}")
    for r in [*result.rows, result.total]:
        mark = ""
        if r is not result.total:
            mark = "  over hard limit" if r.p95 >= HARD_LIMIT_MS else ""
            mark = mark or ("  over target" if r.p95 >= r.target_ms else "")
        say(
            f"{r.name[:44]:<44} {r.requests:>7} {r.failures:>5} {r.p50:>6.0f} {r.p95:>6.0f} "
            f"{r.p99:>6.0f} {r.rps:>6.1f}{mark}"
        )
    say("")
    for line in result.failures[:20]:
        say(f"  failed: {line}")
    api = [r for r in result.rows if r.target_ms == API_TARGET_MS]
    pages = [r for r in result.rows if r.target_ms == PAGE_TARGET_MS]
    say(
        f"{plan.users} people, {plan.duration} s: {result.total.requests} requests, "
        f"{result.errors} errors, {result.total.rps:.1f} requests/s; "
        f"worst p95 {result.worst_p95:.0f} ms (API {max((r.p95 for r in api), default=0):.0f}"
        f" ms, target {API_TARGET_MS:.0f}; pages {max((r.p95 for r in pages), default=0):.0f}"
        f" ms, target {PAGE_TARGET_MS:.0f}; hard limit {HARD_LIMIT_MS:.0f})"
    )
    say(f"HTML report: {result.html}")
    say("PASSED" if result.passed else "FAILED: errors, or a p95 over the hard limit")


def run(plan: Plan, database_url: str, name: str = "full", workers: int = 2) -> Result:
    var = ROOT / "var" / "loadtest" / name
    var.mkdir(parents=True, exist_ok=True)
    ensure_database(database_url)
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        IFM_VAR_DIR=str(var / "app"),
        IFM_ENV="production",
        SECRET_KEY="load-" + secrets.token_urlsafe(48),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="0",
        LOG_LEVEL="WARNING",
        # nginx in front (docs/deploy.md): each simulated person has their own address.
        TRUSTED_PROXY_COUNT="1",
        DJANGO_SETTINGS_MODULE="bench.load.settings",
        PYTHONPATH=str(ROOT),
    )
    ifm = str(BIN / "ifm")
    started = time.monotonic()
    print(
        f"Preparing {database_url.rpartition('@')[2]} ({plan.orgs} organizations) ...", flush=True
    )
    _run([ifm, "migrate", "--noinput", "-v0"], env)
    data = var / "data.json"
    _run(
        [
            str(BIN / "python"),
            "-m",
            "bench.load.prepare",
            str(data),
            f"--orgs={plan.orgs}",
            f"--scale={plan.scale}",
            f"--users={plan.users}",
            f"--donors={plan.donors}",
        ],
        env,
    )
    print(f"Ready in {time.monotonic() - started:.0f} s", flush=True)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    gunicorn = [str(BIN / "gunicorn"), "ifm.wsgi", "-b", f"127.0.0.1:{port}", "-w", str(workers)]
    # Idle connections are kept longer than a person's longest think (25 s), as the proxy in
    # front does for browsers: a server closing an idle connection just as the person reuses it
    # resets that request, which no browser behind nginx would see.
    gunicorn += ["--threads", "4", "--timeout", "30", "--keep-alive", "30"]
    gunicorn += ["--log-level", "warning"]
    logs = open(var / "server.log", "w")  # noqa: SIM115  (open while the processes run)
    server = subprocess.Popen(gunicorn, env=env, cwd=ROOT, stdout=logs, stderr=logs)
    worker = subprocess.Popen(
        [ifm, "worker", "--queue-name", "*", "--no-reload"],
        env=env,
        cwd=ROOT,
        stdout=logs,
        stderr=logs,
    )
    prefix = var / "stats"
    html = var / "report.html"
    try:
        _wait_healthy(url)
        locust_env = dict(os.environ)
        locust_env.update(
            IFM_LOAD_DATA=str(data),
            IFM_LOAD_THINK=plan.think,
            IFM_LOAD_YEAR_END_AFTER=str(plan.year_end_after),
        )
        print(f"Running {plan.users} people for {plan.duration} s against {url} ...", flush=True)
        subprocess.run(
            [
                str(BIN / "locust"),
                "-f",
                str(ROOT / "bench" / "load" / "locustfile.py"),
                "--headless",
                "--only-summary",
                "--loglevel=WARNING",
                f"--users={plan.users}",
                f"--spawn-rate={plan.spawn_rate}",
                f"--run-time={plan.duration}s",
                "--stop-timeout=20",
                f"--host={url}",
                f"--csv={prefix}",
                f"--html={html}",
            ],
            env=locust_env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            check=False,
        )
    finally:
        for proc in (server, worker):
            proc.terminate()
        for proc in (server, worker):
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
        logs.close()
    return read_stats(prefix, html)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="CI's 60-second smoke")
    parser.add_argument("--duration", type=int, help="seconds (default 600; smoke 60)")
    parser.add_argument("--users", type=int, help="simulated people (default 300)")
    parser.add_argument("--orgs", type=int, help="organizations (default 34)")
    parser.add_argument("--scale", type=float, help="generate_data scale (default 1)")
    parser.add_argument(
        "--database",
        default=os.environ.get("LOADTEST_DATABASE_URL", DEFAULT_DATABASE),
        help="PostgreSQL URL of the load test's own database (made when missing, then kept)",
    )
    args = parser.parse_args(argv)
    plan = SMOKE if args.smoke else FULL
    changes = {
        "duration": args.duration or int(os.environ.get("LOADTEST_DURATION") or plan.duration),
        "users": args.users or plan.users,
        "orgs": args.orgs or plan.orgs,
        "scale": args.scale or plan.scale,
    }
    plan = Plan(**{**plan.__dict__, **changes})
    if not args.database.startswith("postgres"):
        raise SystemExit("The load test runs on PostgreSQL: give --database postgres://...")
    result = run(plan, args.database, name="smoke" if args.smoke else "full")
    print_result(result, plan)
    sys.exit(0 if result.passed else 1)


if __name__ == "__main__":
    main()
