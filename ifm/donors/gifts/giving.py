"""Reads of giving across donors and periods, for the fundraising reports: who gave when and how
much, aggregated by the database (one row per donor, month, campaign or appeal, never one per
gift), or the donors themselves, chosen by whether they gave in a period.

A gift counts when it is active: posted and not voided (a gift in an unposted batch counts once
the batch posts), as in the giving summary. Only hard credits count: a soft credit gives the
credited donor no gift here.

Years (LYBUNT, SYBUNT, retention and their donors) are read from the donor-year roll-up
(`DonorGivingYear`, a row per donor and year, kept by the donation services) when it is kept for
the year asked (`rollup_start_month`), else from the gifts.

Speed (a large organization has hundreds of thousands of gifts): the reads touch only the
columns of the covering indexes of active gifts (`donors_donation_giving_donor` and `_date`, so
PostgreSQL answers from the index), never the gift's id; "who gave in a period" is an EXISTS
(an index probe per donor, or one pass over the period's gifts), not a grouping of every gift.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import (
    Aggregate,
    Case,
    Count,
    DecimalField,
    Exists,
    F,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    When,
    Window,
)
from django.db.models.functions import RowNumber, TruncMonth

from ifm.core.org_context import require_org_id
from ifm.donors.gifts.rollup import fiscal_rows_kept, fiscal_year_of
from ifm.donors.models import (
    Appeal,
    Campaign,
    Donation,
    DonationStatus,
    Donor,
    DonorGivingYear,
)
from ifm.donors.validation import ZERO

Period = tuple[date, date]
CENT = Decimal("0.01")


def live_gifts() -> QuerySet[Donation]:
    """The gifts that count: active (posted, not voided), hard credit."""
    return Donation.objects.filter(status=DonationStatus.ACTIVE)


def _within(period: Period, prefix: str = "") -> Q:
    return Q(**{f"{prefix}date__gte": period[0], f"{prefix}date__lte": period[1]})


def by_name(donors: QuerySet[Donor]) -> QuerySet[Donor]:
    return donors.order_by("last_name", "first_name", "organization_name", "id")


def donors_of(rows: QuerySet[Any]) -> QuerySet[Donor]:
    """The donors of per-donor rows (a `values("donor_id")` queryset), by name."""
    return by_name(Donor.objects.filter(pk__in=rows.values("donor_id")))


def gave(*conditions: Q) -> Exists:
    """Whether the donor (of the outer donor query) has an active gift meeting `conditions`."""
    return Exists(live_gifts().filter(*conditions, donor=OuterRef("pk")))


def _with_gifts(donors: QuerySet[Donor], *conditions: Q) -> QuerySet[Donor]:
    """`donors` joined to their active gifts that meet `conditions` (one row per gift, to be
    aggregated): filter and aggregate then share the one join."""
    return donors.filter(
        Q(donations__organization_id=require_org_id(), donations__status=DonationStatus.ACTIVE),
        *conditions,
    )


# --- Donors who stopped giving -----------------------------------------------------------------


def lapsed_donors(*, current: Period, since: date | None) -> QuerySet[Donor]:
    """The donors who gave between `since` (any time when None) and the day before `current`
    starts, and nothing in `current`. LYBUNT is `since` = the start of the prior period;
    SYBUNT is `since` = None."""
    before = Q(date__lt=current[0])
    if since is not None:
        before &= Q(date__gte=since)
    return Donor.objects.filter(gave(before), ~gave(_within(current)))


def lapsed_giving(*, current: Period, prior: Period, since: date | None) -> QuerySet[Any]:
    """Per donor of `lapsed_donors`: donor_id, its name's columns (kind, first_name, last_name,
    organization_name), last_gift_date, prior_total (given in `prior`, None when nothing) and
    lifetime_total (up to the end of `current`).

    The same donors as `lapsed_donors`, found in the one pass over their gifts up to the end of
    `current` that sums them (by donor, in the order of the index): a donor whose last gift is
    before `current` gave nothing in it, and gave before it, since `since` when given."""
    lapsed = Q(last_gift_date__lt=current[0])
    if since is not None:
        lapsed &= Q(last_gift_date__gte=since)
    return (
        _with_gifts(Donor.objects.all(), Q(donations__date__lte=current[1]))
        .values("kind", "first_name", "last_name", "organization_name", donor_id=F("pk"))
        .annotate(
            last_gift_date=Max("donations__date"),
            prior_total=Sum("donations__amount", filter=_within(prior, "donations__")),
            lifetime_total=Sum("donations__amount"),
        )
        .filter(lapsed)
    )


def rollup_start_month(organization: Any, basis: str) -> int | None:
    """The `start_month` of the roll-up rows holding the years of `basis` ("calendar" or
    "fiscal"), or None when they are not kept for the organization's fiscal year (it changed
    since they were written: read the gifts)."""
    month = 1 if basis != "fiscal" else organization.fiscal_year_start_month
    if month != 1 and not fiscal_rows_kept(organization):
        return None
    return int(month)


def _years(start_month: int) -> QuerySet[DonorGivingYear]:
    return DonorGivingYear.objects.filter(start_month=start_month)


def _last_before(year: int) -> Q:
    """The roll-up row of a donor's last year of giving before `year`, when they gave nothing
    in `year`."""
    return Q(year__lt=year) & (Q(next_year__isnull=True) | Q(next_year__gt=year))


def lapsed_years(*, start_month: int, year: int, lybunt: bool) -> QuerySet[DonorGivingYear]:
    """Per LYBUNT (gave in `year - 1`, nothing in `year`) or SYBUNT (gave before `year`, nothing
    in it) donor: their last roll-up row before `year`."""
    rows = _years(start_month).filter(_last_before(year))
    return rows.filter(year=year - 1) if lybunt else rows


LAPSED_NAMES = ("kind", "first_name", "last_name", "organization_name")
LAPSED_FIGURES = ("last_gift_date", "prior_total", "lifetime_total")


def lapsed_giving_years(
    *, start_month: int, year: int, lybunt: bool, names: bool = True
) -> QuerySet[Any]:
    """`lapsed_giving` read from the roll-up: per donor, a row of the same columns (the total
    of `year - 1`, None when nothing, and the cumulative total to the end of `year`, which is
    the one to the end of the last year of giving). Without `names`, no name columns and no
    join to the donors: the roll-up's index alone answers (for totals, or to choose a page of
    donors whose names are read after)."""
    rows = lapsed_years(start_month=start_month, year=year, lybunt=lybunt).annotate(
        last_gift_date=F("last_date"),
        prior_total=Case(
            When(year=year - 1, then=F("amount")),
            default=None,
            output_field=DecimalField(max_digits=14, decimal_places=2),
        ),
        lifetime_total=F("lifetime"),
    )
    if not names:
        return rows.values("donor_id", *LAPSED_FIGURES)
    return rows.annotate(
        kind=F("donor__kind"),
        first_name=F("donor__first_name"),
        last_name=F("donor__last_name"),
        organization_name=F("donor__organization_name"),
    ).values("donor_id", *LAPSED_NAMES, *LAPSED_FIGURES)


def lapsed_donors_years(*, start_month: int, year: int, lybunt: bool) -> QuerySet[Donor]:
    """`lapsed_donors` read from the roll-up."""
    rows = lapsed_years(start_month=start_month, year=year, lybunt=lybunt)
    return Donor.objects.filter(pk__in=rows.values("donor_id"))


# --- Retention ---------------------------------------------------------------------------------


def giving_by_period(periods: Sequence[Period]) -> QuerySet[Any]:
    """Per donor who gave by the end of the last period: donor_id, first_gift_date and
    `p0`, `p1`, ... the number of gifts in each period (in the order given)."""
    # Counted by their (never empty) date, a column of the index, unlike the id.
    counts = {f"p{i}": Count("date", filter=_within(p)) for i, p in enumerate(periods)}
    return (
        live_gifts()
        .filter(date__lte=periods[-1][1])
        .values("donor_id")
        .annotate(first_gift_date=Min("date"), **counts)
    )


RETENTION_SEGMENTS = ("donors", "new", "retained", "recaptured", "lapsed")


def _segment_conditions(i: int, periods: Sequence[Period]) -> dict[str, Q]:
    """The Fundraising Effectiveness Project's segments of period `i` against period `i - 1`,
    on the rows of `giving_by_period(periods)`; and "prior", the donors of period `i - 1`."""
    now, before = Q(**{f"p{i}__gt": 0}), Q(**{f"p{i - 1}__gt": 0})
    return {
        "donors": now,
        "new": now & ~before & Q(first_gift_date__gte=periods[i][0]),
        "retained": now & before,
        "recaptured": now & ~before & Q(first_gift_date__lt=periods[i - 1][0]),
        "lapsed": before & ~now,
        "prior": before,
    }


def retention_counts(periods: Sequence[Period]) -> dict[int, dict[str, int]]:
    """For each period but the first (by its index): how many donors are in each segment of
    `retention_segment` against the period before, and "prior", the donors of that one. One
    row comes back: the database counts the donors of its per-donor rows."""
    counts = {
        f"{name}_{i}": Count("donor_id", filter=condition)
        for i in range(1, len(periods))
        for name, condition in _segment_conditions(i, periods).items()
    }
    found = giving_by_period(periods).aggregate(**counts)
    return {
        i: {name: int(found[f"{name}_{i}"] or 0) for name in (*RETENTION_SEGMENTS, "prior")}
        for i in range(1, len(periods))
    }


def _segment_years(year: int) -> dict[str, Q]:
    """The segments of `year` against `year - 1` as conditions on roll-up rows: those of
    `year` for donors, new, retained and recaptured; of `year - 1` for lapsed and prior."""
    now, before = Q(year=year), Q(year=year - 1)
    return {
        "donors": now,
        "new": now & Q(previous_year__isnull=True),
        "retained": now & Q(previous_year=year - 1),
        "recaptured": now & Q(previous_year__lt=year - 1),
        "lapsed": before & (Q(next_year__isnull=True) | Q(next_year__gt=year)),
        "prior": before,
    }


def retention_counts_years(*, start_month: int, years: Sequence[int]) -> dict[int, dict[str, int]]:
    """`retention_counts` read from the roll-up, for years `years[1:]` (each against the year
    before), keyed by their index in `years`. One row per year comes back, its rows counted
    once: its donors, how many had no previous year (new), the year before (retained) or an
    earlier one (recaptured), and how many have no next year or a later one than the year
    after (they lapsed the year after); "prior" and "lapsed" of a year are the donors and the
    lapsing of the year before."""
    year = F("year")
    lapsing = Q(next_year__isnull=True) | Q(next_year__gt=year + 1)
    found = {
        row["year"]: row
        for row in _years(start_month)
        .filter(year__gte=years[0], year__lte=years[-1])
        .values("year")
        .annotate(
            donors=Count("donor_id"),
            new=Count("donor_id", filter=Q(previous_year__isnull=True)),
            retained=Count("donor_id", filter=Q(previous_year=year - 1)),
            recaptured=Count("donor_id", filter=Q(previous_year__lt=year - 1)),
            lapsing=Count("donor_id", filter=lapsing),
        )
        .order_by()
    }
    empty = dict.fromkeys(("donors", "new", "retained", "recaptured", "lapsing"), 0)
    counts = {}
    for i in range(1, len(years)):
        now, before = found.get(years[i], empty), found.get(years[i - 1], empty)
        counts[i] = {
            "donors": int(now["donors"]),
            "new": int(now["new"]),
            "retained": int(now["retained"]),
            "recaptured": int(now["recaptured"]),
            "lapsed": int(before["lapsing"]),
            "prior": int(before["donors"]),
        }
    return counts


def retention_donors_years(*, start_month: int, year: int, segment: str) -> QuerySet[Donor]:
    """`retention_donors` read from the roll-up."""
    rows = _years(start_month).filter(_segment_years(year)[segment])
    return Donor.objects.filter(pk__in=rows.values("donor_id"))


def retention_donors(*, current: Period, prior: Period, segment: str) -> QuerySet[Donor]:
    """The donors of one segment of `current` against `prior` (the period just before):
    "donors" (gave in current), "new" (first gift ever in current), "retained" (gave in both),
    "recaptured" (gave in current and before prior, not in prior), "lapsed" (gave in prior, not
    in current)."""
    in_current, in_prior = gave(_within(current)), gave(_within(prior))
    conditions: dict[str, list[Any]] = {
        "donors": [in_current],
        "new": [in_current, ~gave(Q(date__lt=current[0]))],
        "retained": [in_current, in_prior],
        "recaptured": [in_current, ~in_prior, gave(Q(date__lt=prior[0]))],
        "lapsed": [in_prior, ~in_current],
    }
    return Donor.objects.filter(*conditions[segment])


def retention_segment(*, current: Period, prior: Period, segment: str) -> QuerySet[Any]:
    """`retention_donors` as per-donor rows (donor_id)."""
    return retention_donors(current=current, prior=prior, segment=segment).values(donor_id=F("pk"))


# --- Totals per donor --------------------------------------------------------------------------


def _year_edges(start_month: int, year: int) -> Period:
    """First and last day of `year` of the years starting in `start_month` (named by the year
    they end in)."""
    if start_month == 1:
        return date(year, 1, 1), date(year, 12, 31)
    end = date(year, start_month, 1) - timedelta(days=1)
    return date(year - 1, start_month, 1), end


def whole_years(organization: Any, period: Period) -> tuple[int, int, int] | None:
    """(start_month, first year, last year) of the roll-up rows holding exactly the gifts of
    `period`: the calendar or fiscal years it touches, when no gift of theirs is outside it
    (the period from the first gift to today, say); None when there are none such (read the
    gifts), and for a period within one year, whose gifts are about as many as its rows."""
    if organization is None:
        return None
    for basis in ("calendar", "fiscal"):
        month = rollup_start_month(organization, basis)
        if month is None or (basis == "fiscal" and month == 1):
            continue
        first = fiscal_year_of(period[0].year, period[0].month, month)
        last = fiscal_year_of(period[1].year, period[1].month, month)
        if first == last:
            continue
        start, end = _year_edges(month, first)[0], _year_edges(month, last)[1]
        outside = Q(date__gte=start, date__lt=period[0]) | Q(date__gt=period[1], date__lte=end)
        if (start == period[0] and end == period[1]) or not live_gifts().filter(outside).exists():
            return month, first, last
    return None


def _rollup_totals(years: tuple[int, int, int]) -> QuerySet[Any]:
    month, first, last = years
    return (
        _years(month)
        .filter(year__gte=first, year__lte=last)
        .values("donor_id")
        .annotate(total=Sum("amount"), gifts=Sum("gift_count"), last_gift_date=Max("last_date"))
    )


def _since_the_first(years: tuple[int, int, int]) -> QuerySet[DonorGivingYear] | None:
    """When no roll-up row is before the first of `years` (the period starts with the
    organization's giving: "every year"), each giver's row of their last year by the last one,
    whose cumulative total (`lifetime`) is their total of the period: a row per donor, nothing
    to group. Else None."""
    month, first, last = years
    if _years(month).filter(year__lt=first).exists():
        return None
    return _years(month).filter(
        Q(year__lte=last) & (Q(next_year__isnull=True) | Q(next_year__gt=last))
    )


def _lifetime_totals(rows: QuerySet[DonorGivingYear]) -> QuerySet[Any]:
    """`donor_totals`' donor_id, total and last_gift_date of `_since_the_first`'s rows."""
    return rows.annotate(total=F("lifetime"), last_gift_date=F("last_date")).values(
        "donor_id", "total", "last_gift_date"
    )


def donor_totals(period: Period, organization: Any = None) -> QuerySet[Any]:
    """Per donor who gave in `period`: donor_id, total, gifts (their number), last_gift_date.
    From the roll-up when the period holds whole years of gifts (given the organization)."""
    years = whole_years(organization, period)
    if years is not None:
        return _rollup_totals(years)
    return (
        live_gifts()
        .filter(_within(period))
        .values("donor_id")
        .annotate(total=Sum("amount"), gifts=Count("*"), last_gift_date=Max("date"))
    )


def _totals(period: Period, organization: Any) -> QuerySet[Any]:
    """Per donor who gave in `period`: donor_id and total (and more, as the path has them),
    the cheapest way: a row per donor of the roll-up since the first year, else
    `donor_totals`."""
    years = whole_years(organization, period)
    rows = _since_the_first(years) if years is not None else None
    if rows is not None:
        return _lifetime_totals(rows)
    return donor_totals(period, organization)


def top_givers(period: Period, organization: Any, limit: int) -> list[dict[str, Any]]:
    """The `limit` donors who gave most in `period` (the largest total first, then by id):
    donor_id, total and gifts (their number)."""
    years = whole_years(organization, period)
    rows = _since_the_first(years) if years is not None else None
    if years is None or rows is None:
        found = donor_totals(period, organization).order_by("-total", "donor_id")[:limit]
        return [{k: r[k] for k in ("donor_id", "total", "gifts")} for r in found]
    top = list(_lifetime_totals(rows).order_by("-total", "donor_id")[:limit])
    # Their numbers of gifts: the few rows of these donors only.
    month, first, last = years
    gifts = dict(
        _years(month)
        .filter(year__gte=first, year__lte=last, donor_id__in=[r["donor_id"] for r in top])
        .values("donor_id")
        .annotate(n=Sum("gift_count"))
        .values_list("donor_id", "n")
    )
    return [
        {"donor_id": r["donor_id"], "total": r["total"], "gifts": int(gifts[r["donor_id"]])}
        for r in top
    ]


def donors_between(
    period: Period, low: Decimal, high: Decimal | None, organization: Any = None
) -> QuerySet[Any]:
    """Per-donor rows of those whose total in `period` is at least `low` and under `high`."""
    rows = _totals(period, organization).filter(total__gte=low)
    return rows if high is None else rows.filter(total__lt=high)


def range_counts(
    period: Period, lows: Sequence[Decimal], organization: Any = None
) -> list[tuple[int, Decimal]]:
    """For each range (from each of `lows`, highest first, up to the one before it): how many
    donors gave a total in it in `period`, and their total. One row comes back."""
    aggregates: dict[str, Aggregate] = {}
    for i, low in enumerate(lows):
        within = Q(total__gte=low) if i == 0 else Q(total__gte=low, total__lt=lows[i - 1])
        aggregates[f"n{i}"] = Count("donor_id", filter=within)
        aggregates[f"s{i}"] = Sum("total", filter=within)
    found = _totals(period, organization).aggregate(**aggregates)
    return [(int(found[f"n{i}"] or 0), found[f"s{i}"] or ZERO) for i in range(len(lows))]


def donors_who_gave(period: Period, organization: Any = None) -> QuerySet[Donor]:
    """The donors with a gift in `period`."""
    years = whole_years(organization, period)
    if years is not None:
        month, first, last = years
        rows = _years(month).filter(year__gte=first, year__lte=last)
        return Donor.objects.filter(pk__in=rows.values("donor_id"))
    return Donor.objects.filter(gave(_within(period)))


def total_given(period: Period, organization: Any = None) -> Decimal:
    years = whole_years(organization, period)
    rows = _since_the_first(years) if years is not None else None
    if rows is not None:
        return rows.aggregate(t=Sum("lifetime"))["t"] or ZERO
    if years is not None:
        month, first, last = years
        rows = _years(month).filter(year__gte=first, year__lte=last)
        return rows.aggregate(t=Sum("amount"))["t"] or ZERO
    return live_gifts().filter(_within(period)).aggregate(t=Sum("amount"))["t"] or ZERO


# --- Campaigns and appeals ---------------------------------------------------------------------


def campaign_giving(period: Period | None) -> dict[str, dict[int | None, dict[str, Any]]]:
    """Gifts (dated in `period`, or any time), their total and their donors, per campaign
    ({"campaign": {id: ...}}) and per appeal ({"appeal": {id: ...}}); None keys hold the gifts
    without one."""
    gifts = live_gifts()
    if period is not None:
        gifts = gifts.filter(_within(period))
    found: dict[str, dict[int | None, dict[str, Any]]] = {}
    for key in ("campaign", "appeal"):
        rows = gifts.values(f"{key}_id").annotate(
            n=Count("*"), total=Sum("amount"), donors=Count("donor_id", distinct=True)
        )
        found[key] = {
            r[f"{key}_id"]: {"count": r["n"], "total": r["total"] or ZERO, "donors": r["donors"]}
            for r in rows
        }
    return found


def _fetch(sql: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def campaigns_and_appeals() -> tuple[list[Campaign], list[Appeal]]:
    """Every campaign (by name) and appeal (by name)."""
    return list(Campaign.objects.order_by("name", "id")), list(Appeal.objects.order_by("name"))


def campaign_donors(
    period: Period | None, *, campaign_id: int | None, appeal_id: int | None
) -> QuerySet[Donor]:
    """The donors with a gift to a campaign or an appeal (dated in `period`, or any time)."""
    conditions = [] if period is None else [_within(period)]
    if campaign_id is not None:
        conditions.append(Q(campaign_id=campaign_id))
    if appeal_id is not None:
        conditions.append(Q(appeal_id=appeal_id))
    return Donor.objects.filter(gave(*conditions))


# --- Months, averages and medians --------------------------------------------------------------


def _median(middles: list[Decimal] | None) -> Decimal:
    if not middles or middles[0] is None or middles[1] is None:
        return ZERO
    return ((middles[0] + middles[1]) / 2).quantize(CENT)


def months_of(period: Period) -> list[Period]:
    """Each calendar month touching `period`, as its first and last day within the period."""
    months = []
    year, month = period[0].year, period[0].month
    while date(year, month, 1) <= period[1]:
        last = date(year, month, calendar.monthrange(year, month)[1])
        months.append((max(date(year, month, 1), period[0]), min(last, period[1])))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


# Each month's gifts read by their own range of the covering index by date (its days given as
# plain dates, so the range is the index's condition), and aggregated alone: a month's gifts
# sorted by amount (for both middles, one sort) and by donor, never every gift of the period
# sorted by month first.
# 0.500000001, just above a half: the percentile whose gift is the upper middle one of an even
# count and the middle one of an odd count, for fewer than 500 million gifts (`ceil(p * n)` is
# then n / 2 + 1, or (n + 1) / 2); with the half, one sort gives both middles.
_MONTHS_SQL = """
SELECT m.first, g.n, g.total, g.donors, g.middles
FROM unnest(%(firsts)s::date[], %(lasts)s::date[]) AS m(first, last)
CROSS JOIN LATERAL (
    SELECT count(*) AS n, sum(d.amount) AS total, count(DISTINCT d.donor_id) AS donors,
        percentile_disc(ARRAY[0.5, 0.500000001]::float8[]) WITHIN GROUP (ORDER BY d.amount)
        AS middles
    FROM donors_donation d
    WHERE d.organization_id = %(org)s AND d.status = 'active'
        AND d.date >= m.first AND d.date <= m.last
) AS g
WHERE g.n > 0
"""


def monthly_giving(period: Period) -> dict[date, dict[str, Any]]:
    """Per month (its first day) with gifts in `period`: count, total, donors, median (the
    median gift of the month). On PostgreSQL each month's gifts are read and sorted alone
    (`_MONTHS_SQL`)."""
    if connection.vendor == "postgresql":
        months = months_of(period)
        params = {
            "org": require_org_id(),
            "firsts": [first for first, _ in months],
            "lasts": [last for _, last in months],
        }
        return {
            first.replace(day=1): {
                "count": int(n),
                "total": total or ZERO,
                "donors": int(donors),
                "median": _median(middles),
            }
            for first, n, total, donors, middles in _fetch(_MONTHS_SQL, params)
        }
    rows = (
        live_gifts()
        .filter(_within(period))
        .annotate(month=TruncMonth("date"))
        .values("month")
        .annotate(n=Count("*"), total=Sum("amount"), donors=Count("donor_id", distinct=True))
        .order_by("month")
    )
    found = {
        _as_date(r["month"]): {
            "count": r["n"],
            "total": r["total"] or ZERO,
            "donors": r["donors"],
            "median": ZERO,
        }
        for r in rows
    }
    for month, median in _ranked_medians(period, by_month=True).items():
        found[month]["median"] = median
    return found


def _as_date(value: Any) -> date:
    return value.date() if hasattr(value, "date") and callable(value.date) else value


def median_gift(period: Period, count: int | None = None) -> Decimal:
    """The median gift of `period` (0.00 without gifts); `count`, their number, when known.
    On PostgreSQL the middle one or two gifts are read in amount order from the covering index
    by amount (`donors_donation_giving_amount`), positions (n + 1) / 2 and (n + 2) / 2 in
    integer division, as `percentile_disc` at a half and just above would find them, without
    sorting every gift of the period."""
    if connection.vendor == "postgresql":
        gifts = live_gifts().filter(_within(period))
        n = gifts.count() if count is None else count
        if not n:
            return ZERO
        middles = list(
            gifts.order_by("amount").values_list("amount", flat=True)[
                (n + 1) // 2 - 1 : (n + 2) // 2
            ]
        )
        return _median([middles[0], middles[-1]])
    return _ranked_medians(period, by_month=False).get(None, ZERO)


def _ranked_medians(period: Period, *, by_month: bool) -> dict[Any, Decimal]:
    """The median gift of `period` (key None), or of each month in it (keyed by its first day),
    where the database has no percentile (SQLite): the gifts are numbered by amount within their
    month, and only the one or two middle ones come back (their mean is the median)."""
    partition = [TruncMonth("date")] if by_month else None
    ranked = (
        live_gifts()
        .filter(_within(period))
        .order_by()  # the numbering needs no other order: the gifts' own would sort them all
        .annotate(
            month=TruncMonth("date"),
            position=Window(
                RowNumber(), partition_by=partition, order_by=[F("amount").asc(), F("pk").asc()]
            ),
            size=Window(Count("pk"), partition_by=partition),
        )
        # The middle one (odd count) or two (even count): (n + 1) / 2 ≤ position ≤ (n + 2) / 2
        # in integer division.
        .filter(position__gte=(F("size") + 1) / 2, position__lte=(F("size") + 2) / 2)
        # Two columns, not gifts as model instances: at most two rows a month come back, and a
        # median needs their amounts only (an instance would carry every column of the gift).
        .values_list("month", "amount")
    )
    middles: dict[Any, list[Decimal]] = {}
    for month, amount in ranked:
        middles.setdefault(_as_date(month) if by_month else None, []).append(amount)
    return {
        key: (sum(values, ZERO) / len(values)).quantize(CENT) for key, values in middles.items()
    }
