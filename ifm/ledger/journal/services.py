"""Journal entries asked for by a person (page or API): the permission, then posting."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from ifm.accounts.models import User
from ifm.ledger.journal.posting import LineInput, post_entry, reverse_entry
from ifm.ledger.models import JournalEntry
from ifm.tenancy.models import Organization
from ifm.tenancy.permissions import Access, org_service


@org_service("ledger.post")
def journal_entry_create(
    *,
    organization: Organization,
    actor: User,
    access: Access | None,
    date: date,
    lines: Sequence[LineInput],
    memo: str = "",
    reference: str = "",
) -> JournalEntry:
    """A manual journal entry, by finance or an admin."""
    return post_entry(
        organization=organization,
        actor=actor,
        date=date,
        lines=lines,
        memo=memo,
        reference=reference,
    )


@org_service("ledger.post")
def journal_entry_reverse(
    *,
    organization: Organization,
    actor: User,
    access: Access | None,
    entry: JournalEntry,
    date: date | None = None,
    memo: str = "",
) -> JournalEntry:
    """A reversal asked for by a person (page or API): finance or an admin."""
    return reverse_entry(organization=organization, actor=actor, entry=entry, date=date, memo=memo)
