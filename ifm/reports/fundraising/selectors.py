"""The fundraising reports, each built as a `Report` from the donors' giving selectors: LYBUNT
and SYBUNT, retention, the gift range pyramid, campaigns and appeals against goal, top donors
and the monthly trend with its average and median gift.

Gifts count when active (posted, not voided), as hard credits only: soft credits are not counted
by any of these reports. Every figure that stands for donors links (`Row.href`) to the list of
those donors (`drill_url`), or a donor's row to the donor's page.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, overload
from urllib.parse import urlencode

from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import Count, F, QuerySet, Sum
from django.urls import reverse

from ifm.donors.gifts import giving
from ifm.donors.models import Donor, DonorKind, donor_name
from ifm.ledger.periods.fiscal_years import fiscal_year_bounds
from ifm.reports.fundraising.models import GiftRangeSettings
from ifm.reports.report import ZERO, Column, Report, Row
from ifm.tenancy.models import Organization

BASES = ("calendar", "fiscal")
ORGANIZATION = str(DonorKind.ORGANIZATION.value)
CENT = Decimal("0.01")
MAX_RANGES = 20
# Lower bounds of the gift ranges when the organization names none.
DEFAULT_RANGES = (
    Decimal("10000"),
    Decimal("5000"),
    Decimal("2500"),
    Decimal("1000"),
    Decimal("500"),
    Decimal("250"),
    Decimal("100"),
    Decimal("0.01"),
)


# --- Years, links ------------------------------------------------------------------------------


def year_bounds(organization: Organization, year: int, basis: str) -> tuple[date, date, str]:
    """First day, last day and name of calendar year `year`, or of the fiscal year named after
    it (FY2026 is the fiscal year that ends in 2026)."""
    start_month = organization.fiscal_year_start_month
    if basis != "fiscal":
        return date(year, 1, 1), date(year, 12, 31), str(year)
    first = date(year if start_month == 1 else year - 1, start_month, 1)
    start, end, _ = fiscal_year_bounds(organization, first)
    return start, end, f"FY{year}"


def current_year(organization: Organization, basis: str, today: date) -> int:
    """The year (calendar, or fiscal by the year it ends in) that holds `today`."""
    if basis != "fiscal":
        return today.year
    return fiscal_year_bounds(organization, today)[1].year


def drill_url(organization: Organization, **params: Any) -> str:
    """The page listing the donors behind a figure."""
    query = urlencode({k: v for k, v in params.items() if v not in (None, "")})
    return (
        f"{reverse('reports:fundraising_donors', kwargs={'org_slug': organization.slug})}?{query}"
    )


def donor_links(organization: Organization) -> Callable[[int], str]:
    """The URL of any donor's page, the route reversed once (a report links thousands)."""
    one = reverse("donors:donor_detail", kwargs={"org_slug": organization.slug, "donor_id": 1})
    head, _, tail = one.rpartition("/1/")
    return lambda donor_id: f"{head}/{donor_id}/{tail}"


def _names(ids: list[int]) -> dict[int, str]:
    donors = Donor.objects.filter(pk__in=ids).values_list(
        "pk", "kind", "first_name", "last_name", "organization_name"
    )
    return {pk: donor_name(*columns) for pk, *columns in donors}


def _count(n: int) -> Decimal:
    return Decimal(n)


def _ratio(part: Decimal, whole: Decimal) -> Decimal:
    """`part` as a percentage of `whole`, two places; 0 when `whole` is 0."""
    return (part * 100 / whole).quantize(CENT) if whole else ZERO


def _mean(total: Decimal, count: int) -> Decimal:
    return (total / count).quantize(CENT) if count else ZERO


def _period_text(period: tuple[date, date]) -> str:
    return f"{period[0]:%Y-%m-%d} to {period[1]:%Y-%m-%d}"


# --- LYBUNT and SYBUNT -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Lapsed:
    """What the LYBUNT or SYBUNT report of a year reads: its per-donor rows (`giving`'s
    columns, names among them unless asked without) and the names of its years."""

    kind: str
    year: int
    basis: str
    start: date
    end: date
    name: str
    prior_name: str
    rows: QuerySet[Any]


def _lapsed_query(
    organization: Organization, *, kind: str, year: int, basis: str, names: bool = True
) -> _Lapsed:
    start, end, name = year_bounds(organization, year, basis)
    p_start, p_end, p_name = year_bounds(organization, year - 1, basis)
    start_month = giving.rollup_start_month(organization, basis)
    per_donor = (
        giving.lapsed_giving(
            current=(start, end),
            prior=(p_start, p_end),
            since=p_start if kind == "lybunt" else None,
        )
        if start_month is None
        else giving.lapsed_giving_years(
            start_month=start_month, year=year, lybunt=kind == "lybunt", names=names
        )
    )
    return _Lapsed(kind, year, basis, start, end, name, p_name, per_donor)


def _lapsed_order(rows: QuerySet[Any]) -> QuerySet[Any]:
    """The largest giver of last year first; those who gave nothing last year (SYBUNT) last, on
    PostgreSQL as on SQLite."""
    return rows.order_by(F("prior_total").desc(nulls_last=True), "-lifetime_total", "donor_id")


def _cents(value: Decimal | None) -> Decimal:
    """Two places whatever the database's arithmetic gave (SQLite's is in floats); PostgreSQL's
    numeric(14, 2) has them already."""
    if value is None:
        return ZERO
    return value if value.as_tuple().exponent == -2 else value.quantize(CENT)


def _who(kind: str, first: str, last: str, organization_name: str) -> str:
    """donor_name's rule, inline (thousands of rows): an organization by its name, a person by
    the first and last names there are."""
    if kind == ORGANIZATION:
        return organization_name
    if first and last:
        return f"{first} {last}"
    return first or last


def _or_zero(value: Decimal | None) -> Decimal:
    return ZERO if value is None else value


def _lapsed_rows(organization: Organization, found: Iterable[Sequence[Any]]) -> list[Row]:
    """A row per donor from (donor_id, kind, first_name, last_name, organization_name,
    last_gift_date, prior_total, lifetime_total)."""
    link = donor_links(organization)
    # PostgreSQL's amounts have their two places (numeric(14, 2)): checking each of thousands
    # was a fifth of the whole report's time.
    money = _or_zero if connection.vendor == "postgresql" else _cents
    return [
        Row(
            f"{_who(kind, first, last, org_name)} · last gift {last_gift.isoformat()}",
            {"prior_total": money(prior), "lifetime_total": money(lifetime)},
            key=f"donor-{donor_id}",
            donor_id=donor_id,
            href=link(donor_id),
        )
        for donor_id, kind, first, last, org_name, last_gift, prior, lifetime in found
    ]


def _lapsed_report(
    organization: Organization, query: _Lapsed, rows: list[Row], totals: dict[str, Decimal]
) -> Report:
    """The report of `rows` (every donor or a page of them), with the total row and `totals`
    (donors, prior_total, lifetime_total) of all of them."""
    title = "LYBUNT" if query.kind == "lybunt" else "SYBUNT"
    rows.append(
        Row(
            f"All {int(totals['donors'])} {title} donors",
            {"prior_total": totals["prior_total"], "lifetime_total": totals["lifetime_total"]},
            kind="total",
            key="total",
            href=drill_url(organization, report=query.kind, year=query.year, basis=query.basis),
        )
    )
    what = "last year" if query.kind == "lybunt" else "some year"
    return Report(
        title=f"{title}, gave {what}, not in {query.name}",
        period=(
            f"{query.name} ({query.basis} year, {query.start:%Y-%m-%d} to {query.end:%Y-%m-%d})"
        ),
        columns=[
            Column("prior_total", f"Given in {query.prior_name}"),
            Column("lifetime_total", f"Lifetime to {query.end:%Y-%m-%d}"),
        ],
        rows=rows,
        totals=totals,
    )


def lapsed(organization: Organization, *, kind: str, year: int, basis: str) -> Report:
    """LYBUNT (`kind` "lybunt"): donors who gave in the year before `year` and nothing in
    `year`; SYBUNT ("sybunt"): donors who gave in any year before `year` and nothing in it
    (LYBUNT donors are among them). One row per donor, the largest giver of last year first."""
    query = _lapsed_query(organization, kind=kind, year=year, basis=basis)
    found = _lapsed_order(query.rows).values_list(
        "donor_id", *giving.LAPSED_NAMES, *giving.LAPSED_FIGURES
    )
    rows = _lapsed_rows(organization, found)
    totals = {
        "donors": _count(len(rows)),
        "prior_total": sum((row.values["prior_total"] for row in rows), ZERO),
        "lifetime_total": sum((row.values["lifetime_total"] for row in rows), ZERO),
    }
    return _lapsed_report(organization, query, rows, totals)


class _DonorPages(Sequence[Row]):
    """The rows of a LYBUNT or SYBUNT report as a paginator reads them: their number known
    beforehand, a slice read from the database (one page of the ordered (donor_id,
    last_gift_date, prior_total, lifetime_total), then those donors' names)."""

    def __init__(self, organization: Organization, ordered: QuerySet[Any], count: int) -> None:
        self.organization, self.rows, self.count_ = organization, ordered, count

    def __len__(self) -> int:
        return self.count_

    @overload
    def __getitem__(self, index: int) -> Row: ...

    @overload
    def __getitem__(self, index: slice) -> list[Row]: ...

    def __getitem__(self, index: int | slice) -> Row | list[Row]:
        if isinstance(index, int):
            return self[index : index + 1][0]
        found = list(self.rows[index])
        ids = [donor_id for donor_id, *_ in found]
        names = {
            pk: columns
            for pk, *columns in Donor.objects.filter(pk__in=ids).values_list(
                "pk", *giving.LAPSED_NAMES
            )
        }
        return _lapsed_rows(
            self.organization,
            ((donor_id, *names[donor_id], *figures) for donor_id, *figures in found),
        )


def lapsed_page(
    organization: Organization,
    *,
    kind: str,
    year: int,
    basis: str,
    number: Any,
    per_page: int,
) -> tuple[Report, Page[Row]]:
    """The LYBUNT or SYBUNT report with one page (`number`, as `Paginator.get_page` reads it)
    of `per_page` donor rows, and that page; the total row and the totals are for all of its
    donors. The totals are one aggregate of the per-donor rows, and only the page's donors are
    read with their names: a page costs the same however many donors the report has."""
    query = _lapsed_query(organization, kind=kind, year=year, basis=basis, names=False)
    found = query.rows.aggregate(
        donors=Count("donor_id"), prior=Sum("prior_total"), lifetime=Sum("lifetime_total")
    )
    totals = {
        "donors": _count(found["donors"]),
        "prior_total": _cents(found["prior"]),
        "lifetime_total": _cents(found["lifetime"]),
    }
    ordered = _lapsed_order(query.rows).values_list("donor_id", *giving.LAPSED_FIGURES)
    pages = _DonorPages(organization, ordered, int(found["donors"]))
    page = Paginator(pages, per_page).get_page(number)
    return _lapsed_report(organization, query, list(page.object_list), totals), page


def lapsed_donor_ids(organization: Organization, *, kind: str, year: int, basis: str) -> list[int]:
    """The donors of the LYBUNT or SYBUNT report, as their ids."""
    return list(
        lapsed_donors(organization, kind=kind, year=year, basis=basis).values_list("pk", flat=True)
    )


def lapsed_donors(
    organization: Organization, *, kind: str, year: int, basis: str
) -> QuerySet[Donor]:
    """The donors of the LYBUNT or SYBUNT report."""
    start_month = giving.rollup_start_month(organization, basis)
    if start_month is not None:
        return giving.lapsed_donors_years(
            start_month=start_month, year=year, lybunt=kind == "lybunt"
        )
    start, end, _ = year_bounds(organization, year, basis)
    p_start = year_bounds(organization, year - 1, basis)[0]
    return giving.lapsed_donors(current=(start, end), since=p_start if kind == "lybunt" else None)


def retention_donors(
    organization: Organization, *, year: int, basis: str, segment: str
) -> QuerySet[Donor]:
    """The donors of one segment of the retention report's `year`."""
    start_month = giving.rollup_start_month(organization, basis)
    if start_month is not None:
        return giving.retention_donors_years(start_month=start_month, year=year, segment=segment)
    start, end, _ = year_bounds(organization, year, basis)
    p_start, p_end, _ = year_bounds(organization, year - 1, basis)
    return giving.retention_donors(current=(start, end), prior=(p_start, p_end), segment=segment)


# --- Retention ---------------------------------------------------------------------------------

RETENTION_COLUMNS = [
    Column("donors", "Donors", "count"),
    Column("new", "New", "count"),
    Column("retained", "Retained", "count"),
    Column("recaptured", "Recaptured", "count"),
    Column("lapsed", "Lapsed", "count"),
    Column("retention_rate", "Retention rate (%)", "percent"),
]

# The drill-down segment behind each column of the retention report.
RETENTION_LINKS = {
    **{segment: segment for segment in giving.RETENTION_SEGMENTS},
    "retention_rate": "retained",
}


def retention(organization: Organization, *, year: int, years: int, basis: str) -> Report:
    """For each of `years` years ending with `year`: donors, new (first gift ever that year),
    retained (gave that year and the year before), recaptured (gave that year and before the
    year before, not the year before), lapsed (gave the year before, not that year) and the
    retention rate (retained ÷ donors of the year before), the Fundraising Effectiveness
    Project's definitions."""
    first = year - years + 1
    bounds = [year_bounds(organization, y, basis) for y in range(first - 1, year + 1)]
    start_month = giving.rollup_start_month(organization, basis)
    if start_month is not None:
        tally = giving.retention_counts_years(
            start_month=start_month, years=list(range(first - 1, year + 1))
        )
    else:
        tally = giving.retention_counts([(b[0], b[1]) for b in bounds])
    rows = []
    for i, y in enumerate(range(first, year + 1), start=1):
        t = tally[i]
        values = {k: _count(t[k]) for k in giving.RETENTION_SEGMENTS}
        values["retention_rate"] = _ratio(Decimal(t["retained"]), Decimal(t["prior"]))
        # Each count opens exactly the donors it counts; the rate opens its numerator, the
        # retained donors (its denominator is the year before's "donors").
        links = {
            column: drill_url(
                organization, report="retention", year=y, basis=basis, segment=segment
            )
            for column, segment in RETENTION_LINKS.items()
        }
        rows.append(
            Row(
                bounds[i][2],
                values,
                key=f"year-{y}",
                href=links["donors"],
                links=links,
            )
        )
    latest = rows[-1].values
    return Report(
        title="Donor retention",
        period=f"{bounds[1][2]} to {bounds[-1][2]} ({basis} years)",
        columns=RETENTION_COLUMNS,
        rows=rows,
        totals={
            "donors": latest["donors"],
            "retained": latest["retained"],
            "retention_rate": latest["retention_rate"],
        },
    )


# --- Gift range --------------------------------------------------------------------------------


def _range_label(low: Decimal, high: Decimal | None) -> str:
    if high is None:
        return f"{low:,.2f} and more"
    return f"{low:,.2f} to {high - CENT:,.2f}"


def gift_range(
    organization: Organization, *, period: tuple[date, date], lows: tuple[Decimal, ...]
) -> Report:
    """Donors by their total giving in `period`, in ranges starting at each of `lows`: how many
    donors, their total, and each range's share of donors and of giving."""
    lows = tuple(sorted(set(lows), reverse=True))
    found = giving.range_counts(period, lows, organization)
    counts = [n for n, _ in found]
    sums = [total for _, total in found]
    all_donors, all_total = sum(counts), sum(sums, ZERO)
    rows = []
    for i, low in enumerate(lows):
        high = lows[i - 1] if i else None
        rows.append(
            Row(
                _range_label(low, high),
                {
                    "donors": _count(counts[i]),
                    "total": sums[i],
                    "share_of_donors": _ratio(Decimal(counts[i]), Decimal(all_donors)),
                    "share_of_total": _ratio(sums[i], all_total),
                },
                key=f"range-{low}",
                href=drill_url(
                    organization,
                    report="range",
                    **{"from": period[0].isoformat(), "to": period[1].isoformat()},
                    low=str(low),
                    high=str(high) if high is not None else "",
                ),
            )
        )
    rows.append(
        Row(
            "All donors",
            {"donors": _count(all_donors), "total": all_total},
            kind="total",
            key="total",
        )
    )
    return Report(
        title="Gift range (pyramid)",
        period=_period_text(period),
        columns=[
            Column("donors", "Donors", "count"),
            Column("total", "Total given"),
            Column("share_of_donors", "% of donors", "percent"),
            Column("share_of_total", "% of giving", "percent"),
        ],
        rows=rows,
        totals={"donors": _count(all_donors), "total": all_total},
    )


# --- Campaigns and appeals ---------------------------------------------------------------------


def campaigns(organization: Organization, *, period: tuple[date, date] | None) -> Report:
    """Each campaign's gifts against its goal, its appeals beneath it; appeals of no campaign
    and gifts of none last. All gifts ever when `period` is None."""
    given = giving.campaign_giving(period)
    all_campaigns, all_appeals = giving.campaigns_and_appeals()
    span = {"from": period[0].isoformat(), "to": period[1].isoformat()} if period else {}
    empty = {"count": 0, "total": ZERO, "donors": 0}

    def line(label: str, figures: dict[str, Any], goal: Decimal | None, **extra: Any) -> Row:
        values = {
            "total": figures["total"],
            "gifts": _count(figures["count"]),
            "donors": _count(figures["donors"]),
        }
        if goal:
            values["goal"] = goal
            values["percent_of_goal"] = _ratio(figures["total"], goal)
        return Row(label, values, **extra)

    rows = []
    for campaign in all_campaigns:
        rows.append(
            line(
                campaign.name,
                given["campaign"].get(campaign.pk, empty),
                campaign.goal,
                kind="subtotal",
                key=f"campaign-{campaign.pk}",
                href=drill_url(organization, report="campaign", campaign=campaign.pk, **span),
            )
        )
        for appeal in (a for a in all_appeals if a.campaign_id == campaign.pk):
            rows.append(
                line(
                    appeal.name,
                    given["appeal"].get(appeal.pk, empty),
                    None,
                    level=1,
                    key=f"appeal-{appeal.pk}",
                    href=drill_url(organization, report="campaign", appeal=appeal.pk, **span),
                )
            )
    loose = [a for a in all_appeals if a.campaign_id is None]
    if loose:
        rows.append(Row("Appeals of no campaign", kind="section", key="loose-appeals"))
        for appeal in loose:
            rows.append(
                line(
                    appeal.name,
                    given["appeal"].get(appeal.pk, empty),
                    None,
                    level=1,
                    key=f"appeal-{appeal.pk}",
                    href=drill_url(organization, report="campaign", appeal=appeal.pk, **span),
                )
            )
    rows.append(line("Gifts to no campaign", given["campaign"].get(None, empty), None, key="none"))
    raised = sum((f["total"] for f in given["campaign"].values()), ZERO)
    to_campaigns = raised - given["campaign"].get(None, empty)["total"]
    goals = sum((c.goal or ZERO for c in all_campaigns), ZERO)
    rows.append(Row("All gifts", {"total": raised}, kind="total", key="total"))
    return Report(
        title="Giving by campaign and appeal",
        period=_period_text(period) if period else "All gifts to date",
        columns=[
            Column("total", "Raised"),
            Column("goal", "Goal"),
            Column("percent_of_goal", "% of goal", "percent"),
            Column("gifts", "Gifts", "count"),
            Column("donors", "Donors", "count"),
        ],
        rows=rows,
        totals={"raised": raised, "raised_for_campaigns": to_campaigns, "goals": goals},
    )


# --- Top donors --------------------------------------------------------------------------------


def top_donors(organization: Organization, *, period: tuple[date, date], limit: int) -> Report:
    """The `limit` donors who gave most in `period`."""
    found = giving.top_givers(period, organization, limit)
    names = _names([r["donor_id"] for r in found])
    link = donor_links(organization)
    all_total = giving.total_given(period, organization) if found else ZERO
    rows = [
        Row(
            str(names.get(r["donor_id"], r["donor_id"])),
            {
                "total": r["total"],
                "gifts": _count(r["gifts"]),
                "share_of_total": _ratio(r["total"], all_total),
            },
            key=f"donor-{r['donor_id']}",
            donor_id=r["donor_id"],
            href=link(r["donor_id"]),
        )
        for r in found
    ]
    top_total = sum((r["total"] for r in found), ZERO)
    rows.append(
        Row(
            f"Top {len(found)}",
            {"total": top_total, "share_of_total": _ratio(top_total, all_total)},
            kind="total",
            key="total",
        )
    )
    return Report(
        title=f"Top {limit} donors",
        period=_period_text(period),
        columns=[
            Column("total", "Total given"),
            Column("gifts", "Gifts", "count"),
            Column("share_of_total", "% of all giving", "percent"),
        ],
        rows=rows,
        totals={"top_total": top_total, "all_total": all_total},
    )


# --- Monthly trend, average and median ---------------------------------------------------------


months_of = giving.months_of


def monthly_trend(organization: Organization, *, period: tuple[date, date]) -> Report:
    """Per month of `period`: gifts, total, average gift, median gift and donors; the totals
    hold the same for the whole period (its median computed over all its gifts)."""
    per_month = giving.monthly_giving(period)
    empty = {"count": 0, "total": ZERO, "donors": 0, "median": ZERO}
    rows = []
    count = 0
    total = ZERO
    for first, last in months_of(period):
        month = first.replace(day=1)
        figures = per_month.get(month, empty)
        count += figures["count"]
        total += figures["total"]
        rows.append(
            Row(
                f"{month:%Y-%m}",
                {
                    "gifts": _count(figures["count"]),
                    "total": figures["total"],
                    "average": _mean(figures["total"], figures["count"]),
                    "median": figures["median"],
                    "donors": _count(figures["donors"]),
                },
                key=f"month-{month:%Y-%m}",
                href=drill_url(
                    organization,
                    report="period",
                    **{"from": first.isoformat(), "to": last.isoformat()},
                ),
            )
        )
    summary = {
        "gifts": _count(count),
        "total": total,
        "average": _mean(total, count),
        "median": giving.median_gift(period, count),
    }
    rows.append(Row("Whole period", dict(summary), kind="total", key="total"))
    return Report(
        title="Monthly giving, average and median gift",
        period=_period_text(period),
        columns=[
            Column("gifts", "Gifts", "count"),
            Column("total", "Total"),
            Column("average", "Average gift"),
            Column("median", "Median gift"),
            Column("donors", "Donors", "count"),
        ],
        rows=rows,
        totals={
            "gifts": summary["gifts"],
            "total": total,
            "average_gift": summary["average"],
            "median_gift": summary["median"],
        },
    )


def range_starts(parts: Sequence[str]) -> tuple[Decimal, ...]:
    """Range starts written as amounts ("100", "$250", "1000.50"), highest first, with a range
    from 0.01 added below the smallest (every donor is in one); ValueError saying what to fix.
    No amount at all gives none."""
    if len(parts) > MAX_RANGES:
        raise ValueError(f"Give at most {MAX_RANGES} range starts.")
    lows = []
    for part in parts:
        part = part.strip().replace("$", "").replace("_", "")
        try:
            value = Decimal(part)
        except ArithmeticError:
            raise ValueError(
                f"“{part[:20]}” is not an amount: write range starts such as 100, 250, 1000."
            ) from None
        if not value.is_finite() or value < 0 or value >= Decimal("1e12"):
            raise ValueError("Each range start is an amount from 0 to 999,999,999,999.99.")
        lows.append(max(value.quantize(CENT), CENT))
    if not lows:
        return ()
    # The lowest range always starts at the smallest gift, so every donor is in one.
    return tuple(sorted({*lows, CENT}, reverse=True))


def parse_ranges(text: str, default: tuple[Decimal, ...] = DEFAULT_RANGES) -> tuple[Decimal, ...]:
    """Range starts written as "100, 250, 1000" (below the smallest, a range from 0.01);
    `default` when the text names none; ValueError saying what to fix."""
    return range_starts([p for p in text.split(",") if p.strip()]) or default


def ranges_text(lows: Sequence[Decimal]) -> str:
    """Range starts as a person writes them ("10000, 5000, 100.50"), the 0.01 one left out."""
    return ", ".join(
        str(int(low)) if low == low.to_integral_value() else f"{low:f}"
        for low in lows
        if low != CENT
    )


def gift_range_settings_get() -> GiftRangeSettings | None:
    """The organization's own gift ranges, if it saved any."""
    return GiftRangeSettings.objects.first()


def standard_ranges() -> tuple[Decimal, ...]:
    """The range starts of the gift range report when a request names none: the
    organization's own, else the built-in ones."""
    saved = gift_range_settings_get()
    return saved.lows if saved is not None and saved.starts else DEFAULT_RANGES


def ranges_asked(text: str) -> tuple[Decimal, ...]:
    """The range starts a request names (`ranges`), else the organization's standard ones;
    ValueError saying what to fix. Pages and API read them so."""
    return parse_ranges(text, default=()) or standard_ranges()
