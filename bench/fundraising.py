"""Fundraising report benchmarks: every fundraising report and drill-down of a large
organization, and the reports home with its tie-out check, each beside a floor.

PostgreSQL from DATABASE_URL (default postgres://postgres@127.0.0.1:5432/ifm_bench_fund; created
and migrated if missing); without a PostgreSQL URL a tiny version runs in a temporary SQLite
database, so the benchmark cannot rot. BENCH_RUNS (30) runs of each read.

The organization (made once, reused while it is there and complete): BENCH_FUND_DONORS
(20,000) donors and BENCH_FUND_GIFTS (100,000) gifts over BENCH_FUND_YEARS (6) years to today,
with a July fiscal year, three funds, two campaigns a year with goals and their appeals, appeals
of no campaign, and some gifts voided. Donors and gifts go through the donor import as a person's
files would (the import's bulk writer: each gift its own balanced journal entry, the giving
summaries rewritten), the voids through `donation_void` (each reversing its entry), and one manual
journal entry to a contribution account makes the tie-out show a difference with its item.
Then ANALYZE (and VACUUM, outside a transaction), as autovacuum would.

(a) p50 and p95 server time, in this process, of each fundraising report's selector (the page's
    default filters, and the widest a person may ask for; LYBUNT and SYBUNT whole, as their files
    and API read them, and a page of them, as their pages do) and of the first page of each kind
    of drill-down (fifty donors and their count). Target: each under 100 ms. Floor: the simplest
    aggregate of the same gifts (their count and sum over the report's period).
(b) the reports home's tie-out check (`tie_summary`, the fiscal year to date) and the tie-out
    report itself. Target: under 200 ms. Floor: the sum of the same gifts.
(c) the reports home and each fundraising report's page, through Django's request handler in
    this process, signed in as an admin. Target: as above. Floor: a bare Django view behind the
    same middleware.
"""

from __future__ import annotations

import csv
import io
import os
import random
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from bench.donor_search import FIRST, LAST
from bench.ledger import _ensure_database, _env, _setup_django, _timed
from bench.server import BIN, ROOT

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/ifm_bench_fund"
REPORT_TARGET_MS = 100.0
HOME_TARGET_MS = 200.0
MARKER_ACTION = "bench.fundraising"
FUNDS = [("GEN", 80), ("YOUTH", 12), ("SCHOL", 8)]
METHODS = [("Check", 35), ("Credit Card", 33), ("Online", 25), ("Cash", 6), ("In-kind", 1)]


@dataclass(frozen=True)
class Sizes:
    donors: int = 20_000
    gifts: int = 100_000
    years: int = 6
    voided: int = 300
    runs: int = 30
    page_runs: int = 15

    @property
    def slug(self) -> str:
        return f"fund-{self.donors}-{self.gifts}-{self.years}"


QUICK = Sizes(donors=200, gifts=1_000, years=6, voided=5, runs=3, page_runs=2)


def sizes_from_env() -> Sizes:
    return Sizes(
        donors=int(os.environ.get("BENCH_FUND_DONORS", "20000")),
        gifts=int(os.environ.get("BENCH_FUND_GIFTS", "100000")),
        years=int(os.environ.get("BENCH_FUND_YEARS", "6")),
        runs=int(os.environ.get("BENCH_RUNS", "30")),
    )


@dataclass(frozen=True)
class Figure:
    """A read's p50 and p95 beside its floor's p95."""

    name: str
    p50_ms: float
    p95_ms: float
    floor_p95_ms: float
    target_ms: float

    @property
    def ratio(self) -> float:
        return self.p95_ms / self.floor_p95_ms if self.floor_p95_ms else float("inf")

    @property
    def met(self) -> bool:
        return self.p95_ms < self.target_ms

    def line(self) -> str:
        mark = "ok" if self.met else "MISSED"
        return (
            f"  {self.name:<50} p50={self.p50_ms:7.1f} ms  p95={self.p95_ms:7.1f} ms"
            f"  floor p95={self.floor_p95_ms:6.1f} ms  ratio {self.ratio:6.1f}"
            f"  (target < {self.target_ms:.0f} ms: {mark})"
        )


# --- the organization ------------------------------------------------------------------------


def _weighted(rng: random.Random, choices: list[tuple[str, int]]) -> str:
    return rng.choices([c for c, _ in choices], weights=[w for _, w in choices])[0]


def _donors_csv(count: int, rng: random.Random) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["LGL Constituent ID", "First Name", "Last Name", "Email", "Zip"])
    for i in range(count):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        email = f"{first}.{last}.{i}@example.org".lower()
        writer.writerow([f"C{i}", first, last, email, f"{i % 99999:05d}"])
    return out.getvalue().encode()


def _amount(rng: random.Random, major: bool) -> Decimal:
    if major:
        return Decimal(rng.choice((1000, 1500, 2500, 5000, 10000, 25000)))
    dollars = min(int(rng.lognormvariate(4.2, 1.0)) + 5, 9_500)
    cents = rng.choice((0, 0, 0, 0, 50, rng.randrange(100)))
    return Decimal(dollars) + Decimal(cents) / 100


def _gift_dates(sizes: Sizes, first: date, last: date, rng: random.Random) -> list[list[date]]:
    """Per donor, the dates of their gifts: each donor starts in some year, then gives again
    each later year with a chance of their own (a few give every month); trimmed or topped up
    at random to `sizes.gifts` in all."""
    years = list(range(first.year, last.year + 1))
    span_days = (last - first).days

    def day_in(year: int) -> date:
        low = max(first, date(year, 1, 1))
        high = min(last, date(year, 12, 31))
        return low + timedelta(days=rng.randrange((high - low).days + 1))

    per_donor: list[list[date]] = []
    for _ in range(sizes.donors):
        start = rng.choices(years, weights=[3 if y == years[0] else 2 for y in years])[0]
        loyalty = rng.betavariate(2, 2)
        monthly = rng.random() < 0.03
        dates = []
        for year in years[years.index(start) :]:
            if year != start and rng.random() > loyalty:
                continue
            count = 12 if monthly else 1 + int(rng.expovariate(1.2))
            dates += [day_in(year) for _ in range(count)]
        per_donor.append(dates)
    total = sum(len(d) for d in per_donor)
    while total > sizes.gifts:  # trim at random
        donor = rng.randrange(sizes.donors)
        if len(per_donor[donor]) > 1:
            per_donor[donor].pop(rng.randrange(len(per_donor[donor])))
            total -= 1
    while total < sizes.gifts:  # top up at random
        donor = rng.randrange(sizes.donors)
        per_donor[donor].append(first + timedelta(days=rng.randrange(span_days + 1)))
        total += 1
    return per_donor


def _gifts_csv(sizes: Sizes, first: date, last: date, rng: random.Random) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "LGL Gift ID",
            "LGL Constituent ID",
            "Gift Amount",
            "Gift date",
            "Payment type",
            "Check/Reference No.",
            "Fund",
            "Campaign",
            "Appeal",
            "Description",
        ]
    )
    majors = set(rng.sample(range(sizes.donors), max(1, sizes.donors // 100)))
    rows = []
    for donor, dates in enumerate(_gift_dates(sizes, first, last, rng)):
        for on in dates:
            rows.append((on, donor))
    rows.sort()
    for n, (on, donor) in enumerate(rows):
        method = _weighted(rng, METHODS)
        campaign = appeal = ""
        pick = rng.random()
        if pick < 0.55:
            campaign = f"Annual fund {on.year}"
            appeal = rng.choice(("", f"Year-end letter {on.year}", f"Spring email {on.year}"))
        elif pick < 0.70:
            campaign = f"Spring gala {on.year}"
            appeal = rng.choice(("", f"Gala tickets {on.year}"))
        elif pick < 0.80:
            appeal = rng.choice(("Website", "Memorial gifts"))
        writer.writerow(
            [
                f"G{n}",
                f"C{donor}",
                str(_amount(rng, donor in majors and rng.random() < 0.5)),
                on.isoformat(),
                method,
                str(1000 + n) if method == "Check" else "",
                _weighted(rng, FUNDS),
                campaign,
                appeal,
                "Food for the pantry" if method == "In-kind" else "",
            ]
        )
    return out.getvalue().encode()


def _import(who: dict[str, Any], kind: str, data: bytes) -> Any:
    from ifm.core.org_context import org_context
    from ifm.donors.imports.services import import_start
    from ifm.donors.imports.tasks import import_commit_job

    result, run, _earlier = import_start(
        **who, kind=kind, data=data, filename=f"{kind}.csv", dry_run=False
    )
    if run is None or (result is not None and result.problems):
        problems = result.problems[:5] if result is not None else []
        raise SystemExit(f"{kind} import refused: {problems}")
    org = who["organization"]
    import_commit_job.call(organization_id=org.pk, run_id=run.pk)
    with org_context(org):
        run.refresh_from_db()
    if run.status != "done":
        raise SystemExit(f"{kind} import failed: {run.errors[:5]}")
    return run


def _complete(slug: str) -> Any:
    """The organization if it is there and was finished; SystemExit if it is half made."""
    from ifm.audit.models import AuditEvent
    from ifm.core.org_context import org_context
    from ifm.tenancy.models import Organization

    org = Organization.objects.filter(slug=slug).first()
    if org is None:
        return None
    with org_context(org):
        if AuditEvent.objects.filter(organization=org, action=MARKER_ACTION).exists():
            return org
    raise SystemExit(
        f"Organization {slug} was not finished (an interrupted run): drop the benchmark's "
        "database and run again."
    )


def build(sizes: Sizes, out: Callable[[str], None] = print) -> Any:
    """The benchmark's organization, made unless it is there already."""
    org = _complete(sizes.slug)
    if org is not None:
        out(f"  dataset: reused ({sizes.donors:,} donors, {sizes.gifts:,} gifts)")
        return org

    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from ifm.accounts.services import membership_set
    from ifm.audit.services import audit_record
    from ifm.core.org_context import org_context
    from ifm.donors.gifts.services import donation_void
    from ifm.donors.models import Appeal, Campaign, Donation
    from ifm.ledger.chart.selectors import account_by_role
    from ifm.ledger.journal.posting import LineInput, post_entry
    from ifm.ledger.models import Fund, Restriction
    from ifm.ledger.periods.services import fiscal_year_ensure
    from ifm.orgs.services import organization_create
    from ifm.tenancy.models import Membership

    t0 = time.perf_counter()
    rng = random.Random(11)
    last = timezone.localdate()
    first = date(last.year - sizes.years + 1, 1, 1)
    org = organization_create(
        slug=sizes.slug, name="Benchmark fundraising", fiscal_year_start_month=7
    )
    user = get_user_model().objects.create_user(
        email=f"{sizes.slug}@bench.test", password=None, full_name="Bench Admin"
    )
    membership_set(organization=org, user=user, role="admin")
    with org_context(org):
        access = Membership.objects.get(organization=org, user=user)
        who: dict[str, Any] = {"organization": org, "actor": user, "access": access}
        general = Fund.objects.get(is_general=True)
        if general.code != "GEN":
            Fund.objects.filter(pk=general.pk).update(code="GEN")
        Fund.objects.create(code="YOUTH", name="Youth programs", restriction=Restriction.PURPOSE)
        Fund.objects.create(code="SCHOL", name="Scholarships", restriction=Restriction.PURPOSE)
        on = date(first.year - 1, 7, 1)
        while on <= last:
            fiscal_year_ensure(organization=org, on=on)
            on = date(on.year + 1, 7, 1)
        for year in range(first.year, last.year + 1):
            annual = Campaign.objects.create(
                name=f"Annual fund {year}", goal=Decimal(sizes.gifts * 12 // sizes.years)
            )
            gala = Campaign.objects.create(
                name=f"Spring gala {year}", goal=Decimal(sizes.gifts * 3 // sizes.years)
            )
            for name, campaign in (
                (f"Year-end letter {year}", annual),
                (f"Spring email {year}", annual),
                (f"Gala tickets {year}", gala),
            ):
                Appeal.objects.create(name=name, campaign=campaign)
        Appeal.objects.create(name="Website")
        Appeal.objects.create(name="Memorial gifts")
    _import(who, "donors", _donors_csv(sizes.donors, rng))
    _import(who, "donations", _gifts_csv(sizes, first, last, rng))
    with org_context(org):
        ids = sorted(Donation.objects.values_list("pk", flat=True))
        for pk in rng.sample(ids, sizes.voided):
            donation_void(**who, donation=pk, reason="Entered twice")
        # A gift posted by hand to contribution revenue, which no gift recorded: the tie-out
        # lists it as the item behind its fund's difference.
        post_entry(
            organization=org,
            actor=user,
            date=last,
            lines=[
                LineInput(account_by_role("undeposited_funds"), general, debit=Decimal("75.00")),
                LineInput(
                    account_by_role("contributions_without"), general, credit=Decimal("75.00")
                ),
            ],
            memo="Cash in the collection box",
        )
        audit_record(
            action=MARKER_ACTION,
            actor=user,
            organization=org,
            obj=org,
            changes={"donors": sizes.donors, "gifts": sizes.gifts, "years": sizes.years},
        )
    out(
        f"  dataset: made {sizes.donors:,} donors and {sizes.gifts:,} gifts over {sizes.years}"
        f" years ({sizes.voided} voided) in {time.perf_counter() - t0:.1f} s"
    )
    return org


MAINTAINED = (
    "donors_donation",
    "donors_donor",
    "donors_donorgivingsummary",
    "donors_donorgivingyear",
    "donors_campaign",
    "donors_appeal",
    "ledger_journalline",
    "ledger_journalentry",
    "ledger_account",
    "ledger_fund",
)


def maintain() -> None:
    """What autovacuum does soon after a large write (it is off on some machines): statistics
    for the planner and the visibility map index-only scans need. As the tables' owner."""
    from django.db import connection

    from ifm.tenancy.db import owner_role

    if connection.vendor != "postgresql":
        return
    verb = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
    with owner_role(), connection.cursor() as cursor:
        cursor.execute(f"{verb} {', '.join(MAINTAINED)}")


# --- (a) and (b): the selectors --------------------------------------------------------------


def _floor(period: tuple[date, date] | None) -> Callable[[], Any]:
    """The simplest aggregate of the gifts a report reads: their count and sum."""
    from django.db.models import Count, Sum

    from ifm.donors.gifts.giving import live_gifts

    def call() -> Any:
        gifts = live_gifts()
        if period is not None:
            gifts = gifts.filter(date__gte=period[0], date__lte=period[1])
        return gifts.aggregate(n=Count("pk"), total=Sum("amount"))

    return call


def _drill(org: Any, **params: Any) -> Callable[[], Any]:
    """The first page of a drill-down as its page reads it: fifty donors and their count."""
    from django.core.paginator import Paginator
    from django.http import QueryDict

    from ifm.reports.fundraising.drill import drill_down
    from ifm.reports.fundraising.views import PAGE_SIZE

    query = QueryDict(mutable=True)
    query.update({k: str(v) for k, v in params.items()})

    def call() -> Any:
        _title, donors = drill_down(org, query)
        page = Paginator(donors.select_related("giving_summary"), PAGE_SIZE).get_page(1)
        return page.paginator.count, list(page.object_list)

    return call


def reads(org: Any, sizes: Sizes, out: Callable[[str], None] = print) -> list[Figure]:
    """Each report's selector (with the page's default filters and with the widest ones), the
    first page of each kind of drill-down, the home's tie-out check and the tie-out report."""
    from django.db.models import Max, Min

    from ifm.core.org_context import org_context
    from ifm.donors.gifts.giving import live_gifts
    from ifm.donors.models import Campaign, Donor
    from ifm.ledger.periods.fiscal_years import fiscal_year_bounds, organization_today
    from ifm.reports.fundraising import selectors as s
    from ifm.reports.fundraising.forms import last_twelve_months
    from ifm.reports.fundraising.views import ROWS_PER_PAGE
    from ifm.reports.tieout.selectors import donations_vs_ledger, tie_summary

    figures: list[Figure] = []
    with org_context(org):
        today = organization_today(org)
        fytd = (fiscal_year_bounds(org, today)[0], today)
        fiscal = fiscal_year_bounds(org, today)[1].year
        span = live_gifts().aggregate(first=Min("date"), last=Max("date"))
        every = (span["first"], span["last"])
        twelve = last_twelve_months(today)
        year = today.year
        out(
            f"  {org.slug}: {Donor.objects.count():,} donors, {live_gifts().count():,} active"
            f" gifts from {every[0]} to {every[1]}"
        )
        campaign = Campaign.objects.order_by("-pk").values_list("pk", flat=True).first()
        # Each read: its name, the call, the period of the gifts it reads (None: all of them)
        # for its floor, and its target.
        calls: list[tuple[str, Callable[[], Any], Any, float]] = [
            ("LYBUNT, this year",
             lambda: s.lapsed(org, kind="lybunt", year=year, basis="calendar"), None, 0),
            ("SYBUNT, this year",
             lambda: s.lapsed(org, kind="sybunt", year=year, basis="calendar"), None, 0),
            ("SYBUNT, this fiscal year",
             lambda: s.lapsed(org, kind="sybunt", year=fiscal, basis="fiscal"), None, 0),
            ("LYBUNT page's read (100 donors and the totals)",
             lambda: s.lapsed_page(org, kind="lybunt", year=year, basis="calendar", number=1,
                                   per_page=ROWS_PER_PAGE), None, 0),
            ("SYBUNT fiscal page's read (page 5)",
             lambda: s.lapsed_page(org, kind="sybunt", year=fiscal, basis="fiscal", number=5,
                                   per_page=ROWS_PER_PAGE), None, 0),
            ("retention, 5 years",
             lambda: s.retention(org, year=year, years=5, basis="calendar"), None, 0),
            ("retention, 10 years",
             lambda: s.retention(org, year=year, years=10, basis="calendar"), None, 0),
            ("gift range, fiscal year to date",
             lambda: s.gift_range(org, period=fytd, lows=s.DEFAULT_RANGES), fytd, 0),
            ("gift range, every year",
             lambda: s.gift_range(org, period=every, lows=s.DEFAULT_RANGES), every, 0),
            ("campaigns and appeals, all gifts",
             lambda: s.campaigns(org, period=None), None, 0),
            ("campaigns and appeals, fiscal year to date",
             lambda: s.campaigns(org, period=fytd), fytd, 0),
            ("top 25 donors, fiscal year to date",
             lambda: s.top_donors(org, period=fytd, limit=25), fytd, 0),
            ("top 500 donors, every year",
             lambda: s.top_donors(org, period=every, limit=500), every, 0),
            ("monthly giving, last 12 months",
             lambda: s.monthly_trend(org, period=twelve), twelve, 0),
            ("monthly giving, every month",
             lambda: s.monthly_trend(org, period=every), every, 0),
            ("drill: LYBUNT donors",
             _drill(org, report="lybunt", year=year), None, 0),
            ("drill: SYBUNT donors",
             _drill(org, report="sybunt", year=year), None, 0),
            ("drill: retention, recaptured",
             _drill(org, report="retention", year=year, segment="recaptured"), None, 0),
            ("drill: gift range 100 to 250, fiscal year to date",
             _drill(org, report="range", **{"from": fytd[0], "to": fytd[1]}, low=100, high=250),
             fytd, 0),
            ("drill: a campaign",
             _drill(org, report="campaign", campaign=campaign), None, 0),
            ("drill: donors of every year",
             _drill(org, report="period", **{"from": every[0], "to": every[1]}), every, 0),
            ("reports home tie-out check, fiscal year to date",
             lambda: tie_summary(date_from=fytd[0], date_to=fytd[1]), fytd, HOME_TARGET_MS),
            ("tie-out report, fiscal year to date",
             lambda: donations_vs_ledger(date_from=fytd[0], date_to=fytd[1], org_slug=org.slug),
             fytd, HOME_TARGET_MS),
        ]  # fmt: skip
        for name, call, period, target in calls:
            p50, p95, _result = _timed(call, sizes.runs)
            _f50, floor, _rows = _timed(_floor(period), max(3, sizes.runs // 3))
            figure = Figure(name, p50, p95, floor, target or REPORT_TARGET_MS)
            out(figure.line())
            figures.append(figure)
    return figures


# --- (c) the pages -----------------------------------------------------------------------------


def pages(org: Any, sizes: Sizes, out: Callable[[str], None] = print) -> list[Figure]:
    """The reports home and each fundraising report's page with its default filters, signed in
    as the organization's admin, beside a bare view behind the same middleware."""
    from django.test import Client, override_settings
    from django.urls import reverse

    from bench.urls import FLOOR_PATH
    from ifm.core.org_context import org_context
    from ifm.tenancy.models import Membership

    with org_context(org):
        user = Membership.objects.get(organization=org, role="admin").user
    names = {
        "reports home (with its tie-out check)": ("reports:home", HOME_TARGET_MS),
        "LYBUNT page": ("reports:lybunt", REPORT_TARGET_MS),
        "SYBUNT page": ("reports:sybunt", REPORT_TARGET_MS),
        "retention page": ("reports:retention", REPORT_TARGET_MS),
        "gift range page": ("reports:gift_range", REPORT_TARGET_MS),
        "campaigns page": ("reports:campaign_giving", REPORT_TARGET_MS),
        "top donors page": ("reports:top_donors", REPORT_TARGET_MS),
        "monthly giving page": ("reports:monthly_giving", REPORT_TARGET_MS),
    }
    figures = []
    with override_settings(ROOT_URLCONF="bench.urls"):
        client = Client()
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")

        def get(url: str) -> Callable[[], Any]:
            def call() -> Any:
                response = client.get(url)
                if response.status_code != 200:
                    raise AssertionError(f"GET {url} answered {response.status_code}")
                return response

            return call

        _f50, floor, _page = _timed(get(FLOOR_PATH), sizes.page_runs)
        for name, (route, target) in names.items():
            url = reverse(route, kwargs={"org_slug": org.slug})
            p50, p95, _page = _timed(get(url), sizes.page_runs)
            figure = Figure(name, p50, p95, floor, target)
            out(figure.line())
            figures.append(figure)
    return figures


def run(sizes: Sizes, out: Callable[[str], None] = print) -> list[Figure]:
    org = build(sizes, out)
    maintain()
    figures = reads(org, sizes, out)
    if os.environ.get("BENCH_FUND_PAGES", "1") not in ("", "0"):
        figures += pages(org, sizes, out)
    return figures


def main() -> None:
    url = os.environ.get("DATABASE_URL") or DEFAULT_URL
    small = not url.startswith(("postgres://", "postgresql://"))
    sizes = sizes_from_env()
    if small:
        url = f"sqlite:///{tempfile.mkdtemp(prefix='ifm-bench-fundraising-')}/bench.sqlite3"
        subprocess.run(
            [str(BIN / "ifm"), "migrate", "--noinput", "-v0"], env=_env(url), cwd=ROOT, check=True
        )
        sizes = QUICK
    else:
        _ensure_database(url)
    _setup_django(url)
    where = "SQLite, tiny version" if small else url.split("@")[-1]
    print(f"Fundraising reports ({where}; {sizes.donors:,} donors, {sizes.gifts:,} gifts)")
    run(sizes)


if __name__ == "__main__":
    main()
