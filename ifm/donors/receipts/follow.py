"""A receipt follows its gift: voiding a gift voids, in the same transaction, every receipt and
statement that stands for it (a statement of several gifts too: it is no longer accurate).

Gifts sit below receipts and may not know them, so the gift's void pages and API call
`donation_void` here, which wraps the gifts service. Editing a gift needs nothing here: a
receipt that no longer states its gifts as they are is told by
`selectors.receipt_is_current`, and is corrected with `issue.receipt_correct`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ifm.accounts.models import User
from ifm.donors.gifts import services as gift_services
from ifm.donors.models import Donation, TaxReceipt
from ifm.donors.receipts.issue import void_receipt
from ifm.donors.receipts.selectors import standing_receipts_of
from ifm.tenancy.models import Organization
from ifm.tenancy.permissions import Access, org_service

REASON_LENGTH = 500


@dataclass
class GiftVoid:
    """A voided gift and the receipts voided with it."""

    donation: Donation
    receipts: list[TaxReceipt] = field(default_factory=list)

    @property
    def statements(self) -> list[TaxReceipt]:
        """The voided receipts that also covered other gifts (year-end statements)."""
        return [r for r in self.receipts if len(r.content_data.get("donation_ids", [])) > 1]

    def message(self) -> str:
        """What happened, for the page: the gift, then each receipt voided with it."""
        parts = [f"{self.donation.reference} was voided; its ledger entry is reversed."]
        for receipt in self.receipts:
            if receipt in self.statements:
                parts.append(
                    f"{receipt.get_kind_display()} No. {receipt.number} also covered other "
                    "gifts and was voided too, as it is no longer accurate: issue a new one "
                    "for the remaining gifts."
                )
            else:
                parts.append(f"Its receipt No. {receipt.number} was voided with it.")
        return " ".join(parts)


@org_service("donations.record")
def donation_void(
    *,
    organization: Organization,
    actor: User,
    access: Access | None,
    donation: Donation | int,
    reason: str,
) -> GiftVoid:
    """Void a gift (gifts.services.donation_void) and every standing receipt or statement naming
    it, each with the gift's reason, each audited, all in one transaction."""
    row = gift_services.donation_void(
        organization=organization, actor=actor, access=access, donation=donation, reason=reason
    )
    done = GiftVoid(donation=row)
    standing = standing_receipts_of(row).select_for_update(of=("self",))
    for receipt in standing:
        text = f"Gift {row.reference} was voided: {row.void_reason}"[:REASON_LENGTH]
        done.receipts.append(
            void_receipt(
                organization=organization,
                actor=actor,
                receipt=receipt,
                reason=text,
                donation=row.pk,
            )
        )
    return done
