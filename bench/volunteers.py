"""Volunteer benchmarks: sign-ups racing for the places of one shift, and the server time of
the volunteer pages with 1,000 upcoming shifts, each page beside a floor and printed as a ratio.

PostgreSQL from DATABASE_URL (default postgres://postgres@127.0.0.1:5432/ifm_bench; created and
migrated if missing); without a PostgreSQL URL it runs in a temporary SQLite database (where
writers take turns on the database lock, so the race runs with fewer threads). Each run uses a
new organization. BENCH_QUICK=1 runs a small version in seconds (the test suite runs it so the
benchmark cannot rot); the targets are for the full sizes.

(a) 200 sign-ups for a shift with 50 places, from BENCH_VOLUNTEER_WORKERS threads at once (50 by
    default: each thread holds its own connection, and PostgreSQL allows 100 by default), each
    through `sign_up` in its own transaction, released together by a barrier. Expected: exactly
    50 confirmed and 150 waitlisted, never more than 50 confirmed at any moment (a watcher
    counts them throughout). Target: under 5 s.
(b) server time (Django's request handler in this process, signed in as a volunteer
    coordinator, median of BENCH_RUNS requests) of the shift list with 1,000 upcoming shifts
    (about 5 sign-ups each). Target: under 50 ms. Floor: a bare Django view behind the same
    middleware.
(c) the public sign-up page (`volunteer_public:home`) and the kiosk (`volunteers:kiosk`) with the
    same shifts: measured once those pages exist (skipped, and said so, while they do not).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from bench.banking import BenchError, Figure, _expect
from bench.ledger import DEFAULT_URL, _ensure_database, _env, _setup_django
from bench.server import BIN, ROOT

RACE_TARGET_S = 5.0
PAGE_TARGET_S = 0.050
# The pages other areas build, measured when they exist: (label, URL name, with the kiosk's
# own session or the signed-in coordinator's).
OTHER_PAGES = (
    ("public sign-up page", "volunteer_public:home"),
    ("kiosk page", "volunteers:kiosk"),
)


@dataclass(frozen=True)
class Sizes:
    signups: int = 200
    places: int = 50
    workers: int = 50
    shifts: int = 1_000
    signups_per_shift: int = 5
    runs: int = 20


FULL = Sizes()
QUICK = Sizes(signups=40, places=10, workers=8, shifts=100, signups_per_shift=2, runs=5)


@dataclass
class Setup:
    org: Any
    user: Any
    who: dict[str, Any]


def _setup(slug: str) -> Setup:
    from django.contrib.auth import get_user_model

    from ifm.accounts.services import membership_set
    from ifm.core.org_context import org_context
    from ifm.orgs.services import organization_create
    from ifm.tenancy.models import Membership

    org = organization_create(slug=slug, name=f"Benchmark volunteers {slug}")
    user = get_user_model().objects.create_user(
        email=f"{slug}@bench.test", password=None, full_name="Bench Coordinator"
    )
    membership_set(organization=org, user=user, role="volunteer_coordinator")
    with org_context(org):
        access = Membership.objects.get(organization=org, user=user)
    return Setup(org=org, user=user, who={"organization": org, "actor": user, "access": access})


def _volunteers(setup: Setup, count: int, prefix: str) -> list[Any]:
    from ifm.volunteers.models import Volunteer, VolunteerStatus

    return Volunteer.objects.bulk_create(
        Volunteer(
            organization=setup.org,
            first_name=f"Bench {i}",
            last_name=prefix,
            email=f"{prefix}{i}@{setup.org.slug}.bench",
            status=VolunteerStatus.ACTIVE,
        )
        for i in range(count)
    )


def _opportunity(setup: Setup, title: str) -> Any:
    from ifm.volunteers.shifts.services import opportunity_create

    return opportunity_create(**setup.who, title=title, location="Main hall")


# --- (a) the race ----------------------------------------------------------------------------


def bench_race(setup: Setup, sizes: Sizes, workers: int) -> Figure:
    from django.utils import timezone

    from ifm.volunteers.shifts.services import shift_create
    from ifm.volunteers.signups.tests.race import race

    opportunity = _opportunity(setup, "Race")
    start = (timezone.now() + timedelta(days=2)).replace(minute=0, second=0, microsecond=0)
    shift = shift_create(
        **setup.who,
        opportunity=opportunity,
        starts_at=start,
        ends_at=start + timedelta(hours=3),
        capacity=sizes.places,
    )
    people = _volunteers(setup, sizes.signups, "race")
    # The floor: the same sign-ups one after the other, on a shift of their own.
    floor_shift = shift_create(
        **setup.who,
        opportunity=opportunity,
        starts_at=start + timedelta(days=1),
        ends_at=start + timedelta(days=1, hours=3),
        capacity=sizes.places,
    )
    floor_people = _volunteers(setup, sizes.signups, "floor")
    floor = race(who=setup.who, shift=floor_shift, volunteers=floor_people, workers=1)

    result = race(who=setup.who, shift=shift, volunteers=people, workers=workers)
    waitlisted = sizes.signups - sizes.places
    _expect(not result.errors, f"the race failed: {result.errors[:3]}")
    _expect(not result.refusals, f"sign-ups refused: {result.refusals[:3]}")
    _expect(
        result.final.get("confirmed") == sizes.places
        and result.final.get("waitlisted") == waitlisted,
        f"{result.final} after the race, not {sizes.places} confirmed and {waitlisted} waitlisted",
    )
    _expect(
        result.max_confirmed_seen <= sizes.places,
        f"{result.max_confirmed_seen} confirmed seen at once for {sizes.places} places",
    )
    return Figure(
        f"{sizes.signups} sign-ups for {sizes.places} places, {workers} threads",
        result.seconds,
        floor.seconds,
        RACE_TARGET_S,
        f"{result.final['confirmed']} confirmed, {result.final['waitlisted']} waitlisted, "
        f"at most {result.max_confirmed_seen} seen; floor: one thread",
    )


# --- (b) and (c) pages -----------------------------------------------------------------------


def _many_shifts(setup: Setup, sizes: Sizes) -> None:
    """`sizes.shifts` upcoming shifts over the next weeks, on public opportunities, each with
    about `signups_per_shift` confirmed sign-ups (written straight to the tables)."""
    from django.utils import timezone

    from ifm.volunteers.models import Shift, SignUp, SignUpStatus

    opportunities = [_opportunity(setup, f"Opportunity {i}") for i in range(10)]
    people = _volunteers(setup, 200, "page")
    first = (timezone.now() + timedelta(days=1)).replace(minute=0, second=0, microsecond=0)
    shifts = Shift.objects.bulk_create(
        Shift(
            organization=setup.org,
            opportunity=opportunities[i % len(opportunities)],
            starts_at=first + timedelta(hours=3 * i),
            ends_at=first + timedelta(hours=3 * i + 2),
            capacity=10,
        )
        for i in range(sizes.shifts)
    )
    now = timezone.now()
    SignUp.objects.bulk_create(
        SignUp(
            organization=setup.org,
            shift=shift,
            volunteer=people[(i * sizes.signups_per_shift + k) % len(people)],
            status=SignUpStatus.CONFIRMED,
            signed_up_at=now,
            confirmed_at=now,
        )
        for i, shift in enumerate(shifts)
        for k in range(sizes.signups_per_shift)
    )


def _median_request(client: Any, url: str, runs: int) -> tuple[float, int]:
    status = 0
    for _ in range(2):  # warm-up: the first request of a process imports and compiles
        status = client.get(url).status_code
    if status != 200:
        return 0.0, status
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        client.get(url)
        times.append(time.perf_counter() - t0)
    return statistics.median(times), status


def bench_pages(setup: Setup, sizes: Sizes, out: Callable[[str], None]) -> list[Figure]:
    from django.test import Client, override_settings
    from django.urls import NoReverseMatch, reverse

    from bench.banking import _maintain
    from bench.urls import FLOOR_PATH

    _many_shifts(setup, sizes)
    _maintain()
    slug = setup.org.slug
    figures = []
    with override_settings(ROOT_URLCONF="bench.urls"):
        client = Client()
        client.force_login(setup.user, backend="django.contrib.auth.backends.ModelBackend")
        floor_s, _ = _median_request(client, FLOOR_PATH, sizes.runs)
        url = reverse("volunteers:shift_list", kwargs={"org_slug": slug})
        took, status = _median_request(client, url, sizes.runs)
        _expect(status == 200, f"GET {url} answered {status}")
        figures.append(
            Figure(
                f"shift list, {sizes.shifts:,} upcoming shifts",
                took,
                floor_s,
                PAGE_TARGET_S,
                f"median of {sizes.runs}",
            )
        )
        # --- The public sign-up page and the kiosk (built by their own areas) ---------------
        for label, name in OTHER_PAGES:
            try:
                url = reverse(name, kwargs={"org_slug": slug})
            except NoReverseMatch:
                out(f"  {label:<52} skipped: no page named {name} yet")
                continue
            took, status = _median_request(client, url, sizes.runs)
            if status != 200:
                out(f"  {label:<52} skipped: {url} answered {status} to the coordinator")
                continue
            figures.append(
                Figure(
                    f"{label}, {sizes.shifts:,} upcoming shifts",
                    took,
                    floor_s,
                    PAGE_TARGET_S,
                    f"median of {sizes.runs}",
                )
            )
    return figures


# --- running ---------------------------------------------------------------------------------


def run(
    sizes: Sizes,
    *,
    slug: str | None = None,
    workers: int | None = None,
    out: Callable[[str], None] = print,
) -> list[Figure]:
    """Every measurement, each part in a new organization of its own; prints each line."""
    from ifm.core.org_context import org_context

    slug = slug or f"bench-volunteers-{int(time.time())}"
    out(f"  {'':<52} {'time':>9}  {'floor':>15}  {'ratio':>14}")
    figures: list[Figure] = []
    setup = _setup(f"{slug}-race")
    with org_context(setup.org):
        figure = bench_race(setup, sizes, workers or sizes.workers)
    out(figure.line())
    figures.append(figure)
    setup = _setup(f"{slug}-pages")
    with org_context(setup.org):
        for figure in bench_pages(setup, sizes, out):
            out(figure.line())
            figures.append(figure)
    return figures


def main() -> None:
    url = os.environ.get("DATABASE_URL") or DEFAULT_URL
    quick = os.environ.get("BENCH_QUICK", "") not in ("", "0")
    postgres = url.startswith(("postgres://", "postgresql://"))
    if not postgres:
        url = f"sqlite:///{tempfile.mkdtemp(prefix='ifm-bench-volunteers-')}/bench.sqlite3"
        subprocess.run(
            [str(BIN / "ifm"), "migrate", "--noinput", "-v0"], env=_env(url), cwd=ROOT, check=True
        )
    else:
        _ensure_database(url)
    _setup_django(url)
    sizes = QUICK if quick else FULL
    runs = int(os.environ.get("BENCH_RUNS", str(sizes.runs)))
    workers = int(os.environ.get("BENCH_VOLUNTEER_WORKERS", "0")) or (
        sizes.workers if postgres else 4
    )
    sizes = Sizes(**{**sizes.__dict__, "runs": runs})
    where = url.split("@")[-1] if postgres else "SQLite"
    print(f"Volunteers ({where}{', quick' if quick else ''})")
    try:
        run(sizes, workers=workers)
    except BenchError as exc:
        print(f"  FAILED: {exc}")
        raise


if __name__ == "__main__":
    main()
