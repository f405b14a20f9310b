"""The donor-year roll-up of giving (`DonorGivingYear`), rewritten from the gifts of the donors a
write touched, in the writer's transaction: `giving_years_refresh` after a gift is recorded,
changed, voided, posted with its batch, imported, or moved by a merge of donors.

Per donor and year with an active gift: the year's total and count, its last gift's date, the
donor's cumulative total to the end of that year, and the donor's previous and next year of
giving. Calendar years always; fiscal years too (named by the year they end in) when the
organization's fiscal year does not start in January, for the fiscal start month recorded in
`GivingRollupState` (see ifm/donors/models/giving.py).

`giving_years_differences` compares the stored rows with the gifts (what `ifm giving_verify`
reports) and `giving_years_rebuild` rewrites an organization's rows from its gifts.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, Max, Sum
from django.db.models.functions import ExtractMonth, ExtractYear

from ifm.core.bulk import insert_columns
from ifm.donors.models import Donation, DonationStatus, Donor, DonorGivingYear, GivingRollupState
from ifm.tenancy.models import Organization

CHUNK = 2000
ZERO = Decimal("0.00")
# (donor_id, year, month, gifts, total, last date): the gifts of one donor in one month.
MonthFigure = tuple[int, int, int, int, Decimal, date]
Key = tuple[int, int, int]  # donor_id, start_month, year


@dataclass(frozen=True)
class YearFigures:
    amount: Decimal
    gift_count: int
    last_date: date
    lifetime: Decimal
    previous_year: int | None
    next_year: int | None


FIELDS = ("amount", "gift_count", "last_date", "lifetime", "previous_year", "next_year")


def fiscal_year_of(year: int, month: int, start_month: int) -> int:
    """The year (named by the year it ends in) that holds `month` of `year`, for years starting
    in `start_month` (1: the calendar year)."""
    return year + 1 if start_month != 1 and month >= start_month else year


def year_rows(months: Iterable[MonthFigure], start_months: Iterable[int]) -> dict[Key, YearFigures]:
    """The roll-up rows of the donors whose monthly figures are given, for each start month."""
    sums: dict[Key, list[Any]] = {}
    for donor_id, year, month, gifts, total, last in months:
        for start in start_months:
            key = (donor_id, start, fiscal_year_of(year, month, start))
            found = sums.get(key)
            if found is None:
                sums[key] = [total, gifts, last]
            else:
                found[0] += total
                found[1] += gifts
                found[2] = max(found[2], last)
    by_donor: dict[tuple[int, int], list[int]] = defaultdict(list)
    for donor_id, start, year in sums:
        by_donor[(donor_id, start)].append(year)
    rows: dict[Key, YearFigures] = {}
    for (donor_id, start), years in by_donor.items():
        years.sort()
        lifetime = ZERO
        for i, year in enumerate(years):
            total, gifts, last = sums[(donor_id, start, year)]
            lifetime += total
            rows[(donor_id, start, year)] = YearFigures(
                amount=total,
                gift_count=gifts,
                last_date=last,
                lifetime=lifetime,
                previous_year=years[i - 1] if i else None,
                next_year=years[i + 1] if i + 1 < len(years) else None,
            )
    return rows


def month_figures(donor_ids: Iterable[int] | None) -> Iterator[MonthFigure]:
    """The active gifts of these donors (None: every donor of the organization) per donor and
    month: count, total and last date."""
    gifts = Donation.objects.filter(status=DonationStatus.ACTIVE)
    if donor_ids is not None:
        gifts = gifts.filter(donor_id__in=list(donor_ids))
    rows = (
        gifts.order_by()
        .values("donor_id", y=ExtractYear("date"), m=ExtractMonth("date"))
        .annotate(n=Count("date"), total=Sum("amount"), last=Max("date"))
        .values_list("donor_id", "y", "m", "n", "total", "last")
    )
    for donor_id, year, month, n, total, last in rows.iterator(chunk_size=5000):
        yield donor_id, int(year), int(month), int(n), total, last


def kept_start_months(organization: Organization) -> tuple[int, ...]:
    """The start months whose rows are kept: the calendar year's, and the fiscal year's the
    organization's state records (set to the organization's fiscal start month when it has
    none yet, which is when it has written no gift)."""
    # get_or_create: two first gifts of an organization written at once both find no state;
    # the second insert waits for the first, fails on the unique constraint inside a savepoint
    # and reads the row the first committed.
    state, _ = GivingRollupState.objects.get_or_create(
        organization_id=organization.pk,
        defaults={"fiscal_start_month": organization.fiscal_year_start_month},
    )
    return tuple(sorted({1, state.fiscal_start_month}))


def _stored(donor_ids: list[int] | None) -> dict[Key, DonorGivingYear]:
    rows = DonorGivingYear.objects.all()
    if donor_ids is not None:
        rows = rows.filter(donor_id__in=donor_ids)
    return {(r.donor_id, r.start_month, r.year): r for r in rows}


def giving_years_refresh(organization: Organization, donor_ids: Iterable[int]) -> int:
    """Rewrite the roll-up rows of these donors from their gifts, in the caller's transaction;
    how many rows changed. The donors are locked first (in id order) so two writers of one
    donor's gifts each count the other's committed gift."""
    wanted = sorted(set(donor_ids))
    if not wanted:
        return 0
    months = kept_start_months(organization)
    changed = 0
    for i in range(0, len(wanted), CHUNK):
        chunk = wanted[i : i + CHUNK]
        list(Donor.objects.select_for_update().filter(pk__in=chunk).order_by("pk").values("pk"))
        changed += _write(organization, year_rows(month_figures(chunk), months), _stored(chunk))
    return changed


def _write(
    organization: Organization,
    computed: dict[Key, YearFigures],
    stored: dict[Key, DonorGivingYear],
) -> int:
    new: list[tuple[Key, YearFigures]] = []
    updated = []
    for key, figures in computed.items():
        row = stored.pop(key, None)
        if row is None:
            new.append((key, figures))
        elif any(getattr(row, f) != getattr(figures, f) for f in FIELDS):
            for f in FIELDS:
                setattr(row, f, getattr(figures, f))
            updated.append(row)
    if stored:
        DonorGivingYear.objects.filter(pk__in=[r.pk for r in stored.values()]).delete()
    if updated:
        DonorGivingYear.objects.bulk_update(updated, list(FIELDS), batch_size=1000)
    if new:
        # Column-wise: an import of 100,000 gifts makes tens of thousands of these rows.
        insert_columns(
            DonorGivingYear,
            {
                "organization_id": organization.pk,
                "donor_id": [key[0] for key, _figures in new],
                "start_month": [key[1] for key, _figures in new],
                "year": [key[2] for key, _figures in new],
                **{f: [getattr(figures, f) for _key, figures in new] for f in FIELDS},
            },
            len(new),
        )
    return len(new) + len(updated) + len(stored)


@dataclass(frozen=True)
class Difference:
    donor_id: int
    start_month: int
    year: int
    stored: YearFigures | None
    gifts: YearFigures | None


def _figures_of(row: DonorGivingYear) -> YearFigures:
    return YearFigures(**{f: getattr(row, f) for f in FIELDS})


def giving_years_differences(organization: Organization) -> list[Difference]:
    """Every roll-up row of the organization that differs from its gifts (missing, extra or
    other figures), for the start months kept."""
    months = kept_start_months(organization)
    computed = year_rows(month_figures(None), months)
    stored = {k: _figures_of(r) for k, r in _stored(None).items()}
    found = []
    for key in sorted(set(computed) | set(stored)):
        if computed.get(key) != stored.get(key):
            found.append(Difference(*key, stored=stored.get(key), gifts=computed.get(key)))
    return found


def giving_years_rebuild(organization: Organization) -> int:
    """Rewrite every roll-up row of the organization from its gifts, for the calendar year and
    the organization's fiscal year as it now is; how many rows changed."""
    GivingRollupState.objects.update_or_create(
        organization=organization,
        defaults={"fiscal_start_month": organization.fiscal_year_start_month},
    )
    months = kept_start_months(organization)
    return _write(organization, year_rows(month_figures(None), months), _stored(None))


def fiscal_rows_kept(organization: Organization) -> bool:
    """Whether the fiscal-year rows are those of the organization's fiscal year (an
    organization that has written no gift has no rows, which is right for any year)."""
    if organization.fiscal_year_start_month == 1:
        return True
    state = GivingRollupState.objects.filter(organization_id=organization.pk).first()
    return state is None or state.fiscal_start_month == organization.fiscal_year_start_month
