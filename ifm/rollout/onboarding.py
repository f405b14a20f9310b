"""An organization's onboarding checklist: computed from its real data where it can be, through
the other apps' selectors, plus the items a person signs off (training, data migration).

"First report run" is not on the list: reports only read, and nothing records that one was
run (the request counters are pruned after a while, so they cannot tell a first time).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from django.utils import timezone

from ifm.accounts import selectors as accounts
from ifm.banking.models import Reconciliation
from ifm.banking.reconciliation.selectors import reconciliation_list
from ifm.core.org_context import org_context
from ifm.donors.gifts.selectors import donation_list
from ifm.donors.imports.selectors import import_runs_done
from ifm.donors.models import DonationStatus
from ifm.donors.people.selectors import donor_search
from ifm.donors.receipts.selectors import receipts_issued
from ifm.ledger.chart.selectors import accounts_set_up_by_people
from ifm.ledger.journal.selectors import entries_filtered
from ifm.ledger.models import SourceType
from ifm.rollout import selectors
from ifm.rollout.models import OnboardingSignOff, SignOffItem
from ifm.tenancy.models import Organization


@dataclass
class ChecklistItem:
    key: str
    label: str
    done: bool
    detail: str = ""
    # A manual item is signed off by a person; `signoff` says who and when.
    manual: bool = False
    signoff: OnboardingSignOff | None = None


@dataclass
class Checklist:
    organization: Organization
    items: list[ChecklistItem] = field(default_factory=list)

    @property
    def done(self) -> int:
        return sum(1 for item in self.items if item.done)

    @property
    def total(self) -> int:
        return len(self.items)

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0

    @property
    def complete(self) -> bool:
        return self.done == self.total


def _on(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = timezone.localtime(value).date()
    return f" (first on {value:%Y-%m-%d})"


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def _members(org: Organization) -> list[ChecklistItem]:
    members = accounts.member_list(organization=org, status="active")
    count = members.count()
    signed_in = members.filter(user__last_login__isnull=False).count()
    pending = accounts.invitation_list_pending(organization=org).count()
    invited = count > 1 or pending > 0
    return [
        ChecklistItem(
            "users_invited",
            "Users invited",
            invited,
            f"{_plural(count, 'active member')}, {_plural(pending, 'invitation')} pending",
        ),
        ChecklistItem(
            "users_signed_in",
            "Users signed in",
            invited and count > 0 and signed_in == count,
            f"{signed_in} of {_plural(count, 'member')} signed in at least once",
        ),
    ]


def _chart() -> ChecklistItem:
    changed = accounts_set_up_by_people().count()
    return ChecklistItem(
        "chart_of_accounts",
        "Chart of accounts set up",
        changed > 0,
        f"{_plural(changed, 'account')} added, changed or imported"
        if changed
        else "only the template's accounts so far",
    )


def _opening() -> ChecklistItem:
    first = entries_filtered({"source_type": SourceType.OPENING}).order_by("date", "pk").first()
    return ChecklistItem(
        "opening_balances",
        "Opening balances entered",
        first is not None,
        f"entry of {first.date:%Y-%m-%d}" if first else "",
    )


def _donors() -> ChecklistItem:
    count = donor_search("", include_inactive=True).count()
    first_import = import_runs_done().first()
    imported = (
        f", first import {_on(first_import.finished_at).strip(' ()')}" if first_import else ""
    )
    return ChecklistItem(
        "donors_imported",
        "Donors imported",
        first_import is not None or count > 0,
        f"{_plural(count, 'donor')}{imported}",
    )


def _donation() -> ChecklistItem:
    gifts = donation_list(status=DonationStatus.ACTIVE)
    first = gifts.order_by("date", "pk").first()
    return ChecklistItem(
        "first_donation",
        "First donation recorded",
        first is not None,
        f"{_plural(gifts.count(), 'donation')}{_on(first.date if first else None)}",
    )


def _receipt() -> ChecklistItem:
    receipts = receipts_issued()
    first = receipts.first()
    return ChecklistItem(
        "first_receipt",
        "First receipt issued",
        first is not None,
        f"{_plural(receipts.count(), 'receipt')}{_on(first.issued_at if first else None)}",
    )


def _reconciliation() -> ChecklistItem:
    finished = reconciliation_list(status=Reconciliation.Status.FINISHED)
    first = finished.order_by("finished_at", "pk").first()
    return ChecklistItem(
        "first_reconciliation",
        "First bank reconciliation",
        first is not None,
        f"{_plural(finished.count(), 'reconciliation')} finished"
        f"{_on(first.finished_at if first else None)}",
    )


AUTOMATIC: list[Callable[[], ChecklistItem]] = [
    _chart,
    _opening,
    _donors,
    _donation,
    _receipt,
    _reconciliation,
]


def checklist(organization: Organization) -> Checklist:
    """The organization's checklist, computed now."""
    result = Checklist(organization=organization)
    with org_context(organization):
        result.items.extend(_members(organization))
        result.items.extend(step() for step in AUTOMATIC)
    signoffs = selectors.signoffs_for(organization)
    for item in SignOffItem:
        row = signoffs.get(item.value)
        detail = ""
        if row is not None:
            who = row.done_by.full_name or row.done_by.email if row.done_by else "command line"
            detail = f"by {who} on {timezone.localtime(row.done_at):%Y-%m-%d}"
            if row.note:
                detail += f": {row.note}"
        result.items.append(
            ChecklistItem(item.value, item.label, row is not None, detail, True, row)
        )
    return result
