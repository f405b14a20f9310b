"""Donations agree with the ledger: for a period, per fund, the gifts the donor module recorded
against the contribution revenue the ledger holds, and the items behind any difference.

* Donations: posted gifts dated in the period (cash and in kind at their recorded value; voided
  gifts and gifts waiting in an open batch left out), read through the donor module's selectors.
* Ledger: credits less debits dated in the period on the accounts gifts post to (the roles
  `contributions_without`, `contributions_with`, `in_kind_contributions`), whatever posted them.
* Items: every entry on those accounts that no gift made (a manual journal entry, an import, a
  reversal of such an entry), every posted gift that points at no entry, and per fund what the
  gifts' own entries leave over: a gift voided or changed after its period closed is reversed
  in a later period, so its entry and its reversal fall in different periods.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.urls import reverse

from ifm.donors.gifts.selectors import gift_totals_by_fund, gifts_without_entry
from ifm.ledger.journal.selectors import role_line_entries, role_line_totals
from ifm.ledger.models import Fund, SourceType
from ifm.reports.report import ZERO, Column, Report, Row, add

CONTRIBUTION_ROLES = ("contributions_without", "contributions_with", "in_kind_contributions")
GIFT_SOURCES = (SourceType.DONATION, SourceType.DEPOSIT)
DONATIONS, LEDGER, DIFFERENCE = "donations", "ledger", "difference"


def _from_a_gift(source_type: str, reverses_source_type: str) -> bool:
    if source_type == SourceType.REVERSAL:
        return reverses_source_type in GIFT_SOURCES
    return source_type in GIFT_SOURCES


@dataclass
class FundTie:
    fund_id: int
    label: str
    donations: Decimal = ZERO
    ledger: Decimal = ZERO
    from_gifts: Decimal = ZERO  # the ledger's figure that the gifts' own entries make

    @property
    def difference(self) -> Decimal:
        return self.ledger - self.donations


def fund_ties(*, date_from: date, date_to: date) -> list[FundTie]:
    """Per fund with gifts or contribution revenue in the period: both figures (two queries)."""
    ties: dict[int, FundTie] = {}

    def tie(fund_id: int) -> FundTie:
        if fund_id not in ties:
            ties[fund_id] = FundTie(fund_id, "")
        return ties[fund_id]

    for row in role_line_totals(roles=CONTRIBUTION_ROLES, date_from=date_from, date_to=date_to):
        found = tie(row["fund_id"])
        found.label = f"{row['fund__code']} {row['fund__name']}"
        found.ledger += row["net"]
        if _from_a_gift(row["source_type"], row["reverses_source_type"]):
            found.from_gifts += row["net"]
    for row in gift_totals_by_fund(date_from=date_from, date_to=date_to):
        tie(row["fund_id"]).donations += row["total"]
    unnamed = [pk for pk, found in ties.items() if not found.label]
    for fund in Fund.objects.filter(pk__in=unnamed):
        ties[fund.pk].label = str(fund)
    return sorted(ties.values(), key=lambda found: found.label)


def donations_difference(*, date_from: date, date_to: date) -> Decimal:
    """The sum of the funds' differences, each taken whole (0.00 when every fund agrees)."""
    return add(*(abs(t.difference) for t in fund_ties(date_from=date_from, date_to=date_to)))


def _entry_href(slug: str, entry_id: int) -> str:
    if not slug:
        return ""
    return reverse("ledger:ledger_entry_detail", kwargs={"org_slug": slug, "entry_id": entry_id})


def _gift_href(slug: str, donation_id: int) -> str:
    if not slug:
        return ""
    return reverse("donors:donation_detail", kwargs={"org_slug": slug, "donation_id": donation_id})


def _items(ties: list[FundTie], date_from: date, date_to: date, slug: str) -> list[Row]:
    labels = {t.fund_id: t.label for t in ties}
    rows: list[Row] = []
    other_sources = [s for s in SourceType.values if s not in GIFT_SOURCES]
    for line in role_line_entries(
        roles=CONTRIBUTION_ROLES, date_from=date_from, date_to=date_to, source_types=other_sources
    ):
        if _from_a_gift(line["entry__source_type"], line["entry__reverses__source_type"] or ""):
            continue
        memo = f": {line['entry__memo']}" if line["entry__memo"] else ""
        rows.append(
            Row(
                f"JE-{line['entry__number']} {line['date']:%Y-%m-%d}, "
                f"{SourceType(line['entry__source_type']).label.lower()} entry to "
                f"{line['account__number']} {line['account__name']} in "
                f"{labels.get(line['fund_id'], '')}{memo}",
                {LEDGER: line["net"], DIFFERENCE: line["net"]},
                level=1,
                key=f"entry_{line['entry_id']}_{line['fund_id']}",
                fund_id=line["fund_id"],
                href=_entry_href(slug, line["entry_id"]),
            )
        )
    unposted: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for gift in gifts_without_entry(date_from=date_from, date_to=date_to):
        unposted[gift.fund_id] += gift.amount
        rows.append(
            Row(
                f"{gift.reference} {gift.date:%Y-%m-%d} from {gift.donor.name}: not posted",
                {DONATIONS: gift.amount, DIFFERENCE: -gift.amount},
                level=1,
                key=f"gift_{gift.pk}",
                fund_id=gift.fund_id,
                donor_id=gift.donor_id,
                href=_gift_href(slug, gift.pk),
            )
        )
    for found in ties:
        left = found.from_gifts - (found.donations - unposted[found.fund_id])
        if left:
            rows.append(
                Row(
                    f"{found.label}: gift entries and their reversals in different periods "
                    "(a gift voided or changed after its period closed)",
                    {DIFFERENCE: left},
                    level=1,
                    key=f"periods_{found.fund_id}",
                    fund_id=found.fund_id,
                )
            )
    return rows


def donations_vs_ledger(*, date_from: date, date_to: date, org_slug: str = "") -> Report:
    """The tie-out report: a row per fund, the totals, then the items behind any difference
    (each linked to its entry or gift when `org_slug` is given)."""
    ties = fund_ties(date_from=date_from, date_to=date_to)
    rows = [Row("By fund", kind="section")]
    for found in ties:
        rows.append(
            Row(
                found.label,
                {
                    DONATIONS: found.donations,
                    LEDGER: found.ledger,
                    DIFFERENCE: found.difference,
                },
                level=1,
                fund_id=found.fund_id,
            )
        )
    totals: dict[str, Decimal] = {
        "donations_total": add(*(t.donations for t in ties)),
        "ledger_total": add(*(t.ledger for t in ties)),
        "difference": add(*(t.difference for t in ties)),
        "funds_difference": add(*(abs(t.difference) for t in ties)),
    }
    rows.append(
        Row(
            "All funds",
            {
                DONATIONS: totals["donations_total"],
                LEDGER: totals["ledger_total"],
                DIFFERENCE: totals["difference"],
            },
            kind="total",
            key="total",
        )
    )
    if totals["funds_difference"]:
        rows.append(Row("Items behind the differences", kind="section"))
        rows += _items(ties, date_from, date_to, org_slug)
    return Report(
        "Donations vs. ledger",
        f"{date_from:%Y-%m-%d} to {date_to:%Y-%m-%d}",
        [
            Column(DONATIONS, "Donations recorded"),
            Column(LEDGER, "Contribution revenue in the ledger"),
            Column(DIFFERENCE, "Difference"),
        ],
        rows,
        totals,
    )


def tie_summary(*, date_from: date, date_to: date) -> dict[str, Any]:
    """What the reports home shows: whether every fund agrees, else the difference."""
    difference = donations_difference(date_from=date_from, date_to=date_to)
    return {"agrees": difference == 0, "difference": difference}
