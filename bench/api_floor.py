"""The API beside the framework's floor, in one run under the same gunicorn (production settings).

The floor is a bare Django view (bench.urls, mounted only by bench.settings) that reads 25 rows of
a table and answers them as JSON through the same middleware. Each authenticated endpoint is
measured with a bearer token by BENCH_CLIENTS threads (default 6), each on its own keep-alive
connection, for BENCH_SECONDS seconds (default 3): requests/s, p50/p99 and the ratio to the floor.
Targets (docs/performance.md): a 25-row list at least 0.25 of the floor, /api/v1/me at least 0.4.
A plain-text view with no query shows the ceiling of the server and this client together.

PostgreSQL from DATABASE_URL when set (row-level security on), else SQLite;
BENCH_REUSE_DB=1 reuses a database an earlier run seeded.
"""

from __future__ import annotations

import json
import os
import statistics
import threading
import time
from dataclasses import dataclass

from bench.server import App, Session, app_server

FLOOR_PATH = "/__bench__/floor/"  # bench.urls (it needs Django set up to import)
JSON_FLOOR_PATH = "/__bench__/floor.json"

LIST_TARGET = 0.25
ME_TARGET = 0.4
PAGE = 25


@dataclass
class Result:
    name: str
    rps: float
    p50: float
    p99: float
    errors: int
    rows: int | None = None


def hammer(app: App, name: str, path: str, headers: dict[str, str], seconds: float) -> Result:
    clients = int(os.environ.get("BENCH_CLIENTS", "6"))
    times: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop_at = [0.0]
    ready = threading.Barrier(clients + 1)

    def worker() -> None:
        session = app.session()
        for _ in range(5):  # warm-up: connection, worker caches
            session.request("GET", path, headers=headers)
        local: list[float] = []
        bad = 0
        ready.wait()
        while time.perf_counter() < stop_at[0]:
            t0 = time.perf_counter()
            status, _ = session.request("GET", path, headers=headers)
            local.append((time.perf_counter() - t0) * 1000)
            bad += status >= 400
        with lock:
            times.extend(local)
            errors[0] += bad

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for t in threads:
        t.start()
    stop_at[0] = time.perf_counter() + 3600
    ready.wait()
    start = time.perf_counter()
    stop_at[0] = start + seconds
    for t in threads:
        t.join()
    wall = time.perf_counter() - start
    q = statistics.quantiles(sorted(times), n=100)
    return Result(name, len(times) / wall, q[49], q[98], errors[0])


def _first_id(session: Session, path: str, headers: dict[str, str]) -> tuple[int | None, int]:
    status, body = session.request("GET", path, headers=headers)
    if status != 200:
        return None, 0
    items = json.loads(body).get("items", [])
    return (items[0]["id"] if items else None), len(items)


def endpoints(app: App, headers: dict[str, str]) -> list[tuple[str, str, int, str]]:
    """(kind, path, rows, target) for each endpoint measured: lists with their detail."""
    session = app.session()
    out: list[tuple[str, str, int, str]] = [("me", "/api/v1/me", 1, "me")]
    lists = [
        ("/api/v1/donors", "/api/v1/donors/{}"),
        ("/api/v1/donations", "/api/v1/donations/{}"),
        ("/api/v1/accounts", "/api/v1/accounts/{}"),
        ("/api/v1/journal-entries", "/api/v1/journal-entries/{}"),
        ("/api/v1/expenses", "/api/v1/expenses/{}"),
        ("/api/v1/bank-accounts", "/api/v1/bank-accounts/{}"),
        ("/api/v1/volunteers", "/api/v1/volunteers/{}"),
        ("/api/v1/shifts", "/api/v1/shifts/{}"),
    ]
    for list_path, detail in lists:
        path = f"{list_path}?limit={PAGE}"
        first, rows = _first_id(session, path, headers)
        out.append(("list", path, rows, "list"))
        if first is not None:
            out.append(("detail", detail.format(first), 1, ""))
        if list_path == "/api/v1/bank-accounts" and first is not None:
            statements = f"/api/v1/bank-accounts/{first}/statements?limit={PAGE}"
            _, rows = _first_id(session, statements, headers)
            out.append(("list", statements, rows, "list"))
    return out


def main() -> None:
    seconds = float(os.environ.get("BENCH_SECONDS", "3"))
    with app_server(settings_module="bench.settings") as app:
        clients = int(os.environ.get("BENCH_CLIENTS", "6"))
        print(
            f"API beside the floor (gunicorn 2 workers x 4 threads, production settings, "
            f"database {app.database}; {clients} keep-alive clients, {seconds:g} s each)"
        )
        auth = {"Authorization": f"Bearer {app.token}"}
        ceiling = hammer(app, "plain text, no query", FLOOR_PATH, {}, seconds)
        floor = hammer(app, f"floor: bare Django, {PAGE} JSON rows", JSON_FLOOR_PATH, {}, seconds)
        header = f"  {'endpoint':<52} {'rows':>4} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7}"
        print(header + f" {'ratio':>6}  target")

        def line(r: Result, rows: object, target: str) -> None:
            ratio = r.rps / floor.rps
            mark = ""
            if target == "list":
                mark = f"{LIST_TARGET:.2f} {'met' if ratio >= LIST_TARGET else 'MISSED'}"
            elif target == "me":
                mark = f"{ME_TARGET:.2f} {'met' if ratio >= ME_TARGET else 'MISSED'}"
            errors = f"  errors={r.errors}" if r.errors else ""
            print(
                f"  {r.name:<52} {rows!s:>4} {r.rps:7.0f} {r.p50:7.2f} {r.p99:7.2f}"
                f" {ratio:6.2f}  {mark}{errors}"
            )

        line(ceiling, "-", "")
        line(floor, PAGE, "")
        for _kind, path, rows, target in endpoints(app, auth):
            line(hammer(app, "GET " + path, path, auth, seconds), rows, target)
