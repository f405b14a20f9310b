"""Usage counting and the rollout metrics (docs/usage-metrics.md).

(a) what counting a request costs: `record_request` (the one place a request is counted) called
    in this process for a signed-in user's request to a feature's route, with the usage count
    and without it, median of several rounds of BENCH_USAGE_CALLS calls each, side by side.
    Target: the usage count adds under 0.2 ms (it adds about a microsecond).
(b) the metrics for 34 organizations over 90 days: `usage_metrics` over a window filled with
    what 300 people would leave (each member active on most weekdays, a few features a day,
    page loads and request minutes), median of BENCH_RUNS runs. Target: under 300 ms.
(c) the rollout console's metrics page (/platform/rollout/metrics/) for the same 34
    organizations over the same 90 days, placed in the plan's phases (3 in the pilot, 10 in
    the limited release, the rest in full production): every figure beside its target, per
    organization and per phase, and the seven charts, through the test client as platform
    staff, median of BENCH_RUNS runs. Target: under 300 ms.

PostgreSQL from DATABASE_URL (default postgres://postgres@127.0.0.1:5432/ifm_bench; created and
migrated if missing); otherwise a temporary SQLite database. Each run writes its own
organizations (slugs bench-usage-*), and removes their usage rows first. BENCH_QUICK=1 runs a
small version in seconds (the test suite runs it so the benchmark cannot rot).
"""

from __future__ import annotations

import os
import random
import statistics
import subprocess
import tempfile
import time
from datetime import datetime, timedelta
from datetime import time as dtime
from typing import Any

from bench.ledger import DEFAULT_URL, _ensure_database, _env, _setup_django
from bench.server import BIN, ROOT

COUNT_TARGET_MS = 0.2
METRICS_TARGET_MS = 300.0


def _fake_request(user: Any, org: Any) -> Any:
    from django.test import RequestFactory
    from django.urls import resolve

    request = RequestFactory().post(f"/o/{org.slug}/donors/new/")
    request.resolver_match = resolve(f"/o/{org.slug}/donors/new/")
    request.user = user
    vars(request)["org"] = org
    return request


def count_cost(calls: int, rounds: int) -> tuple[float, float]:
    """Microseconds per `record_request`, with the usage count and without it."""
    from django.http import HttpResponseRedirect

    from ifm.ops import requests as request_counts
    from ifm.ops import usage
    from ifm.tenancy.models import Organization

    class Member:  # what record_request reads of the signed-in user
        pk = 1
        is_authenticated = True

    org = Organization.objects.order_by("pk").first()
    request = _fake_request(Member(), org)
    response = HttpResponseRedirect("/")
    real = usage.count_request

    def one_round() -> float:
        start = time.perf_counter()
        for _ in range(calls):
            request_counts.record_request(request, response, 0.004)
        return (time.perf_counter() - start) / calls * 1e6

    with_usage, without = [], []
    try:
        for _ in range(rounds):
            usage.count_request = real
            with_usage.append(one_round())
            usage.count_request = lambda **kwargs: None
            without.append(one_round())
    finally:
        usage.count_request = real
        request_counts.discard_buffer()
    return statistics.median(with_usage), statistics.median(without)


def fill(orgs: int, members: int, days: int) -> list[int]:
    """Organizations with members' usage, page loads and request minutes over `days` days."""
    from django.db import connection

    from ifm.ops.models import (
        BUCKET_FIELDS,
        PAGE_LOAD_FIELDS,
        PageLoadDay,
        RequestMinute,
        UsageDay,
    )
    from ifm.orgs.services import organization_create
    from ifm.tenancy import modules
    from ifm.tenancy.models import Organization

    rng = random.Random(7)
    stamp = int(time.time())
    features = [f.key for m in modules.all_modules() for f in m.features]
    tasks = [f.key for m in modules.all_modules() for f in m.features if f.starts]
    ids = []
    for i in range(orgs):
        org = organization_create(slug=f"bench-usage-{stamp}-{i}", name=f"Bench usage {i}")
        ids.append(int(org.pk))
    Organization.objects.filter(slug__startswith="bench-usage-").exclude(pk__in=ids).update(
        is_active=False
    )
    from django.utils import timezone

    today = timezone.localdate()
    usage_rows, load_rows, minute_rows = [], [], []
    for org_id in ids:
        for d in range(days):
            day = today - timedelta(days=d)
            if day.weekday() >= 5:
                continue
            for user in range(members):
                if rng.random() < 0.2:
                    continue
                uid = 1_000_000 + org_id * 100 + user
                usage_rows.append(
                    UsageDay(
                        day=day,
                        organization_id=org_id,
                        user_id=uid,
                        feature="active",
                        count=rng.randint(5, 60),
                    )
                )
                for key in rng.sample(features, 3):
                    usage_rows.append(
                        UsageDay(
                            day=day,
                            organization_id=org_id,
                            user_id=uid,
                            feature=key,
                            count=rng.randint(1, 5),
                        )
                    )
                task = rng.choice(tasks)
                usage_rows.append(
                    UsageDay(
                        day=day,
                        organization_id=org_id,
                        user_id=uid,
                        feature=task + ":start",
                        count=rng.randint(1, 4),
                    )
                )
            for route in ("donors:donor_list", "donors:donation_new", "ledger:ledger_home"):
                buckets = {name: rng.randint(0, 9) for name in PAGE_LOAD_FIELDS}
                load_rows.append(
                    PageLoadDay(
                        day=day,
                        organization_id=org_id,
                        route=route,
                        count=sum(buckets.values()),
                        **buckets,
                    )
                )
            # Request minutes: a busy hour's worth a day per organization.
            for minute in range(60):
                at = timezone.make_aware(datetime.combine(day, dtime(10, minute)))
                if at >= timezone.now() - timedelta(days=35):
                    n = rng.randint(1, 30)
                    minute_rows.append(
                        RequestMinute(
                            minute=at,
                            route="api:donor_list",
                            method="GET",
                            status_class="2xx",
                            organization_id=org_id,
                            count=n,
                            duration_ms_sum=n * 8.0,
                            **{name: (n if name == "le_25" else 0) for name in BUCKET_FIELDS},
                        )
                    )
    UsageDay.objects.bulk_create(usage_rows, batch_size=5000)
    PageLoadDay.objects.bulk_create(load_rows, batch_size=5000)
    RequestMinute.objects.bulk_create(minute_rows, batch_size=5000, ignore_conflicts=True)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "ANALYZE ops_usageday; ANALYZE ops_pageloadday; ANALYZE ops_requestminute"
            )
    print(
        f"  filled: {len(usage_rows):,} usage rows, {len(load_rows):,} page-load rows, "
        f"{len(minute_rows):,} request minutes"
    )
    return ids


def metrics_time(ids: list[int], days: int, runs: int) -> float:
    from django.utils import timezone

    from ifm.ops.usage_metrics import usage_metrics

    end = timezone.localdate()
    start = end - timedelta(days=days - 1)
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        usage_metrics(organization_ids=ids, start=start, end=end)
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def page_time(ids: list[int], days: int, runs: int) -> tuple[float, int]:
    """Milliseconds the metrics page takes (median), and how many organizations it showed."""
    from django.test import Client
    from django.utils import timezone

    from ifm.accounts.models import User
    from ifm.conftest import record_second_factor
    from ifm.rollout.defaults import ensure_default_phases
    from ifm.rollout.models import OrganizationRollout, Phase
    from ifm.tenancy.models import Organization

    ensure_default_phases()
    phases = {p.slug: p for p in Phase.objects.all()}
    for i, org_id in enumerate(ids):
        slug = "pilot" if i < 3 else "limited-release" if i < 13 else "full-production"
        OrganizationRollout.objects.update_or_create(
            organization_id=org_id, defaults={"phase": phases[slug]}
        )
    staff, _ = User.objects.get_or_create(
        email="bench-rollout@ifm.test", defaults={"is_platform_staff": True}
    )
    client = Client()
    client.force_login(staff, backend="django.contrib.auth.backends.ModelBackend")
    record_second_factor(client, staff)
    end = timezone.localdate()
    url = f"/platform/rollout/metrics/?start={end - timedelta(days=days - 1)}&end={end}"
    times = []
    for _ in range(runs + 1):  # the first run warms the templates
        t0 = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - t0) * 1000)
        if response.status_code != 200:
            raise AssertionError(f"GET {url} answered {response.status_code}")
    shown = Organization.objects.filter(is_active=True).count()
    return statistics.median(times[1:]), shown


def main() -> None:
    url = os.environ.get("DATABASE_URL") or DEFAULT_URL
    quick = os.environ.get("BENCH_QUICK", "") not in ("", "0")
    postgres = url.startswith(("postgres://", "postgresql://"))
    if not postgres:
        url = f"sqlite:///{tempfile.mkdtemp(prefix='ifm-bench-usage-')}/bench.sqlite3"
        subprocess.run(
            [str(BIN / "ifm"), "migrate", "--noinput", "-v0"], env=_env(url), cwd=ROOT, check=True
        )
    else:
        _ensure_database(url)
    _setup_django(url)
    from ifm.core.org_context import all_organizations

    orgs, members, days = (3, 5, 10) if quick else (34, 9, 90)
    calls = 2_000 if quick else 20_000
    runs = int(os.environ.get("BENCH_RUNS", "3" if quick else "7"))
    where = url.split("@")[-1] if postgres else "SQLite"
    print(f"Usage counting and the rollout metrics ({where}{', quick' if quick else ''})")
    with all_organizations():
        ids = fill(orgs, members, days)
        with_usage, without = count_cost(calls, rounds=5)
        added_ms = (with_usage - without) / 1000
        verdict = "met" if added_ms < COUNT_TARGET_MS else "MISSED"
        print(
            f"  record_request: {with_usage:.1f} us with usage, {without:.1f} us without; "
            f"usage adds {added_ms * 1000:.1f} us (target < {COUNT_TARGET_MS * 1000:.0f} us): "
            f"{verdict}"
        )
        took = metrics_time(ids, days, runs)
        verdict = "met" if took < METRICS_TARGET_MS else "MISSED"
        print(
            f"  metrics, {orgs} organizations over {days} days: median {took:.0f} ms "
            f"(target < {METRICS_TARGET_MS:.0f} ms): {verdict}"
        )
        took, shown = page_time(ids, days, runs)
        verdict = "met" if took < METRICS_TARGET_MS else "MISSED"
        print(
            f"  rollout metrics page, {shown} organizations over {days} days: median "
            f"{took:.0f} ms (target < {METRICS_TARGET_MS:.0f} ms): {verdict}"
        )


if __name__ == "__main__":
    main()
