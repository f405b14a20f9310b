"""/api/v1/donors (list, get, create, update) and /api/v1/households (households with their
members and giving).

Ids in the path that are not the organization's are a 404; ids in the body (a member's
donor_id) are a 422 naming the field, as everywhere in the API.
"""

from datetime import datetime
from typing import Annotated, Any

from django.db.models import QuerySet
from django.http import Http404
from ninja import Field, Path, Query, Router, Schema
from ninja.responses import Status as HttpStatus

from ifm.accounts.http import OrgRequest, service_args
from ifm.core.api import MAX_ID, InputSchema, idempotent, paginated
from ifm.core.api_types import Version
from ifm.core.lookups import resolve
from ifm.donors.models import Donor, Household
from ifm.donors.people import households as household_services
from ifm.donors.people import selectors, services
from ifm.donors.people.schemas import DonorIn, DonorListOut, DonorOut, DonorPatchIn
from ifm.donors.schemas import money
from ifm.tenancy.permissions import require_perm

router = Router(tags=["donors"])

DonorId = Annotated[int, Path(..., ge=1, le=MAX_ID)]

_DONOR_FKS = {"household_id": "household"}


def _donor(donor_id: int) -> Donor:
    donor = (
        Donor.objects.prefetch_related("tags", "emails", "phones", "addresses")
        .filter(pk=donor_id)
        .first()
    )
    if donor is None:
        raise Http404
    return donor


@router.get("/donors", response=list[DonorListOut], summary="List or search donors")
@paginated("name_norm")
def donor_list(
    request: OrgRequest,
    q: Annotated[
        str, Query(max_length=200, description="Words matched in name, email, phone, postal code.")
    ] = "",
    include_inactive: Annotated[bool, Query(description="Also inactive donors.")] = False,
) -> QuerySet[Donor]:
    _view(request)
    return selectors.donor_search(q, include_inactive=include_inactive)


@router.get("/donors/{int:donor_id}", response=DonorOut, summary="Get a donor and their giving")
def donor_get(request: OrgRequest, donor_id: DonorId) -> Any:
    _view(request)
    return _donor(donor_id)


@router.post("/donors", response={201: DonorOut}, summary="Create a donor")
@idempotent
def donor_create(request: OrgRequest, payload: DonorIn) -> Any:
    data = payload.dict(exclude_none=True)
    tags = data.pop("tags", ())
    confirm = data.pop("confirm_duplicate", False)
    donor = services.donor_create(
        **service_args(request),
        confirm_duplicate=confirm,
        tags=tags,
        **{_DONOR_FKS.get(k, k): v for k, v in data.items()},
    )
    return HttpStatus(201, _donor(donor.pk))


@router.patch("/donors/{int:donor_id}", response=DonorOut, summary="Change a donor")
def donor_update(request: OrgRequest, donor_id: DonorId, payload: DonorPatchIn) -> Any:
    donor = _donor(donor_id)
    changes = payload.dict(exclude_unset=True)
    version = changes.pop("version")
    tags = changes.pop("tags", None)
    contacts = {k: changes.pop(k) for k in ("emails", "phones", "addresses") if k in changes}
    contacts = {k: v for k, v in contacts.items() if v is not None}
    # null clears the household; on other fields it means "unchanged".
    changes = {k: v for k, v in changes.items() if v is not None or k == "household_id"}
    services.donor_update(
        **service_args(request),
        donor=donor,
        expected_version=version,
        tags=tags,
        **contacts,
        **{_DONOR_FKS.get(k, k): v for k, v in changes.items()},
    )
    return _donor(donor_id)


households_router = Router(tags=["households"])

HouseholdId = Annotated[int, Path(..., ge=1, le=MAX_ID)]
Id = Annotated[int, Field(ge=1, le=MAX_ID)]


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


# --- Helpers -----------------------------------------------------------------------------------


def _view(request: OrgRequest) -> None:
    require_perm(request.access, "donors.view")


def _household(household_id: int) -> Household:
    household = Household.objects.filter(pk=household_id).first()
    if household is None:
        raise Http404
    return household


def _donor_row(donor_id: int) -> Donor:
    donor = Donor.objects.filter(pk=donor_id).first()
    if donor is None:
        raise Http404
    return donor


def _household_out(household_id: int) -> dict[str, Any]:
    household = _household(household_id)
    members = selectors.household_members(household)
    giving = selectors.household_giving(members)
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


@households_router.get(
    "/households", response=list[HouseholdListOut], summary="List or search households"
)
@paginated("name")
def household_list(
    request: OrgRequest,
    q: Annotated[str, Query(max_length=200, description="Words of the household's name.")] = "",
) -> QuerySet[Household]:
    _view(request)
    return selectors.household_search(q)


@households_router.post("/households", response={201: HouseholdOut}, summary="Create a household")
@idempotent
def household_create(request: OrgRequest, payload: HouseholdIn) -> Any:
    data = payload.dict()
    member_ids = data.pop("member_ids")
    require_perm(request.access, "donors.edit")
    unmerged = Donor.objects.filter(merged_into__isnull=True)
    members = [
        resolve(unmerged, pk, f"member_ids.{i}", "No such donor.")
        for i, pk in enumerate(member_ids)
    ]
    household = household_services.household_create(
        **service_args(request), members=members, **data
    )
    return HttpStatus(201, _household_out(household.pk))


@households_router.get(
    "/households/{int:household_id}",
    response=HouseholdOut,
    summary="Get a household with its members and giving",
)
def household_get(request: OrgRequest, household_id: HouseholdId) -> Any:
    _view(request)
    return _household_out(household_id)


@households_router.patch(
    "/households/{int:household_id}", response=HouseholdOut, summary="Change a household"
)
def household_update(
    request: OrgRequest, household_id: HouseholdId, payload: HouseholdPatchIn
) -> Any:
    household = _household(household_id)
    changes = payload.dict(exclude_unset=True)
    version = changes.pop("version")
    household_services.household_update(
        **service_args(request),
        household=household,
        expected_version=version,
        **{k: v for k, v in changes.items() if v is not None},
    )
    return _household_out(household_id)


@households_router.post(
    "/households/{int:household_id}/members",
    response=HouseholdOut,
    summary="Add a donor to a household",
)
def household_member_add(request: OrgRequest, household_id: HouseholdId, payload: MemberIn) -> Any:
    household = _household(household_id)
    household_services.household_member_add(
        **service_args(request), household=household, donor=payload.donor_id
    )
    return _household_out(household_id)


@households_router.delete(
    "/households/{int:household_id}/members/{int:donor_id}",
    response=HouseholdOut,
    summary="Remove a donor from a household",
    description="A donor who is not a member is left as they are (the answer is the same).",
)
def household_member_remove(
    request: OrgRequest, household_id: HouseholdId, donor_id: DonorId
) -> Any:
    household = _household(household_id)
    donor = _donor_row(donor_id)
    household_services.household_member_remove(
        **service_args(request), household=household, donor=donor
    )
    return _household_out(household_id)
