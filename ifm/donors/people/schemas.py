"""API schemas of donors and their contacts."""

from __future__ import annotations

from datetime import date as date_type
from datetime import datetime
from typing import Annotated, Any

from ninja import Field, Schema

from ifm.core.api import InputSchema
from ifm.core.api_types import Id, Version
from ifm.donors.models import DonorKind
from ifm.donors.people.selectors import donor_contacts, giving_summary
from ifm.donors.schemas import money


class GivingOut(Schema):
    first_gift_date: date_type | None
    last_gift_date: date_type | None
    largest_gift: str
    lifetime_total: str
    gift_count: int
    this_year_total: str = Field(..., description="Gifts dated in the current calendar year.")
    last_year_total: str = Field(..., description="Gifts dated in the previous calendar year.")


class EmailIn(InputSchema):
    email: str = Field(..., max_length=254)
    label: str = Field("home", max_length=10, description="home, work, mobile or other.")
    is_primary: bool = Field(False, description="At most one; none means the first.")


class PhoneIn(InputSchema):
    phone: str = Field(..., max_length=40)
    label: str = Field("home", max_length=10, description="home, work, mobile or other.")
    is_primary: bool = Field(False, description="At most one; none means the first.")


class AddressIn(InputSchema):
    address_line1: str = Field("", max_length=200)
    address_line2: str = Field("", max_length=200)
    city: str = Field("", max_length=100)
    state: str = Field("", max_length=50)
    postal_code: str = Field("", max_length=20)
    country: str = Field("US", max_length=2)
    label: str = Field("home", max_length=10, description="home, work, mobile or other.")
    is_primary: bool = Field(False, description="At most one; none means the first.")


class EmailOut(Schema):
    id: int | None
    email: str
    label: str
    is_primary: bool


class PhoneOut(Schema):
    id: int | None
    phone: str
    label: str
    is_primary: bool


class AddressOut(Schema):
    id: int | None
    address_line1: str
    address_line2: str
    city: str
    state: str
    postal_code: str
    country: str
    label: str
    is_primary: bool


class DonorOut(Schema):
    id: int
    kind: DonorKind
    name: str
    first_name: str
    last_name: str
    organization_name: str
    salutation: str
    email: str
    phone: str
    address_line1: str
    address_line2: str
    city: str
    state: str
    postal_code: str
    country: str
    household_id: int | None
    no_email: bool
    no_mail: bool
    no_phone: bool
    anonymous: bool
    is_deceased: bool
    is_active: bool
    merged_into_id: int | None
    tags: list[str]
    emails: list[EmailOut] = Field(..., description="Every email; the primary one is `email`.")
    phones: list[PhoneOut] = Field(..., description="Every phone; the primary one is `phone`.")
    addresses: list[AddressOut] = Field(
        ..., description="Every postal address; the primary one is in the address fields."
    )
    giving: GivingOut
    version: int
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_tags(obj: Any) -> list[str]:
        return sorted(t.name for t in obj.tags.all())

    @staticmethod
    def resolve_emails(obj: Any) -> list[Any]:
        return donor_contacts(obj)["emails"]

    @staticmethod
    def resolve_phones(obj: Any) -> list[Any]:
        return donor_contacts(obj)["phones"]

    @staticmethod
    def resolve_addresses(obj: Any) -> list[Any]:
        return donor_contacts(obj)["addresses"]

    @staticmethod
    def resolve_giving(obj: Any) -> dict[str, Any]:
        summary = giving_summary(obj)
        this_year, last_year = summary.current_totals()
        return {
            "first_gift_date": summary.first_gift_date,
            "last_gift_date": summary.last_gift_date,
            "largest_gift": money(summary.largest_gift),
            "lifetime_total": money(summary.lifetime_total),
            "gift_count": summary.gift_count,
            "this_year_total": money(this_year),
            "last_year_total": money(last_year),
        }


class DonorListOut(Schema):
    id: int
    kind: DonorKind
    name: str
    email: str
    phone: str
    city: str
    postal_code: str
    is_active: bool


class DonorFields(InputSchema):
    first_name: str | None = Field(None, max_length=100)
    last_name: str | None = Field(None, max_length=100)
    organization_name: str | None = Field(None, max_length=200)
    salutation: str | None = Field(None, max_length=200)
    email: str | None = Field(None, max_length=254)
    phone: str | None = Field(None, max_length=40)
    address_line1: str | None = Field(None, max_length=200)
    address_line2: str | None = Field(None, max_length=200)
    city: str | None = Field(None, max_length=100)
    state: str | None = Field(None, max_length=50)
    postal_code: str | None = Field(None, max_length=20)
    country: str | None = Field(None, max_length=2)
    household_id: Id | None = None
    no_email: bool | None = None
    no_mail: bool | None = None
    no_phone: bool | None = None
    anonymous: bool | None = None
    is_deceased: bool | None = None
    is_active: bool | None = None
    tags: list[Annotated[str, Field(max_length=60)]] | None = Field(None, max_length=50)
    emails: list[EmailIn] | None = Field(
        None, max_length=20, description="Replaces all the donor's emails (the primary: email)."
    )
    phones: list[PhoneIn] | None = Field(
        None, max_length=20, description="Replaces all the donor's phones (the primary: phone)."
    )
    addresses: list[AddressIn] | None = Field(
        None, max_length=20, description="Replaces all the donor's postal addresses."
    )


class DonorIn(DonorFields):
    kind: DonorKind = DonorKind.INDIVIDUAL
    confirm_duplicate: bool = Field(
        False, description="Create the donor even though it matches an existing one."
    )


class DonorPatchIn(DonorFields):
    version: Version
    kind: DonorKind | None = None
