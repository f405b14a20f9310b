"""Request latency as production serves it (gunicorn, DEBUG off).

API: GET /api/v1/me and /api/v1/members with a bearer token; pages: the sign-in page and the
signed-in dashboard; health: /healthz and /readyz. Prints p50/p95/p99 and throughput,
sequential and with concurrent clients. BENCH_REQUESTS sets the number of requests.
"""

from __future__ import annotations

import os
import statistics
import threading
import time
from collections.abc import Callable

from bench.server import app_server


def _line(name: str, times: list[float], wall: float, errors: int, extra: str = "") -> None:
    times.sort()
    q = statistics.quantiles(times, n=100)
    print(
        f"  {name:<34}{extra} n={len(times):<5} p50={q[49]:6.1f} ms  p95={q[94]:6.1f} ms"
        f"  p99={q[98]:6.1f} ms  {len(times) / wall:6.0f} req/s  errors={errors}"
    )


def measure(name: str, call: Callable[[], int], n: int) -> None:
    for _ in range(min(20, n)):  # warm-up
        call()
    times, errors = [], 0
    start = time.perf_counter()
    for _ in range(n):
        t0 = time.perf_counter()
        errors += call() >= 400
        times.append((time.perf_counter() - t0) * 1000)
    _line(name, times, time.perf_counter() - start, errors)


def measure_concurrent(
    name: str, make_call: Callable[[], Callable[[], int]], clients: int, per_client: int
) -> None:
    times: list[float] = []
    errors = [0]
    lock = threading.Lock()

    def worker() -> None:
        call = make_call()
        local, bad = [], 0
        for _ in range(per_client):
            t0 = time.perf_counter()
            bad += call() >= 400
            local.append((time.perf_counter() - t0) * 1000)
        with lock:
            times.extend(local)
            errors[0] += bad

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    _line(name, times, time.perf_counter() - start, errors[0], extra=f" c={clients}")


def main() -> None:
    n = int(os.environ.get("BENCH_REQUESTS", "300"))
    with app_server() as app:
        print(f"HTTP latency (gunicorn 2 workers x 4 threads, DEBUG off, database {app.database})")
        auth = {"Authorization": f"Bearer {app.token}"}
        api, anon, page = app.session(), app.session(), app.session()
        page.sign_in()
        measure("GET /healthz", lambda: anon.request("GET", "/healthz")[0], n)
        measure("GET /readyz", lambda: anon.request("GET", "/readyz")[0], n)
        measure("GET /api/v1/me", lambda: api.request("GET", "/api/v1/me", headers=auth)[0], n)
        measure(
            "GET /api/v1/members",
            lambda: api.request("GET", "/api/v1/members", headers=auth)[0],
            n,
        )
        measure("GET /accounts/login/", lambda: anon.request("GET", "/accounts/login/")[0], n)
        measure(
            "GET /o/hope-kitchen/ (dashboard)",
            lambda: page.request("GET", "/o/hope-kitchen/")[0],
            n,
        )

        def api_client() -> Callable[[], int]:
            s = app.session()
            return lambda: s.request("GET", "/api/v1/me", headers=auth)[0]

        measure_concurrent("GET /api/v1/me", api_client, clients=8, per_client=max(10, n // 8))
