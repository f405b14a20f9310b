"""The donors API: one router that includes the router of each area (people, gifts, pledges,
imports, receipts), plus the endpoints that span areas: donor merge and duplicates, and the
receipt compliance list.
"""

from datetime import date as date_type
from typing import Annotated, Any

from django.db.models import QuerySet
from django.http import Http404
from ninja import Field, Path, Query, Router, Schema

from ifm.accounts.http import OrgRequest, service_args
from ifm.core.api import MAX_ID, InputSchema, paginated
from ifm.core.api_types import Id
from ifm.core.errors import ConflictError, ServiceError
from ifm.donors import merge
from ifm.donors.gifts.api import campaigns_router
from ifm.donors.gifts.api import router as gifts_router
from ifm.donors.gifts.batch_api import router as batches_router
from ifm.donors.imports.api import router as imports_router
from ifm.donors.lists.api import router as lists_router
from ifm.donors.models import Donor
from ifm.donors.people.api import households_router
from ifm.donors.people.api import router as people_router
from ifm.donors.people.notes_api import router as notes_router
from ifm.donors.people.schemas import DonorOut
from ifm.donors.pledges.api import router as pledges_router
from ifm.donors.receipts.api import router as receipts_router
from ifm.donors.receipts.selectors import compliance_gaps
from ifm.donors.schemas import money
from ifm.tenancy.permissions import require_perm

router = Router()
merge_router = Router(tags=["households"])
compliance_router = Router(tags=["campaigns and compliance"])

DonorId = Annotated[int, Path(..., ge=1, le=MAX_ID)]


def _donor(donor_id: int) -> Donor:
    donor = Donor.objects.filter(pk=donor_id).first()
    if donor is None:
        raise Http404
    return donor


# Set on the request by donor_duplicates for DuplicateOut.resolve_reasons: {donor id: reasons}.
_REASONS_ATTR = "ifm_duplicate_reasons"


class MergeIn(InputSchema):
    duplicate_id: Id = Field(..., description="The donor merged into this one (then inactive).")


class DuplicateOut(Schema):
    id: int
    name: str
    email: str
    phone: str
    postal_code: str
    reasons: list[str] = Field(..., description="Why it matched: same email, phone, ...")

    @staticmethod
    def resolve_reasons(obj: Any, context: Any) -> list[str]:
        reasons: dict[int, list[str]] = getattr(context["request"], _REASONS_ATTR, {})
        return reasons.get(obj.pk, [])


# --- Merge -------------------------------------------------------------------------------------


@merge_router.post(
    "/donors/{int:donor_id}/merge",
    response=DonorOut,
    summary="Merge a duplicate into this donor",
    description=(
        "Every gift, soft credit, receipt, pledge, recurring gift, note, tag and contact detail "
        "of the duplicate moves to this donor, which is returned. The duplicate stays, inactive, "
        "with `merged_into_id` set."
    ),
)
def donor_merge(request: OrgRequest, donor_id: DonorId, payload: MergeIn) -> Any:
    keep = _donor(donor_id)
    try:
        merge.donor_merge(
            **service_args(request),
            keep=keep,
            merge=payload.duplicate_id,  # type: ignore[arg-type]  # an id, checked by the service
        )
    except ConflictError:
        raise
    except ServiceError as exc:
        # The service names its own arguments (keep_id / merge_id): answer with the API's names.
        field = "donor_id" if keep.merged_into_id else "duplicate_id"
        raise ServiceError(exc.message, field=field) from exc
    return (
        Donor.objects.prefetch_related("tags", "emails", "phones", "addresses")
        .filter(pk=keep.pk)
        .get()
    )


@merge_router.get(
    "/donors/{int:donor_id}/duplicates",
    response=list[DuplicateOut],
    summary="Probable duplicates of a donor",
    description="Other donors with the same email, phone, or name and postal code (at most 20).",
)
@paginated("pk")
def donor_duplicates(request: OrgRequest, donor_id: DonorId) -> QuerySet[Donor]:
    require_perm(request.access, "donors.view")
    donor = _donor(donor_id)
    matches = merge.duplicates_of(donor) if not donor.merged_into_id else []
    setattr(request, _REASONS_ATTR, {m["donor"].pk: m["reasons"] for m in matches})
    return Donor.objects.filter(pk__in=[m["donor"].pk for m in matches])


COMPLIANCE_LIMIT = 1000


class GapOut(Schema):
    donation_id: int
    reference: str
    date: date_type
    donor_id: int
    donor_name: str
    amount: str
    goods_services_value: str


class ComplianceOut(Schema):
    year: int | None
    unacknowledged_count: int
    unacknowledged: list[GapOut]
    undisclosed_quid_pro_quo_count: int
    undisclosed_quid_pro_quo: list[GapOut]


def _gap(donation: Any) -> dict[str, Any]:
    return {
        "donation_id": donation.pk,
        "reference": donation.reference,
        "date": donation.date,
        "donor_id": donation.donor_id,
        "donor_name": donation.donor.name,
        "amount": money(donation.amount),
        "goods_services_value": money(donation.goods_services_value),
    }


@compliance_router.get(
    "/receipts/compliance",
    response=ComplianceOut,
    summary="Gifts of $250 or more without an acknowledgment; quid-pro-quo payments without "
    "the disclosure",
)
def compliance(
    request: OrgRequest,
    year: Annotated[int | None, Query(ge=1900, le=2999, description="A tax year")] = None,
) -> Any:
    require_perm(request.access, "donors.view")
    gaps = compliance_gaps(organization=request.org, year=year)
    return {
        "year": year,
        "unacknowledged_count": gaps.unacknowledged.count(),
        "unacknowledged": [_gap(d) for d in gaps.unacknowledged[:COMPLIANCE_LIMIT]],
        "undisclosed_quid_pro_quo_count": gaps.undisclosed_quid_pro_quo.count(),
        "undisclosed_quid_pro_quo": [
            _gap(d) for d in gaps.undisclosed_quid_pro_quo[:COMPLIANCE_LIMIT]
        ],
    }


# The order of the routers is the order of the operations in the API document.
router.add_router("", people_router)
router.add_router("", notes_router)
router.add_router("", gifts_router)
router.add_router("", receipts_router)
router.add_router("", imports_router)
router.add_router("", campaigns_router)
router.add_router("", batches_router)
router.add_router("", compliance_router)
router.add_router("", households_router)
router.add_router("", merge_router)
router.add_router("", pledges_router)
router.add_router("", lists_router)
