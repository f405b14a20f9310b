"""/api/v1/households (households with their members and giving) and the merge endpoints of
/api/v1/donors ({donor_id}/merge, {donor_id}/duplicates).

Ids in the path that are not the organization's are a 404; ids in the body (a member's
donor_id, the duplicate_id of a merge) are a 422 naming the field, as everywhere in the API.
"""

from datetime import datetime
from typing import Annotated, Any

from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from ninja import Field, Path, Query, Router, Schema
from ninja.responses import Status as HttpStatus

from ifm.core.api import MAX_ID, InputSchema, idempotent, paginated
from ifm.core.api_types import Version
from ifm.core.errors import ConflictError, ServiceError
from ifm.core.lookups import resolve
from ifm.core.pages import service_args
from ifm.donors import selectors_households as hs
from ifm.donors import services, services_households
from ifm.donors.models import Donor, Household
from ifm.donors.schemas import DonorOut, money
from ifm.tenancy.permissions import require_perm

router = Router(tags=["households"])

HouseholdId = Annotated[int, Path(..., ge=1, le=MAX_ID)]
DonorId = Annotated[int, Path(..., ge=1, le=MAX_ID)]
Id = Annotated[int, Field(ge=1, le=MAX_ID)]

# Set on the request by donor_duplicates for DuplicateOut.resolve_reasons: {donor id: reasons}.
_REASONS_ATTR = "ifm_duplicate_reasons"


# --- Schemas -----------------------------------------------------------------------------------


class HouseholdMemberOut(Schema):
    id: int
    name: str
    email: str
    is_active: bool


class HouseholdGivingOut(Schema):
    this_year_total: str = Field(..., description="Members' gifts in the current calendar year.")
    last_year_total: str = Field(..., description="Members' gifts in the previous calendar year.")
    lifetime_total: str
    gift_count: int


class HouseholdListOut(Schema):
    id: int
    name: str
    address_line1: str
    address_line2: str
    city: str
    state: str
    postal_code: str
    country: str
    member_count: int
    version: int


class HouseholdOut(HouseholdListOut):
    members: list[HouseholdMemberOut]
    giving: HouseholdGivingOut = Field(..., description="The sum of the members' giving.")
    created_at: datetime
    updated_at: datetime


class HouseholdIn(InputSchema):
    name: str = Field(..., max_length=200, description='Such as "The Smith Family".')
    address_line1: str = Field("", max_length=200)
    address_line2: str = Field("", max_length=200)
    city: str = Field("", max_length=100)
    state: str = Field("", max_length=50)
    postal_code: str = Field("", max_length=20)
    member_ids: list[Id] = Field(
        [], max_length=20, description="Donors who join it (leaving any other household)."
    )


class HouseholdPatchIn(InputSchema):
    version: Version
    name: str | None = Field(None, max_length=200)
    address_line1: str | None = Field(None, max_length=200)
    address_line2: str | None = Field(None, max_length=200)
    city: str | None = Field(None, max_length=100)
    state: str | None = Field(None, max_length=50)
    postal_code: str | None = Field(None, max_length=20)


class MemberIn(InputSchema):
    donor_id: Id = Field(..., description="The donor who joins (leaving any other household).")


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


# --- Helpers -----------------------------------------------------------------------------------


def _view(request: HttpRequest) -> None:
    require_perm(request.access, "donors.view")  # type: ignore[attr-defined]


def _household(household_id: int) -> Household:
    household = Household.objects.filter(pk=household_id).first()
    if household is None:
        raise Http404
    return household


def _donor(donor_id: int) -> Donor:
    donor = Donor.objects.filter(pk=donor_id).first()
    if donor is None:
        raise Http404
    return donor


def _household_out(household_id: int) -> dict[str, Any]:
    household = _household(household_id)
    members = hs.household_members(household)
    giving = hs.household_giving(members)
    fields = (
        "id",
        "name",
        "address_line1",
        "address_line2",
        "city",
        "state",
        "postal_code",
        "country",
        "version",
        "created_at",
        "updated_at",
    )
    return {
        **{name: getattr(household, name) for name in fields},
        "member_count": len(members),
        "members": members,
        "giving": {
            "this_year_total": money(giving.this_year_total),
            "last_year_total": money(giving.last_year_total),
            "lifetime_total": money(giving.lifetime_total),
            "gift_count": giving.gift_count,
        },
    }


# --- Households --------------------------------------------------------------------------------


@router.get("/households", response=list[HouseholdListOut], summary="List or search households")
@paginated("name")
def household_list(
    request: HttpRequest,
    q: Annotated[str, Query(max_length=200, description="Words of the household's name.")] = "",
) -> QuerySet[Household]:
    _view(request)
    return hs.household_search(q)


@router.post("/households", response={201: HouseholdOut}, summary="Create a household")
@idempotent
def household_create(request: HttpRequest, payload: HouseholdIn) -> Any:
    data = payload.dict()
    member_ids = data.pop("member_ids")
    require_perm(request.access, "donors.edit")  # type: ignore[attr-defined]
    unmerged = Donor.objects.filter(merged_into__isnull=True)
    members = [
        resolve(unmerged, pk, f"member_ids.{i}", "No such donor.")
        for i, pk in enumerate(member_ids)
    ]
    household = services.household_create(**service_args(request), members=members, **data)
    return HttpStatus(201, _household_out(household.pk))


@router.get(
    "/households/{int:household_id}",
    response=HouseholdOut,
    summary="Get a household with its members and giving",
)
def household_get(request: HttpRequest, household_id: HouseholdId) -> Any:
    _view(request)
    return _household_out(household_id)


@router.patch("/households/{int:household_id}", response=HouseholdOut, summary="Change a household")
def household_update(
    request: HttpRequest, household_id: HouseholdId, payload: HouseholdPatchIn
) -> Any:
    household = _household(household_id)
    changes = payload.dict(exclude_unset=True)
    version = changes.pop("version")
    services_households.household_update(
        **service_args(request),
        household=household,
        expected_version=version,
        **{k: v for k, v in changes.items() if v is not None},
    )
    return _household_out(household_id)


@router.post(
    "/households/{int:household_id}/members",
    response=HouseholdOut,
    summary="Add a donor to a household",
)
def household_member_add(request: HttpRequest, household_id: HouseholdId, payload: MemberIn) -> Any:
    household = _household(household_id)
    services_households.household_member_add(
        **service_args(request), household=household, donor=payload.donor_id
    )
    return _household_out(household_id)


@router.delete(
    "/households/{int:household_id}/members/{int:donor_id}",
    response=HouseholdOut,
    summary="Remove a donor from a household",
    description="A donor who is not a member is left as they are (the answer is the same).",
)
def household_member_remove(
    request: HttpRequest, household_id: HouseholdId, donor_id: DonorId
) -> Any:
    household = _household(household_id)
    donor = _donor(donor_id)
    services_households.household_member_remove(
        **service_args(request), household=household, donor=donor
    )
    return _household_out(household_id)


# --- Merge -------------------------------------------------------------------------------------


@router.post(
    "/donors/{int:donor_id}/merge",
    response=DonorOut,
    summary="Merge a duplicate into this donor",
    description=(
        "Every gift, soft credit, receipt, pledge, recurring gift, note, tag and contact detail "
        "of the duplicate moves to this donor, which is returned. The duplicate stays, inactive, "
        "with `merged_into_id` set."
    ),
)
def donor_merge(request: HttpRequest, donor_id: DonorId, payload: MergeIn) -> Any:
    keep = _donor(donor_id)
    try:
        services.donor_merge(
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


@router.get(
    "/donors/{int:donor_id}/duplicates",
    response=list[DuplicateOut],
    summary="Probable duplicates of a donor",
    description="Other donors with the same email, phone, or name and postal code (at most 20).",
)
@paginated("pk")
def donor_duplicates(request: HttpRequest, donor_id: DonorId) -> QuerySet[Donor]:
    _view(request)
    donor = _donor(donor_id)
    matches = hs.duplicates_of(donor) if not donor.merged_into_id else []
    setattr(request, _REASONS_ATTR, {m["donor"].pk: m["reasons"] for m in matches})
    return Donor.objects.filter(pk__in=[m["donor"].pk for m in matches])
