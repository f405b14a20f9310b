"""Every write of donors and gifts: donors, households, tags, notes, duplicates and merge;
donations (posted through the ledger in the same transaction), soft credits, pledges,
recurring gifts, gift batches; and the giving summary kept beside every donor.

Posting a donation (ledger source_type "donation", source_id the donation's id):

* cash, check, card, bank transfer, online: debit undeposited funds (or the deposit account
  given), credit contributions of the fund's net-asset class (contributions_without /
  contributions_with). The whole amount is credited to contributions, including the part that
  bought goods or services (the receipt states the deductible part).
* in-kind and stock: debit the in-kind expense (or the asset account given as
  deposit_account), credit in-kind contributions.

Editing the amount, fund, date, method or deposit account of a posted donation reverses its
entry and posts a new one; voiding reverses it. A donation entered into an open gift batch is
`pending` and posts when the batch posts (all of the batch in one transaction, only when its
count and total match what was expected).

The giving summary (DonorGivingSummary) is recomputed from the donor's donations inside the
transaction of every donation write, so it can never disagree with them.
"""

from __future__ import annotations

import calendar
import dataclasses
import functools
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date as date_type
from datetime import timedelta
from decimal import ROUND_DOWN, Decimal
from types import SimpleNamespace
from typing import Any, Generic, TypeVar

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models, transaction
from django.utils import timezone

from ifm.audit.services import audit_record
from ifm.core.errors import ConflictError, ServiceError
from ifm.core.lookups import as_id, resolve
from ifm.core.money import clean_money
from ifm.core.org_context import org_context
from ifm.donors import normalize, selectors
from ifm.donors.gifts.posting import gift_entry_memo, gift_lines
from ifm.donors.models import (
    NON_CASH_METHODS,
    Appeal,
    BatchStatus,
    Campaign,
    ContactLabel,
    Donation,
    DonationStatus,
    Donor,
    DonorAddress,
    DonorContact,
    DonorEmail,
    DonorGivingSummary,
    DonorKind,
    DonorNote,
    DonorPhone,
    Frequency,
    GiftBatch,
    Household,
    Method,
    Pledge,
    PledgeInstallment,
    PledgeStatus,
    RecurringGift,
    RecurringStatus,
    SoftCredit,
    Tag,
)
from ifm.ledger.fiscal_years import EARLIEST_DATE, EARLIEST_RULE
from ifm.ledger.services import post_entry, reverse_entry
from ifm.tenancy.models import Organization
from ifm.tenancy.permissions import Access, require_perm

CENT = Decimal("0.01")
ZERO = Decimal("0.00")

DONOR_TEXT_FIELDS: dict[str, int] = {
    "first_name": 100,
    "last_name": 100,
    "organization_name": 200,
    "salutation": 200,
    "phone": 40,
    "address_line1": 200,
    "address_line2": 200,
    "city": 100,
    "state": 50,
    "postal_code": 20,
}
DONOR_FLAGS = ("no_email", "no_mail", "no_phone", "anonymous", "is_deceased", "is_active")
DONOR_FIELDS = ("kind", "email", "country", "household", *DONOR_FLAGS, *tuple(DONOR_TEXT_FIELDS))
HOUSEHOLD_FIELDS = ("name", "address_line1", "address_line2", "city", "state", "postal_code")
DONATION_FIELDS = (
    "amount",
    "date",
    "method",
    "fund",
    "check_number",
    "description",
    "goods_services_description",
    "goods_services_value",
    "campaign",
    "appeal",
    "designation",
    "anonymous",
    "notes",
    "deposit_account",
)
# Changing one of these on a posted donation reverses its entry and posts a new one.
POSTING_FIELDS = {"amount", "date", "method", "fund", "deposit_account"}


# --- Validation --------------------------------------------------------------------------------


def money(value: Any, field: str, *, allow_zero: bool = False) -> Decimal:
    """A positive amount with at most two decimals (the rules are ifm.core.money's)."""
    return clean_money(value, field, allow_zero=allow_zero)


def _date(value: Any, field: str) -> date_type:
    if not isinstance(value, date_type):
        raise ServiceError("Give a date as YYYY-MM-DD.", field=field)
    today = timezone.localdate()
    if value < EARLIEST_DATE or value > today + timedelta(days=366):
        raise ServiceError(
            f"The date must be {EARLIEST_RULE} and at most a year ahead.", field=field
        )
    return value


def _text(value: Any, field: str, limit: int) -> str:
    text = " ".join(str(value if value is not None else "").split())
    if len(text) > limit:
        raise ServiceError(f"At most {limit} characters.", field=field)
    return text


def _long_text(value: Any, field: str, limit: int) -> str:
    text = str(value if value is not None else "").strip()
    if len(text) > limit:
        raise ServiceError(f"At most {limit} characters.", field=field)
    return text


def _bool(value: Any, field: str) -> bool:
    if not isinstance(value, bool):
        raise ServiceError("Give true or false.", field=field)
    return value


class _Checker:
    """Runs field checks and collects every error, each naming its field."""

    def __init__(self, values: dict[str, Any]):
        self.values = values
        self.cleaned: dict[str, Any] = {}
        self.errors: list[dict[str, str]] = []

    def check(self, field: str, fn: Any, *, error_field: str | None = None) -> None:
        if field not in self.values:
            return
        try:
            self.cleaned[field] = fn(self.values[field])
        except ServiceError as exc:
            self.errors.extend(
                exc.errors or [{"field": error_field or field, "message": exc.message}]
            )

    def add(self, field: str, message: str) -> None:
        self.errors.append({"field": field, "message": message})

    def raise_if_errors(self) -> None:
        if self.errors:
            raise ServiceError(
                "; ".join(f"{e['field']}: {e['message']}" for e in self.errors),
                errors=self.errors,
            )


def _unknown(values: dict[str, Any], allowed: Iterable[str]) -> None:
    extra = sorted(set(values) - set(allowed))
    if extra:
        raise ServiceError(f"Unknown field {extra[0]!r}.", field=extra[0])


# --- Donors ------------------------------------------------------------------------------------


def _clean_donor(values: dict[str, Any]) -> dict[str, Any]:
    c = _Checker(values)

    def kind(v: Any) -> str:
        if v not in DonorKind.values:
            raise ServiceError("Choose individual or organization.", field="kind")
        return str(v)

    def email(v: Any) -> str:
        text = str(v or "").strip()
        if text:
            if len(text) > 254:
                raise ServiceError("At most 254 characters.", field="email")
            try:
                validate_email(text)
            except ValidationError:
                raise ServiceError(
                    f"{text[:60]!r} is not an email address.", field="email"
                ) from None
        return text

    def country(v: Any) -> str:
        text = str(v or "").strip().upper()
        if len(text) != 2 or not text.isalpha():
            raise ServiceError("Use a two-letter country code, such as US.", field="country")
        return text

    def household(v: Any) -> Household | None:
        if v is None or v == "":
            return None
        return resolve(
            Household.objects.all(), v, "household_id", "Choose a household of this organization."
        )

    c.check("kind", kind)
    c.check("email", email)
    c.check("country", country)
    c.check("household", household, error_field="household_id")
    for field, limit in DONOR_TEXT_FIELDS.items():
        c.check(field, lambda v, f=field, n=limit: _text(v, f, n))
    for flag in DONOR_FLAGS:
        c.check(flag, lambda v, f=flag: _bool(v, f))
    c.raise_if_errors()
    return c.cleaned


def _check_donor_named(donor: Donor) -> None:
    if donor.kind == DonorKind.ORGANIZATION and not donor.organization_name:
        raise ServiceError("An organization donor needs its name.", field="organization_name")
    if donor.kind == DonorKind.INDIVIDUAL and not (donor.first_name or donor.last_name):
        raise ServiceError("Give the donor's first or last name.", field="last_name")


def _apply_norms(donor: Donor) -> list[str]:
    values = {f: getattr(donor, f) for f in ("kind", *DONOR_TEXT_FIELDS, "email")}
    emails: list[str] = []
    phones: list[str] = []
    if donor.pk:
        emails = list(
            DonorEmail.objects.filter(donor=donor, is_primary=False).values_list("email", flat=True)
        )
        phones = list(
            DonorPhone.objects.filter(donor=donor, is_primary=False).values_list("phone", flat=True)
        )
    norms = normalize.donor_fields(values, emails=emails, phones=phones)
    for k, v in norms.items():
        setattr(donor, k, v)
    return list(norms)


def _tags(organization: Organization, names: Iterable[str]) -> list[Tag]:
    if isinstance(names, str):
        raise ServiceError("Give the tags as a list of names.", field="tags")
    cleaned: list[str] = []
    for raw in names:
        name = _text(raw, "tags", 60)
        if name and name.lower() not in {n.lower() for n in cleaned}:
            cleaned.append(name)
    if len(cleaned) > 50:
        raise ServiceError("At most 50 tags.", field="tags")
    tags = []
    for name in cleaned:
        tag = Tag.objects.filter(name__iexact=name).first()
        if tag is None:
            tag = Tag.objects.create(organization=organization, name=name)
        tags.append(tag)
    return tags


def _duplicate_error(matches: Sequence[Donor]) -> ServiceError:
    listed = ", ".join(f"{d.name} ({d.reference})" for d in matches[:5])
    return ServiceError(
        f"This looks like a donor who already exists: {listed}. "
        "Open the existing donor, or save anyway to create a new one.",
        field="duplicate",
    )


@transaction.atomic
def donor_create(
    *,
    organization: Organization,
    actor: Any,
    access: Access | None,
    confirm_duplicate: bool = False,
    tags: Iterable[str] = (),
    emails: Iterable[dict[str, Any]] | None = None,
    phones: Iterable[dict[str, Any]] | None = None,
    addresses: Iterable[dict[str, Any]] | None = None,
    **fields: Any,
) -> Donor:
    """A new donor. Refuses (field "duplicate") when it matches an existing donor (by any of
    its emails or phones, or name and postal code), unless `confirm_duplicate` is true.

    `emails`, `phones`, `addresses`: every contact of the kind, each a dict (email= / phone= /
    the address fields, label=, is_primary=); the primary (else the first) fills the columns."""
    require_perm(access, "donors.edit")
    with org_context(organization):
        _unknown(fields, DONOR_FIELDS)
        cleaned = _clean_donor(fields)
        lists = _clean_contact_lists(
            fields, {"emails": emails, "phones": phones, "addresses": addresses}
        )
        donor = Donor(organization=organization, created_by=actor, updated_by=actor, **cleaned)
        for kind in CONTACT_KINDS.values():
            if kind.plural in lists:
                kind.columns_from_row(donor, kind.primary_item(lists[kind.plural]))
        _check_donor_named(donor)
        _apply_norms(donor)
        if not confirm_duplicate:
            matches = selectors.donor_duplicates(
                organization=organization,
                email=donor.email,
                first_name=donor.first_name if donor.kind == DonorKind.INDIVIDUAL else "",
                last_name=donor.last_name if donor.kind == DonorKind.INDIVIDUAL else "",
                organization_name=donor.organization_name
                if donor.kind == DonorKind.ORGANIZATION
                else "",
                postal_code=donor.postal_code,
                phone=donor.phone,
                emails=[e["email"] for e in lists.get("emails", [])],
                phones=[p["phone"] for p in lists.get("phones", [])],
            )
            if matches:
                raise _duplicate_error(matches)
        donor.save()
        for kind in CONTACT_KINDS.values():
            if kind.plural in lists:
                kind.replace(organization, donor, lists[kind.plural])
        _sync_primary(organization, donor)
        norm_fields = _apply_norms(donor)
        Donor.objects.filter(pk=donor.pk).update(**{f: getattr(donor, f) for f in norm_fields})
        tag_rows = _tags(organization, tags)
        if tag_rows:
            donor.tags.set(tag_rows)
        audit_record(
            action="donor.create",
            actor=actor,
            organization=organization,
            obj=donor,
            changes={
                "name": donor.name,
                "email": donor.email,
                "duplicate_confirmed": bool(confirm_duplicate),
                **{k: [CONTACT_KINDS_BY_PLURAL[k].shown(i) for i in v] for k, v in lists.items()},
            },
        )
        return donor


@transaction.atomic
def donor_update(
    *,
    organization: Organization,
    actor: Any,
    access: Access | None,
    donor: Donor,
    expected_version: int,
    tags: Iterable[str] | None = None,
    emails: Iterable[dict[str, Any]] | None = None,
    phones: Iterable[dict[str, Any]] | None = None,
    addresses: Iterable[dict[str, Any]] | None = None,
    **fields: Any,
) -> Donor:
    """Change the given fields (others stay). Duplicates are not re-checked on edit.

    `emails`, `phones`, `addresses` given replace all the donor's contacts of that kind (see
    donor_create); a flat primary field (email=, phone=, address_*) changes the primary one.
    Clearing a primary field while others of its kind remain makes the next one primary."""
    require_perm(access, "donors.edit")
    with org_context(organization):
        donor = Donor.objects.select_for_update(of=("self",)).get(pk=donor.pk)
        if donor.merged_into_id:
            raise ServiceError(f"{donor.name} was merged into another donor: edit that one.")
        _unknown(fields, DONOR_FIELDS)
        cleaned = _clean_donor(fields)
        lists = _clean_contact_lists(
            fields, {"emails": emails, "phones": phones, "addresses": addresses}
        )
        changes: dict[str, Any] = {}
        for field, value in cleaned.items():
            before = getattr(donor, field)
            if before != value:
                changes[field] = {"before": str(before or ""), "after": str(value or "")}
            setattr(donor, field, value)
        _check_donor_named(donor)
        column_fields: list[str] = []
        for plural, items in lists.items():
            kind = CONTACT_KINDS_BY_PLURAL[plural]
            before_list = [kind.shown(r) for r in kind.rows_of(donor)]
            column_fields += kind.replace(organization, donor, items)
            after_list = [kind.shown(i) for i in items]
            if before_list != after_list:
                changes[plural] = {"before": before_list, "after": after_list}
        column_fields += _sync_primary(organization, donor)
        _check_donor_named(donor)
        norm_fields = _apply_norms(donor)
        donor.save_versioned(
            expected_version=expected_version,
            user=actor,
            fields=list(dict.fromkeys([*cleaned, *column_fields, *norm_fields])),
        )
        if tags is not None:
            before_tags = sorted(donor.tags.values_list("name", flat=True))
            donor.tags.set(_tags(organization, tags))
            after_tags = sorted(donor.tags.values_list("name", flat=True))
            if before_tags != after_tags:
                changes["tags"] = {"before": before_tags, "after": after_tags}
        audit_record(
            action="donor.update",
            actor=actor,
            organization=organization,
            obj=donor,
            changes=changes,
        )
        return donor


@transaction.atomic
def donor_note_add(
    *, organization: Organization, actor: Any, access: Access | None, donor: Donor | int, body: str
) -> DonorNote:
    require_perm(access, "donors.edit")
    with org_context(organization):
        row: Donor = resolve(Donor.objects.all(), donor, "donor_id", "No such donor.")
        text = _long_text(body, "body", 5000)
        if not text:
            raise ServiceError("Write the note.", field="body")
        note = DonorNote.objects.create(
            organization=organization, donor=row, body=text, created_by=actor
        )
        audit_record(action="donor.note_add", actor=actor, organization=organization, obj=row)
        return note


# --- Contacts: a donor's emails, phones and addresses ------------------------------------------
#
# The Donor's columns are the primary contact; the rows of DonorEmail / DonorPhone /
# DonorAddress list every one, the primary among them equal to the columns. Every write below
# keeps that true, rewrites the donor's norms and search text (secondary emails and phones are
# searchable) and saves the donor versioned, so a stale page gets a conflict.
#
# One implementation serves the three kinds: a `ContactKind` says what differs (the model, its
# columns and how each is cleaned, what makes two contacts the same one, which normalized
# columns the row stores); its methods are the services, bound below to their public names.

MAX_CONTACTS = 20
_ADDRESS_COLUMNS = ("address_line1", "address_line2", "city", "state", "postal_code", "country")

C = TypeVar("C", bound=DonorContact)


def _clean_email(v: Any, field: str) -> str:
    if v is not None and not isinstance(v, str):
        raise ServiceError("Give the email address as text.", field=field)
    text = (v or "").strip()
    if text:
        if len(text) > 254:
            raise ServiceError("At most 254 characters.", field=field)
        try:
            validate_email(text)
        except ValidationError:
            raise ServiceError(f"{text[:60]!r} is not an email address.", field=field) from None
    return text


def _clean_country(v: Any, field: str) -> str:
    text = str(v or "").strip().upper()
    if len(text) != 2 or not text.isalpha():
        raise ServiceError("Use a two-letter country code, such as US.", field=field)
    return text


def _clean_label(v: Any, field: str) -> str:
    if v not in ContactLabel.values:
        raise ServiceError("Choose home, work, mobile or other.", field=field)
    return str(v)


def _check_phone_digits(cleaned: dict[str, Any], prefix: str) -> None:
    if "phone" in cleaned and not normalize.phone(cleaned["phone"]):
        raise ServiceError(
            f"{cleaned['phone'][:40]!r} is not a phone number (at least 7 digits).",
            field=prefix + "phone",
        )


def _squeezed(text: str) -> str:
    return " ".join(text.split()).upper()


def _lock_donor(donor: Donor | int) -> Donor:
    row: Donor = resolve(
        Donor.objects.select_for_update(of=("self",)), donor, "donor_id", "No such donor."
    )
    if row.merged_into_id:
        raise ServiceError(f"{row.name} was merged into another donor: edit that one.")
    return row


@dataclass(frozen=True, eq=False)
class ContactKind(Generic[C]):
    """One kind of a donor's contacts, and its services (add, update, remove, set_primary)."""

    name: str  # "email": error messages, audit actions ("donor.email_add"), the id field
    plural: str  # "emails": the list argument of donor_create / donor_update
    model: type[C]
    # Row column (the Donor column of the same name) -> clean(value, error field name).
    cleaners: Mapping[str, Callable[[Any, str], Any]]
    value_columns: tuple[str, ...]  # those that make a contact non-empty
    same: Callable[[str], str]  # a column's normal form: equal forms are the same contact
    stored_norms: bool = False  # the row keeps `<column>_norm` (= same(column)) for matching
    defaults: Mapping[str, str] = dataclasses.field(default_factory=dict)  # an empty column's value
    check: Callable[[dict[str, Any], str], None] | None = None  # of the cleaned values
    flat_same: Callable[[str], str] = _squeezed  # comparing a flat field with the list

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(self.cleaners)

    def empty(self, column: str) -> str:
        return self.defaults.get(column, "")

    # --- Values -----------------------------------------------------------------------------

    def clean(self, values: Any, where: str, *, partial: bool = False) -> dict[str, Any]:
        """One contact's fields, checked; errors name `<where>.<field>` (or the field alone)."""
        if not isinstance(values, dict):
            raise ServiceError(f"Give the {self.name} as an object.", field=where or self.name)
        prefix = f"{where}." if where else ""
        extra = sorted(set(values) - {*self.columns, "label", "is_primary"})
        if extra:
            raise ServiceError(f"Unknown field {extra[0]!r}.", field=prefix + extra[0])
        c = _Checker(values)
        for column, clean in self.cleaners.items():
            c.check(column, lambda v, f=prefix + column, fn=clean: fn(v, f))
        c.check("label", lambda v: _clean_label(v, prefix + "label"))
        c.check("is_primary", lambda v: _bool(v, prefix + "is_primary"))
        c.raise_if_errors()
        cleaned = c.cleaned
        if not partial:
            cleaned.setdefault("label", ContactLabel.HOME)
            cleaned.setdefault("is_primary", False)
            for column, value in self.defaults.items():
                cleaned.setdefault(column, value)
        given = not partial or any(f in cleaned for f in self.value_columns)
        if given and not any(cleaned.get(f) for f in self.value_columns):
            raise ServiceError(f"Give the {self.name}.", field=prefix + self.value_columns[0])
        if self.check is not None:
            self.check(cleaned, prefix)
        return cleaned

    def key(self, values: Any) -> tuple[str, ...]:
        """What makes two contacts of a donor the same one (of a dict or a row)."""

        def get(column: str) -> str:
            value = values.get(column) if isinstance(values, dict) else getattr(values, column)
            return str(value or "")

        return tuple(self.same(get(f)) for f in self.columns)

    def row_values(self, values: dict[str, Any]) -> dict[str, Any]:
        """The row's columns among `values`, with their stored normal forms."""
        row = {f: values[f] for f in self.columns if f in values}
        if self.stored_norms:
            row |= {f"{f}_norm": self.same(v) for f, v in list(row.items())}
        return row

    def shown(self, item: Any) -> str:
        if isinstance(item, dict):
            item = SimpleNamespace(**dict.fromkeys(self.columns, "") | item)
        return ", ".join(str(getattr(item, f)) for f in self.value_columns if getattr(item, f))

    def primary_item(self, items: list[dict[str, Any]]) -> Any:
        """The cleaned item flagged primary (else the first), as an object like a row."""
        if not items:
            return None
        item = next((i for i in items if i["is_primary"]), items[0])
        return SimpleNamespace(**{**self.defaults, **item})

    # --- Rows and the donor's columns ----------------------------------------------------

    def rows_of(self, donor: Donor) -> list[C]:
        return list(self.model.objects.filter(donor=donor).order_by("-is_primary", "id"))

    def row_of(self, donor: Donor, contact: C | int) -> C:
        found: C = resolve(
            self.model.objects.filter(donor=donor),
            contact,
            f"{self.name}_id",
            f"No such {self.name} of this donor.",
        )
        return found

    def columns_from_row(self, donor: Donor, row: Any | None) -> list[str]:
        """Copy the primary row into the donor's columns (clear them when there is none)."""
        changed = []
        for column in self.columns:
            value = getattr(row, column) if row is not None else self.empty(column)
            if getattr(donor, column) != value:
                setattr(donor, column, value)
                changed.append(column)
        return changed

    def sync_primary(self, organization: Organization, donor: Donor) -> list[str]:
        """Make the primary row equal the donor's columns: update, promote or create it; when
        the columns were cleared, drop it and promote the next one (if any) into the columns.
        Returns the donor columns that changed (by a promotion)."""
        cols = {f: getattr(donor, f) for f in self.columns}
        rows = self.rows_of(donor)
        primary = next((r for r in rows if r.is_primary), None)
        if any(cols[f] for f in self.value_columns):
            key = self.key(cols)
            same = next((r for r in rows if self.key(r) == key), None)
            if primary is not None and same is not None and same.pk != primary.pk:
                # The new primary value is a secondary already: that row becomes the primary.
                primary.is_primary = False
                primary.save(update_fields=["is_primary"])
                primary = None
            target = primary or same
            values = self.row_values(cols)
            if target is None:
                label = ContactLabel.WORK if donor.kind == DonorKind.ORGANIZATION else "home"
                self.model.objects.create(
                    organization=organization, donor=donor, is_primary=True, label=label, **values
                )
            else:
                for f, v in values.items():
                    setattr(target, f, v)
                target.is_primary = True
                target.save(update_fields=[*values, "is_primary"])
        elif primary is not None:
            primary.delete()
            rest = [r for r in rows if r.pk != primary.pk]
            if rest:
                rest[0].is_primary = True
                rest[0].save(update_fields=["is_primary"])
                return self.columns_from_row(donor, rest[0])
        return []

    def replace(
        self, organization: Organization, donor: Donor, items: list[dict[str, Any]]
    ) -> list[str]:
        """Replace the donor's contacts of the kind by `items` (already cleaned): the one
        flagged primary (else the first) goes into the donor's columns. Returns the changed
        columns."""
        self.model.objects.filter(donor=donor).delete()
        primary_at = next((i for i, item in enumerate(items) if item["is_primary"]), 0)
        rows = [
            self.model(
                organization=organization,
                donor=donor,
                label=item["label"],
                is_primary=(i == primary_at),
                **self.row_values(item),
            )
            for i, item in enumerate(items)
        ]
        # The primary first, so a unique violation can never come from the order.
        self.model.objects.bulk_create(sorted(rows, key=lambda r: not r.is_primary))
        return self.columns_from_row(donor, rows[primary_at] if rows else None)

    def clean_list(self, items: Any, fields: dict[str, Any], c: _Checker) -> None:
        """Check a list given to donor_create / donor_update whole into `c.cleaned`, every
        error naming its item and field. A primary given in the flat fields too (email=) must
        agree with the list."""
        if isinstance(items, str | bytes | dict) or not isinstance(items, Iterable):
            c.add(self.plural, f"Give the {self.plural} as a list.")
            return
        items = list(items)
        if len(items) > MAX_CONTACTS:
            c.add(self.plural, f"At most {MAX_CONTACTS} {self.plural}.")
            return
        out: list[dict[str, Any]] = []
        seen: set[tuple[str, ...]] = set()
        primaries = 0
        for i, item in enumerate(items):
            where = f"{self.plural}[{i}]"
            try:
                row = self.clean(item, where)
            except ServiceError as exc:
                c.errors.extend(exc.errors or [{"field": where, "message": exc.message}])
                continue
            key = self.key(row)
            if key in seen:
                c.add(f"{where}.{self.value_columns[0]}", f"This {self.name} is listed twice.")
            seen.add(key)
            if row["is_primary"]:
                primaries += 1
                if primaries > 1:
                    c.add(f"{where}.is_primary", f"Only one primary {self.name}.")
            out.append(row)
        c.cleaned[self.plural] = out
        # The flat fields (email=, phone=, address_*) and the list must not disagree.
        flat = [f for f in self.columns if f in fields]
        if flat and len(out) == len(items):
            primary = next((r for r in out if r["is_primary"]), out[0] if out else None)
            for f in flat:
                want = primary.get(f, "") if primary else self.empty(f)
                given = fields[f] if fields[f] is not None else ""
                if self.flat_same(str(given)) != self.flat_same(str(want)):
                    c.add(f, f"It differs from the primary of {self.plural}: give one of them.")

    # --- The services ----------------------------------------------------------------------

    def _saved(
        self,
        *,
        organization: Organization,
        actor: Any,
        donor: Donor,
        expected_version: int | None,
        action: str,
        changes: dict[str, Any],
    ) -> None:
        """After a write: the primary into the columns, norms, the versioned save, audit."""
        rows = self.rows_of(donor)
        primary = next((r for r in rows if r.is_primary), None)
        if primary is None and rows:
            primary = rows[0]
            primary.is_primary = True
            primary.save(update_fields=["is_primary"])
        fields = self.columns_from_row(donor, primary)
        norm_fields = _apply_norms(donor)
        donor.save_versioned(
            expected_version=donor.version if expected_version is None else expected_version,
            user=actor,
            fields=fields + norm_fields,
        )
        audit_record(
            action=f"donor.{self.name}_{action}",
            actor=actor,
            organization=organization,
            obj=donor,
            changes=changes,
        )

    def _duplicate(self) -> ServiceError:
        return ServiceError(f"The donor already has this {self.name}.", field=self.value_columns[0])

    @transaction.atomic
    def add(
        self,
        *,
        organization: Organization,
        actor: Any,
        access: Access | None,
        donor: Donor | int,
        label: str = ContactLabel.HOME,
        is_primary: bool = False,
        expected_version: int | None = None,
        **values: Any,
    ) -> C:
        """Another contact of the donor (its first, or one marked primary, goes into the
        donor's columns)."""
        require_perm(access, "donors.edit")
        with org_context(organization):
            row = _lock_donor(donor)
            cleaned = self.clean({**values, "label": label, "is_primary": is_primary}, "")
            rows = self.rows_of(row)
            if len(rows) >= MAX_CONTACTS:
                raise ServiceError(f"At most {MAX_CONTACTS} {self.plural}.", field=self.columns[0])
            key = self.key(cleaned)
            if any(self.key(r) == key for r in rows):
                raise self._duplicate()
            primary = cleaned["is_primary"] or not rows
            if primary:
                self.model.objects.filter(donor=row, is_primary=True).update(is_primary=False)
            contact = self.model.objects.create(
                organization=organization,
                donor=row,
                label=cleaned["label"],
                is_primary=primary,
                **self.row_values(cleaned),
            )
            self._saved(
                organization=organization,
                actor=actor,
                donor=row,
                expected_version=expected_version,
                action="add",
                changes={self.name: str(contact), "primary": primary},
            )
            return contact

    @transaction.atomic
    def update(
        self,
        *,
        organization: Organization,
        actor: Any,
        access: Access | None,
        donor: Donor | int,
        contact: C | int,
        expected_version: int | None = None,
        **values: Any,
    ) -> C:
        """Change a contact's values or label (email=, phone=, the address fields, label=)."""
        require_perm(access, "donors.edit")
        with org_context(organization):
            row = _lock_donor(donor)
            item = self.row_of(row, contact)
            cleaned = self.clean(values, "", partial=True)
            cleaned.pop("is_primary", None)  # set_primary does that
            before = str(item)
            key = self.key({f: getattr(item, f) for f in self.columns} | cleaned)
            if any(self.key(r) == key and r.pk != item.pk for r in self.rows_of(row)):
                raise self._duplicate()
            values_out = self.row_values(cleaned)
            if "label" in cleaned:
                values_out["label"] = cleaned["label"]
            for f, v in values_out.items():
                setattr(item, f, v)
            if values_out:
                item.save(update_fields=list(values_out))
            self._saved(
                organization=organization,
                actor=actor,
                donor=row,
                expected_version=expected_version,
                action="update",
                changes={self.name: {"before": before, "after": str(item)}},
            )
            return item

    @transaction.atomic
    def remove(
        self,
        *,
        organization: Organization,
        actor: Any,
        access: Access | None,
        donor: Donor | int,
        contact: C | int,
        expected_version: int | None = None,
    ) -> None:
        """Remove a contact; when it was the primary, the next one (oldest) becomes the
        primary."""
        require_perm(access, "donors.edit")
        with org_context(organization):
            row = _lock_donor(donor)
            item = self.row_of(row, contact)
            shown, was_primary = str(item), item.is_primary
            item.delete()
            self._saved(
                organization=organization,
                actor=actor,
                donor=row,
                expected_version=expected_version,
                action="remove",
                changes={self.name: shown, "primary": was_primary},
            )

    @transaction.atomic
    def set_primary(
        self,
        *,
        organization: Organization,
        actor: Any,
        access: Access | None,
        donor: Donor | int,
        contact: C | int,
        expected_version: int | None = None,
    ) -> C:
        """Make a contact the primary one (into the donor's columns)."""
        require_perm(access, "donors.edit")
        with org_context(organization):
            row = _lock_donor(donor)
            item = self.row_of(row, contact)
            if not item.is_primary:
                self.model.objects.filter(donor=row, is_primary=True).update(is_primary=False)
                item.is_primary = True
                item.save(update_fields=["is_primary"])
            self._saved(
                organization=organization,
                actor=actor,
                donor=row,
                expected_version=expected_version,
                action="set_primary",
                changes={self.name: str(item)},
            )
            return item


EMAILS = ContactKind(
    name="email",
    plural="emails",
    model=DonorEmail,
    cleaners={"email": _clean_email},
    value_columns=("email",),
    same=normalize.email,
    stored_norms=True,
    flat_same=normalize.email,
)
PHONES = ContactKind(
    name="phone",
    plural="phones",
    model=DonorPhone,
    cleaners={"phone": functools.partial(_text, limit=40)},
    value_columns=("phone",),
    same=normalize.phone,
    stored_norms=True,
    check=_check_phone_digits,
)
ADDRESSES = ContactKind(
    name="address",
    plural="addresses",
    model=DonorAddress,
    cleaners={
        **{f: functools.partial(_text, limit=DONOR_TEXT_FIELDS[f]) for f in _ADDRESS_COLUMNS[:-1]},
        "country": _clean_country,
    },
    value_columns=_ADDRESS_COLUMNS[:-1],
    same=lambda text: normalize.name(text),
    defaults={**dict.fromkeys(_ADDRESS_COLUMNS[:-1], ""), "country": "US"},
)
CONTACT_KINDS: dict[str, ContactKind[Any]] = {k.name: k for k in (EMAILS, PHONES, ADDRESSES)}
CONTACT_KINDS_BY_PLURAL = {k.plural: k for k in CONTACT_KINDS.values()}


def _sync_primary(organization: Organization, donor: Donor) -> list[str]:
    """Every kind's primary row equal to the donor's columns (ContactKind.sync_primary)."""
    return [f for kind in CONTACT_KINDS.values() for f in kind.sync_primary(organization, donor)]


def _clean_contact_lists(
    fields: dict[str, Any], lists: dict[str, Any]
) -> dict[str, list[dict[str, Any]]]:
    """Check the given lists (emails=, phones=, addresses=) whole (ContactKind.clean_list)."""
    c = _Checker({})
    for kind in CONTACT_KINDS.values():
        items = lists.get(kind.plural)
        if items is not None:
            kind.clean_list(items, fields, c)
    c.raise_if_errors()
    return c.cleaned


# The public services. The kinds differ only in how a new one is given: donor_email_add(email=),
# donor_phone_add(phone=), donor_address_add(address_line1=, ..., country=).


def donor_email_add(
    *,
    organization: Organization,
    actor: Any,
    access: Access | None,
    donor: Donor | int,
    email: str,
    label: str = ContactLabel.HOME,
    is_primary: bool = False,
    expected_version: int | None = None,
) -> DonorEmail:
    """Another email of the donor (its first, or one marked primary, goes into Donor.email)."""
    return EMAILS.add(
        organization=organization,
        actor=actor,
        access=access,
        donor=donor,
        email=email,
        label=label,
        is_primary=is_primary,
        expected_version=expected_version,
    )


def donor_phone_add(
    *,
    organization: Organization,
    actor: Any,
    access: Access | None,
    donor: Donor | int,
    phone: str,
    label: str = ContactLabel.HOME,
    is_primary: bool = False,
    expected_version: int | None = None,
) -> DonorPhone:
    """Another phone of the donor (its first, or one marked primary, goes into Donor.phone)."""
    return PHONES.add(
        organization=organization,
        actor=actor,
        access=access,
        donor=donor,
        phone=phone,
        label=label,
        is_primary=is_primary,
        expected_version=expected_version,
    )


# donor_address_add(..., address_line1=, address_line2=, city=, state=, postal_code=, country=)
donor_address_add = ADDRESSES.add
donor_email_update = EMAILS.update
donor_phone_update = PHONES.update
donor_address_update = ADDRESSES.update
donor_email_remove = EMAILS.remove
donor_phone_remove = PHONES.remove
donor_address_remove = ADDRESSES.remove
donor_email_set_primary = EMAILS.set_primary
donor_phone_set_primary = PHONES.set_primary
donor_address_set_primary = ADDRESSES.set_primary


# --- Households --------------------------------------------------------------------------------


def _clean_household(values: dict[str, Any]) -> dict[str, Any]:
    c = _Checker(values)
    limits = {
        "name": 200,
        "address_line1": 200,
        "address_line2": 200,
        "city": 100,
        "state": 50,
        "postal_code": 20,
    }
    for field, limit in limits.items():
        c.check(field, lambda v, f=field, n=limit: _text(v, f, n))
    c.raise_if_errors()
    if "name" in c.cleaned and not c.cleaned["name"]:
        raise ServiceError("Name the household, such as The Smith Family.", field="name")
    return c.cleaned


@transaction.atomic
def household_create(
    *,
    organization: Organization,
    actor: Any,
    access: Access | None,
    name: str,
    members: Iterable[Donor] = (),
    **fields: Any,
) -> Household:
    """A household with a shared address; the members join it (leaving any other)."""
    require_perm(access, "donors.edit")
    with org_context(organization):
        _unknown(fields, HOUSEHOLD_FIELDS)
        cleaned = _clean_household({"name": name, **fields})
        household = Household.objects.create(organization=organization, updated_by=actor, **cleaned)
        for member in members:
            _household_join(organization, actor, household, member)
        audit_record(
            action="household.create", actor=actor, organization=organization, obj=household
        )
        return household


def _household_join(
    organization: Organization, actor: Any, household: Household | None, donor: Any
) -> Donor:
    donor = resolve(Donor.objects.all(), donor, "donor_id", "No such donor.")
    donor.household = household
    donor.save_versioned(expected_version=donor.version, user=actor, fields=["household"])
    return donor


@transaction.atomic
def household_set_members(
    *,
    organization: Organization,
    actor: Any,
    access: Access | None,
    household: Household,
    add: Iterable[Donor] = (),
    remove: Iterable[Donor] = (),
) -> Household:
    require_perm(access, "donors.edit")
    with org_context(organization):
        household = resolve(
            Household.objects.all(), household, "household_id", "No such household."
        )
        for donor in add:
            _household_join(organization, actor, household, donor)
        for donor in remove:
            row = resolve(Donor.objects.all(), donor, "donor_id", "No such donor.")
            if row.household_id == household.pk:
                _household_join(organization, actor, None, row)
        audit_record(
            action="household.members",
            actor=actor,
            organization=organization,
            obj=household,
            changes={"members": list(household.members.values_list("pk", flat=True))},
        )
        return household


# --- Merge -------------------------------------------------------------------------------------


@transaction.atomic
def donor_merge(
    *, organization: Organization, actor: Any, access: Access | None, keep: Donor, merge: Donor
) -> Donor:
    """Fold `merge` into `keep`: every row that points at `merge` (donations, soft credits,
    notes, pledges, recurring gifts, receipts, and any other model with a foreign key to Donor)
    now points at `keep`; tags are added; `keep` takes the household and contact details it
    lacks. `merge` stays, inactive, with merged_into = keep. Both giving summaries are redone."""
    require_perm(access, "donors.edit")
    with org_context(organization):
        ids = sorted(i for i in (as_id(keep), as_id(merge)) if i is not None)
        rows = {d.pk: d for d in Donor.objects.select_for_update().filter(pk__in=ids)}
        keep_row = rows.get(as_id(keep))  # type: ignore[arg-type]
        merge_row = rows.get(as_id(merge))  # type: ignore[arg-type]
        if keep_row is None:
            raise ServiceError("No such donor.", field="keep_id")
        if merge_row is None:
            raise ServiceError("No such donor.", field="merge_id")
        if keep_row.pk == merge_row.pk:
            raise ServiceError("Choose two different donors.", field="merge_id")
        if keep_row.merged_into_id or merge_row.merged_into_id:
            raise ServiceError("One of these donors was already merged.", field="merge_id")
        moved: dict[str, int] = {}
        for rel in Donor._meta.related_objects:
            model = rel.related_model
            if rel.many_to_many or model is Donor or model is DonorGivingSummary:
                continue
            if model in (DonorEmail, DonorPhone, DonorAddress):
                continue  # below
            if not rel.one_to_many and not rel.one_to_one:
                continue
            if rel.one_to_one:
                continue
            if model is SoftCredit:
                # One soft credit per (donation, donor): drop merge's where keep already has one.
                taken = SoftCredit.objects.filter(donor=keep_row).values("donation_id")
                SoftCredit.objects.filter(donor=merge_row, donation_id__in=taken).delete()
            count = model._base_manager.filter(**{rel.field.name: merge_row}).update(
                **{rel.field.name: keep_row}
            )
            if count:
                moved[model._meta.label_lower] = count
        # Contacts: merge's become keep's secondary ones (the same ones once).
        for kind in CONTACT_KINDS.values():
            have = {kind.key(r) for r in kind.rows_of(keep_row)}
            count = 0
            for row in kind.rows_of(merge_row):
                if kind.key(row) in have:
                    row.delete()
                    continue
                have.add(kind.key(row))
                row.donor, row.is_primary = keep_row, False
                row.save(update_fields=["donor", "is_primary"])
                count += 1
            if count:
                moved[kind.model._meta.label_lower] = count
        keep_row.tags.add(*merge_row.tags.all())
        filled = []
        for field in (
            "email",
            "phone",
            "address_line1",
            "address_line2",
            "city",
            "state",
            "postal_code",
            "salutation",
            "household",
        ):
            if not getattr(keep_row, field) and getattr(merge_row, field):
                setattr(keep_row, field, getattr(merge_row, field))
                filled.append(field)
        filled += [f for f in _sync_primary(organization, keep_row) if f not in filled]
        norm_fields = _apply_norms(keep_row)
        keep_row.save_versioned(
            expected_version=keep_row.version, user=actor, fields=filled + norm_fields
        )
        _apply_norms(merge_row)  # its contacts moved: search finds it by them no more
        merge_row.is_active = False
        merge_row.merged_into = keep_row
        merge_row.household = None  # its household now counts the kept donor, not it
        merge_row.save_versioned(
            expected_version=merge_row.version,
            user=actor,
            fields=["is_active", "merged_into", "household", "search_text"],
        )
        _summary_refresh(organization, keep_row.pk)
        _summary_refresh(organization, merge_row.pk)
        audit_record(
            action="donor.merge",
            actor=actor,
            organization=organization,
            obj=keep_row,
            changes={
                "merged": {"id": merge_row.pk, "name": merge_row.name, "email": merge_row.email},
                "moved": moved,
                "filled": filled,
            },
        )
        return keep_row


# --- Campaigns and appeals ---------------------------------------------------------------------


@transaction.atomic
def campaign_create(
    *, organization: Organization, actor: Any, access: Access | None, name: str
) -> Campaign:
    require_perm(access, "donations.record")
    with org_context(organization):
        text = _text(name, "name", 200)
        if not text:
            raise ServiceError("Name the campaign.", field="name")
        if Campaign.objects.filter(name__iexact=text).exists():
            raise ServiceError("A campaign of that name exists.", field="name")
        row = Campaign.objects.create(organization=organization, name=text)
        audit_record(action="campaign.create", actor=actor, organization=organization, obj=row)
        return row


@transaction.atomic
def appeal_create(
    *,
    organization: Organization,
    actor: Any,
    access: Access | None,
    name: str,
    campaign: Campaign | None = None,
) -> Appeal:
    require_perm(access, "donations.record")
    with org_context(organization):
        text = _text(name, "name", 200)
        if not text:
            raise ServiceError("Name the appeal.", field="name")
        if Appeal.objects.filter(name__iexact=text).exists():
            raise ServiceError("An appeal of that name exists.", field="name")
        camp = None
        if campaign is not None:
            camp = resolve(Campaign.objects.all(), campaign, "campaign_id", "No such campaign.")
        row = Appeal.objects.create(organization=organization, name=text, campaign=camp)
        audit_record(action="appeal.create", actor=actor, organization=organization, obj=row)
        return row


# --- Giving summary ----------------------------------------------------------------------------


def _summary_refresh(organization: Organization, donor_id: int) -> DonorGivingSummary:
    """Recompute the donor's summary from the donations, in the caller's transaction."""
    year = timezone.localdate().year
    values = selectors.giving_aggregate(donor_id, year=year)
    summary, _ = DonorGivingSummary.objects.update_or_create(
        donor_id=donor_id,
        defaults={
            **values,
            "year": year,
            "updated_at": timezone.now(),
            "organization": organization,
        },
    )
    return summary


# --- Donations ---------------------------------------------------------------------------------


def _clean_donation(values: dict[str, Any], *, organization: Organization) -> dict[str, Any]:
    c = _Checker(values)

    def method(v: Any) -> str:
        if v not in Method.values:
            raise ServiceError(
                "Choose cash, check, card, bank transfer, online, in-kind or stock.",
                field="method",
            )
        return str(v)

    def optional(fn: Any) -> Any:
        return lambda v: None if v is None or v == "" else fn(v)

    c.check("amount", lambda v: money(v, "amount"))
    c.check(
        "goods_services_value", lambda v: money(v or "0", "goods_services_value", allow_zero=True)
    )
    c.check("date", lambda v: _date(v, "date"))
    c.check("method", method)
    c.check("check_number", lambda v: _text(v, "check_number", 30))
    c.check("description", lambda v: _long_text(v, "description", 2000))
    c.check(
        "goods_services_description", lambda v: _long_text(v, "goods_services_description", 2000)
    )
    c.check("designation", lambda v: _text(v, "designation", 500))
    c.check("notes", lambda v: _long_text(v, "notes", 5000))
    c.check("anonymous", lambda v: _bool(v, "anonymous"))
    c.check(
        "fund",
        lambda v: resolve(
            selectors.active_funds(), v, "fund_id", "Choose an active fund of this organization."
        ),
        error_field="fund_id",
    )
    c.check(
        "campaign",
        optional(
            lambda v: resolve(
                Campaign.objects.all(), v, "campaign_id", "Choose a campaign of this organization."
            )
        ),
        error_field="campaign_id",
    )
    c.check(
        "appeal",
        optional(
            lambda v: resolve(
                Appeal.objects.all(), v, "appeal_id", "Choose an appeal of this organization."
            )
        ),
        error_field="appeal_id",
    )
    c.check(
        "deposit_account",
        optional(
            lambda v: resolve(
                selectors.deposit_accounts(),
                v,
                "deposit_account_id",
                "Choose an active asset account of this organization.",
            )
        ),
        error_field="deposit_account_id",
    )
    c.raise_if_errors()
    return c.cleaned


def _check_donation(donation: Donation) -> None:
    """Rules across fields, checked on the donation as it will be saved."""
    c = _Checker({})
    if donation.goods_services_value > donation.amount:
        c.add(
            "goods_services_value",
            "The value of goods or services cannot be more than the amount given.",
        )
    if donation.goods_services_value > 0 and not donation.goods_services_description:
        c.add("goods_services_description", "Describe the goods or services the donor received.")
    if donation.method in NON_CASH_METHODS and not donation.description:
        c.add("description", "Describe what was given (the receipt names it without a value).")
    if donation.method != Method.CHECK and donation.check_number:
        c.add("check_number", "A check number goes with the check method only.")
    c.raise_if_errors()


def _post(organization: Organization, actor: Any, donation: Donation) -> None:
    entry = post_entry(
        organization=organization,
        actor=actor,
        date=donation.date,
        lines=gift_lines(
            amount=donation.amount,
            fund=donation.fund,
            method=donation.method,
            donor_name=donation.donor.name,
            deposit_account=donation.deposit_account,
        ),
        memo=gift_entry_memo(donation.reference, donation.donor.name),
        reference=donation.reference,
        source_type="donation",
        source_id=donation.pk,
    )
    donation.journal_entry = entry


def _soft_credits(
    organization: Organization, donation: Donation, soft_credits: Iterable[Any]
) -> list[SoftCredit]:
    """soft_credits: (donor, amount) pairs or {"donor": ..., "amount": ...} dicts."""
    rows: list[SoftCredit] = []
    seen: set[int] = set()
    for i, item in enumerate(soft_credits):
        where = f"soft_credits[{i}]"
        if isinstance(item, dict):
            donor_ref, amount = item.get("donor", item.get("donor_id")), item.get("amount")
        else:
            try:
                donor_ref, amount = item
            except (TypeError, ValueError):
                raise ServiceError("Give a donor and an amount.", field=where) from None
        donor = resolve(
            Donor.objects.filter(merged_into__isnull=True),
            donor_ref,
            f"{where}.donor_id",
            "Choose a donor of this organization.",
        )
        if donor.pk == donation.donor_id:
            raise ServiceError("The donor already has the hard credit.", field=f"{where}.donor_id")
        if donor.pk in seen:
            raise ServiceError("Each donor once.", field=f"{where}.donor_id")
        seen.add(donor.pk)
        value = donation.amount if amount is None else money(amount, f"{where}.amount")
        if value > donation.amount:
            raise ServiceError("At most the amount of the gift.", field=f"{where}.amount")
        rows.append(
            SoftCredit(organization=organization, donation=donation, donor=donor, amount=value)
        )
    return SoftCredit.objects.bulk_create(rows)


def _advance_recurring(gift: RecurringGift, paid_on: date_type) -> None:
    """A gift received moves the next date on; not while the recurring gift is paused (a gift
    that comes anyway is recorded against it, and the schedule stays where it stopped)."""
    if gift.status == RecurringStatus.PAUSED:
        return
    if gift.next_date is None or paid_on < gift.next_date - timedelta(days=31):
        return
    gift.next_date = next_date(gift.next_date, gift.frequency)
    if gift.end_date and gift.next_date > gift.end_date:
        gift.next_date = None
        gift.status = RecurringStatus.ENDED
    gift.save(update_fields=["next_date", "status"])


def next_date(current: date_type, frequency: str) -> date_type:
    if frequency == Frequency.WEEKLY:
        return current + timedelta(days=7)
    months = {Frequency.MONTHLY: 1, Frequency.QUARTERLY: 3, Frequency.ANNUALLY: 12}[
        Frequency(frequency)
    ]
    month = current.month - 1 + months
    year, month = current.year + month // 12, month % 12 + 1
    day = min(current.day, calendar.monthrange(year, month)[1])
    return date_type(year, month, day)


def _pledge_payment(
    pledge: Pledge, amount: Decimal, *, overpayment: bool, excluding: int | None = None
) -> bool:
    """Refuse a gift larger than what the pledge still owes unless the user marked it as an
    overpayment; True when it is one. What is owed counts every gift applied that is not voided
    (one waiting in an open batch too: it posts with the batch). The caller holds the pledge's
    row lock, so two gifts at once cannot both take the last of it."""
    applied = Donation.objects.filter(pledge=pledge).exclude(status=DonationStatus.VOIDED)
    if excluding is not None:
        applied = applied.exclude(pk=excluding)
    sums = applied.aggregate(
        total=models.Sum("amount"),
        pending=models.Sum("amount", filter=models.Q(status=DonationStatus.PENDING)),
    )
    owed = max(pledge.total - (sums["total"] or ZERO), ZERO)
    if amount <= owed:
        return False
    if overpayment:
        return True
    waiting = sums["pending"] or ZERO
    note = f" (counting {waiting:,.2f} waiting in an open batch)" if waiting else ""
    raise ServiceError(
        f"Pledge {pledge.pk} still owes {owed:,.2f}{note}: this gift of {amount:,.2f} is "
        f"{amount - owed:,.2f} more. Lower the amount, or mark the gift as an overpayment.",
        field="amount",
    )


@transaction.atomic
def donation_record(
    *,
    organization: Organization,
    actor: Any,
    access: Access | None,
    donor: Donor | int,
    amount: Any,
    date: date_type,
    method: str,
    fund: Any,
    check_number: str = "",
    description: str = "",
    goods_services_description: str = "",
    goods_services_value: Any = ZERO,
    campaign: Any = None,
    appeal: Any = None,
    designation: str = "",
    anonymous: bool = False,
    notes: str = "",
    soft_credits: Iterable[Any] = (),
    pledge: Any = None,
    pledge_overpayment: bool = False,
    recurring: Any = None,
    batch: Any = None,
    deposit_account: Any = None,
) -> Donation:
    """Record a gift and post it to the ledger in this transaction (a gift entered into an open
    batch waits, pending, until the batch posts). Every input error names its field. A gift
    applied to a pledge may be more than the pledge still owes only with
    `pledge_overpayment`."""
    require_perm(access, "donations.record")
    with org_context(organization):
        errors: list[dict[str, str]] = []
        donor_row = None
        try:
            donor_row = resolve(
                Donor.objects.filter(merged_into__isnull=True),
                donor,
                "donor_id",
                "Choose a donor of this organization.",
            )
        except ServiceError as exc:
            errors.extend(exc.errors)
        try:
            cleaned = _clean_donation(
                {
                    "amount": amount,
                    "date": date,
                    "method": method,
                    "fund": fund,
                    "check_number": check_number,
                    "description": description,
                    "goods_services_description": goods_services_description,
                    "goods_services_value": goods_services_value,
                    "campaign": campaign,
                    "appeal": appeal,
                    "designation": designation,
                    "anonymous": anonymous,
                    "notes": notes,
                    "deposit_account": deposit_account,
                },
                organization=organization,
            )
        except ServiceError as exc:
            errors.extend(exc.errors)
            cleaned = {}
        links: dict[str, Any] = {}
        for field, value, qs in (
            ("pledge", pledge, Pledge.objects.select_for_update()),
            ("recurring", recurring, RecurringGift.objects.all()),
            ("batch", batch, GiftBatch.objects.select_for_update()),
        ):
            if value is None:
                continue
            try:
                links[field] = resolve(qs, value, f"{field}_id", f"No such {field} here.")
            except ServiceError as exc:
                errors.extend(exc.errors)
        if errors:
            raise ServiceError(
                "; ".join(f"{e['field']}: {e['message']}" for e in errors), errors=errors
            )
        assert donor_row is not None
        for field in ("pledge", "recurring"):
            link = links.get(field)
            if link is not None and link.donor_id != donor_row.pk:
                raise ServiceError(f"That {field} belongs to another donor.", field=f"{field}_id")
        if links.get("pledge") is not None and links["pledge"].status == PledgeStatus.CANCELLED:
            raise ServiceError("That pledge was cancelled.", field="pledge_id")
        batch_row = links.get("batch")
        if batch_row is not None and batch_row.status != BatchStatus.OPEN:
            raise ServiceError("That batch has been posted: start a new one.", field="batch_id")
        donation = Donation(
            organization=organization,
            donor=donor_row,
            created_by=actor,
            updated_by=actor,
            status=DonationStatus.PENDING if batch_row else DonationStatus.ACTIVE,
            **cleaned,
            **links,
        )
        if batch_row is not None and donation.deposit_account is None:
            donation.deposit_account = batch_row.deposit_account
        _check_donation(donation)
        if donation.pledge is not None:
            donation.pledge_overpayment = _pledge_payment(
                donation.pledge, donation.amount, overpayment=bool(pledge_overpayment)
            )
        # Save first (the entry names the donation), then post; the row is only "active"
        # with its entry, which the database checks at the end of the statement.
        if batch_row is None:
            donation.status = DonationStatus.PENDING
        donation.save()
        _soft_credits(organization, donation, soft_credits)
        if batch_row is None:
            _post(organization, actor, donation)
            donation.status = DonationStatus.ACTIVE
            donation.save(update_fields=["journal_entry", "status"])
        if links.get("recurring") is not None:
            _advance_recurring(links["recurring"], donation.date)
        if links.get("pledge") is not None:
            _pledge_status_refresh(links["pledge"])
        _summary_refresh(organization, donor_row.pk)
        audit_record(
            action="donation.record",
            actor=actor,
            organization=organization,
            obj=donation,
            changes={
                "donor": donor_row.pk,
                "amount": str(donation.amount),
                "date": str(donation.date),
                "method": donation.method,
                "fund": donation.fund.code,
                "journal_entry": donation.journal_entry_id,
                "batch": batch_row.pk if batch_row else None,
                "pledge": donation.pledge_id,
                "pledge_overpayment": donation.pledge_overpayment,
            },
        )
        return donation


def _lock_donation(donation: Any) -> Donation:
    row = (
        Donation.objects.select_for_update(of=("self",))
        .select_related("donor", "fund", "deposit_account")
        .filter(pk=as_id(donation) or 0)
        .first()
    )
    if row is None:
        raise ServiceError("No such donation.", field="donation_id")
    return row


@transaction.atomic
def donation_update(
    *,
    organization: Organization,
    actor: Any,
    access: Access | None,
    donation: Donation | int,
    expected_version: int,
    **fields: Any,
) -> Donation:
    """Change a donation. A change of amount, date, method, fund or deposit account of a posted
    gift reverses its entry and posts a new one (the donation then points at the new entry).
    `pledge` (a pledge of the same donor, or None) moves the gift to another pledge or off
    one; `pledge_overpayment` as in donation_record."""
    require_perm(access, "donations.record")
    with org_context(organization):
        row = _lock_donation(donation)
        if row.status == DonationStatus.VOIDED:
            raise ConflictError(message="A voided donation cannot be changed.")
        if row.version != expected_version:
            raise ConflictError(changed_by=str(row.updated_by or ""), changed_at=row.updated_at)
        links: dict[str, Any] = {
            k: fields.pop(k) for k in ("pledge", "pledge_overpayment") if k in fields
        }
        _unknown(fields, DONATION_FIELDS)
        cleaned = _clean_donation(fields, organization=organization)
        changes: dict[str, Any] = {}
        for field, value in cleaned.items():
            before = getattr(row, field)
            if before != value:
                changes[field] = {
                    "before": str(before if before is not None else ""),
                    "after": str(value if value is not None else ""),
                }
            setattr(row, field, value)
        _check_donation(row)
        soft_total = row.soft_credits.aggregate(m=models.Max("amount"))["m"]
        if soft_total and soft_total > row.amount:
            raise ServiceError(
                "A soft credit is larger than the new amount: change it first.", field="amount"
            )
        old_pledge = row.pledge
        save_fields = list(cleaned)
        if _relink_pledge(row, links, changes):
            save_fields += ["pledge", "pledge_overpayment"]
        old_entry = row.journal_entry
        repost = row.status == DonationStatus.ACTIVE and bool(POSTING_FIELDS & set(changes))
        if repost:
            assert old_entry is not None
            reversal = reverse_entry(
                organization=organization,
                actor=actor,
                entry=old_entry,
                memo=f"Donation {row.reference} changed",
            )
            _post(organization, actor, row)
            save_fields.append("journal_entry")
            changes["journal_entry"] = {
                "before": old_entry.pk,
                "after": row.journal_entry_id,
                "reversal": reversal.pk,
            }
        row.save_versioned(expected_version=expected_version, user=actor, fields=save_fields)
        if old_pledge is not None and old_pledge.pk != row.pledge_id:
            _pledge_status_refresh(old_pledge)
        if row.pledge is not None:
            _pledge_status_refresh(row.pledge)
        _summary_refresh(organization, row.donor_id)
        audit_record(
            action="donation.update",
            actor=actor,
            organization=organization,
            obj=row,
            changes=changes,
        )
        return row


def _relink_pledge(row: Donation, links: dict[str, Any], changes: dict[str, Any]) -> bool:
    """Apply a change of the gift's pledge (or of its overpayment mark) to `row`, checking the
    pledge is the donor's, not cancelled, and owed at least the gift unless marked; records the
    changes. True when the pledge or the mark changed."""
    before_pledge, before_over = row.pledge_id, row.pledge_overpayment
    if "pledge" in links:
        if links["pledge"] is None:
            row.pledge = None
        else:
            pledge = resolve(
                Pledge.objects.select_for_update(),
                links["pledge"],
                "pledge_id",
                "No such pledge here.",
            )
            if pledge.donor_id != row.donor_id:
                raise ServiceError("That pledge belongs to another donor.", field="pledge_id")
            if pledge.pk != before_pledge and pledge.status == PledgeStatus.CANCELLED:
                raise ServiceError("That pledge was cancelled.", field="pledge_id")
            row.pledge = pledge
    if "pledge_overpayment" in links:
        overpayment = _bool(links["pledge_overpayment"], "pledge_overpayment")
    else:
        overpayment = before_over
    if row.pledge is None:
        row.pledge_overpayment = False
    elif row.pledge_id != before_pledge or "amount" in changes or overpayment != before_over:
        if row.pledge_id == before_pledge:  # the same pledge: hold its row while checking
            Pledge.objects.select_for_update().filter(pk=row.pledge.pk).first()
        row.pledge_overpayment = _pledge_payment(
            row.pledge, row.amount, overpayment=overpayment, excluding=row.pk
        )
    for field, before, after in (
        ("pledge", before_pledge, row.pledge_id),
        ("pledge_overpayment", before_over, row.pledge_overpayment),
    ):
        if before != after:
            changes[field] = {
                "before": "" if before is None else str(before),
                "after": "" if after is None else str(after),
            }
    return row.pledge_id != before_pledge or row.pledge_overpayment != before_over


@transaction.atomic
def donation_void(
    *,
    organization: Organization,
    actor: Any,
    access: Access | None,
    donation: Donation | int,
    reason: str,
) -> Donation:
    """Void a gift: its entry is reversed (a pending batch gift just leaves the batch count)."""
    require_perm(access, "donations.record")
    with org_context(organization):
        row = _lock_donation(donation)
        text = _text(reason, "reason", 500)
        if not text:
            raise ServiceError("Say why the donation is voided.", field="reason")
        if row.status == DonationStatus.VOIDED:
            raise ConflictError(message="This donation is already voided.")
        reversal = None
        if row.status == DonationStatus.ACTIVE and row.journal_entry is not None:
            reversal = reverse_entry(
                organization=organization,
                actor=actor,
                entry=row.journal_entry,
                date=_void_date(organization, row),
                memo=f"Void of donation {row.reference}: {text}"[:500],
            )
        row.status = DonationStatus.VOIDED
        row.void_reason = text
        row.voided_at = timezone.now()
        row.save_versioned(
            expected_version=row.version, user=actor, fields=["status", "void_reason", "voided_at"]
        )
        if row.pledge is not None:
            _pledge_status_refresh(row.pledge)
        _summary_refresh(organization, row.donor_id)
        audit_record(
            action="donation.void",
            actor=actor,
            organization=organization,
            obj=row,
            changes={"reason": text, "reversal": reversal.pk if reversal else None},
        )
        return row


def _void_date(organization: Organization, donation: Donation) -> date_type:
    """Reverse on the gift's date when its period is open, else today (a closed period stays
    as it was reported)."""
    from ifm.ledger.models import Period, PeriodStatus

    period = Period.objects.filter(
        start_date__lte=donation.date, end_date__gte=donation.date
    ).first()
    if period is not None and period.status == PeriodStatus.OPEN:
        return donation.date
    return timezone.localdate()


# --- Pledges -----------------------------------------------------------------------------------

MAX_INSTALLMENTS = 120


def _months_later(day: date_type, months: int) -> date_type:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date_type(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _equal_installments(
    total: Decimal, first_due: date_type, count: int, frequency: str
) -> list[tuple[date_type, Decimal]]:
    """`count` installments of `total`, every `frequency` from `first_due` (the 31st stays the
    end of each month); the cents that do not divide evenly go on the first."""
    each = (total / count).quantize(CENT, rounding=ROUND_DOWN)
    amounts = [total - each * (count - 1), *([each] * (count - 1))]
    if frequency == Frequency.WEEKLY:
        dues = [first_due + timedelta(days=7 * i) for i in range(count)]
    else:
        step = {Frequency.MONTHLY: 1, Frequency.QUARTERLY: 3, Frequency.ANNUALLY: 12}[
            Frequency(frequency)
        ]
        dues = [_months_later(first_due, step * i) for i in range(count)]
    return [(d, a) for d, a in zip(dues, amounts, strict=True) if a > 0]


def _pledge_status_refresh(pledge: Pledge) -> None:
    pledge = Pledge.objects.get(pk=pledge.pk)
    if pledge.status == PledgeStatus.CANCELLED:
        return
    status = PledgeStatus.FULFILLED if pledge.balance_due == 0 else PledgeStatus.OPEN
    if status != pledge.status:
        Pledge.objects.filter(pk=pledge.pk).update(status=status)


@transaction.atomic
def pledge_create(
    *,
    organization: Organization,
    actor: Any,
    access: Access | None,
    donor: Donor | int,
    total: Any,
    date: date_type,
    fund: Any,
    installments: Sequence[tuple[date_type, Any]] = (),
    installment_count: int | None = None,
    frequency: str = Frequency.MONTHLY,
    campaign: Any = None,
    notes: str = "",
) -> Pledge:
    """A promise of `total`. `installments` (due date, amount) must add up to the total; with
    none, one installment of the whole total falls due on `date`. Or `installment_count`
    equal installments (the cents left over go on the first), the first due on `date` and the
    next every `frequency`. Installments fall due at most ten years after `date`."""
    require_perm(access, "donations.record")
    with org_context(organization):
        c = _Checker(
            {
                "donor": donor,
                "total": total,
                "date": date,
                "fund": fund,
                "campaign": campaign,
                "notes": notes,
            }
        )
        c.check(
            "donor",
            lambda v: resolve(
                Donor.objects.filter(merged_into__isnull=True),
                v,
                "donor_id",
                "Choose a donor of this organization.",
            ),
            error_field="donor_id",
        )
        c.check("total", lambda v: money(v, "total"))
        c.check("date", lambda v: _date(v, "date"))
        c.check(
            "fund",
            lambda v: resolve(
                selectors.active_funds(),
                v,
                "fund_id",
                "Choose an active fund of this organization.",
            ),
            error_field="fund_id",
        )
        c.check(
            "campaign",
            lambda v: (
                None
                if v is None
                else resolve(Campaign.objects.all(), v, "campaign_id", "No such campaign.")
            ),
            error_field="campaign_id",
        )
        c.check("notes", lambda v: _long_text(v, "notes", 2000))
        if installment_count is not None:
            if installments:
                c.add("installment_count", "Give either the installments or their number.")
            elif (
                isinstance(installment_count, bool)
                or not isinstance(installment_count, int)
                or not 1 <= installment_count <= MAX_INSTALLMENTS
            ):
                c.add("installment_count", f"From 1 to {MAX_INSTALLMENTS} installments.")
            if frequency not in Frequency.values:
                c.add("frequency", f"Choose one of {', '.join(Frequency.values)}.")
        c.raise_if_errors()
        cleaned = c.cleaned
        if installment_count is not None:
            installments = _equal_installments(
                cleaned["total"], cleaned["date"], installment_count, frequency
            )
        schedule: list[tuple[date_type, Decimal]] = []
        latest = _months_later(cleaned["date"], 120)
        for i, item in enumerate(installments or [(cleaned["date"], cleaned["total"])]):
            try:
                due, amount = item
            except (TypeError, ValueError):
                raise ServiceError(
                    "Give a due date and an amount.", field=f"installments[{i}]"
                ) from None
            if not isinstance(due, date_type) or not date_type(1900, 1, 1) <= due <= latest:
                raise ServiceError(
                    "Give a date as YYYY-MM-DD, at most ten years after the pledge date.",
                    field=f"installments[{i}].due_date",
                )
            schedule.append((due, money(amount, f"installments[{i}].amount")))
        if sum((a for _, a in schedule), ZERO) != cleaned["total"]:
            raise ServiceError(
                "The installments must add up to the pledged total.", field="installments"
            )
        pledge = Pledge.objects.create(organization=organization, updated_by=actor, **cleaned)
        PledgeInstallment.objects.bulk_create(
            [
                PledgeInstallment(organization=organization, pledge=pledge, due_date=d, amount=a)
                for d, a in sorted(schedule)
            ]
        )
        audit_record(
            action="pledge.create",
            actor=actor,
            organization=organization,
            obj=pledge,
            changes={"donor": pledge.donor_id, "total": str(pledge.total)},
        )
        return pledge


@transaction.atomic
def pledge_cancel(
    *,
    organization: Organization,
    actor: Any,
    access: Access | None,
    pledge: Pledge | int,
    reason: str,
) -> Pledge:
    """Nothing more is expected of the pledge; gifts already applied stay. The reason is kept on
    the pledge and in the audit log."""
    require_perm(access, "donations.record")
    with org_context(organization):
        row = resolve(Pledge.objects.select_for_update(), pledge, "pledge_id", "No such pledge.")
        text = _text(reason, "reason", 500)
        if not text:
            raise ServiceError("Say why the pledge is cancelled.", field="reason")
        if row.status == PledgeStatus.CANCELLED:
            raise ConflictError(message=f"Pledge {row.pk} is already cancelled.")
        if row.status == PledgeStatus.FULFILLED:
            raise ServiceError(
                f"Pledge {row.pk} is fulfilled: every promised amount was given.", field="status"
            )
        before = row.status
        row.status = PledgeStatus.CANCELLED
        row.cancel_reason = text
        row.cancelled_at = timezone.now()
        row.save_versioned(
            expected_version=row.version,
            user=actor,
            fields=["status", "cancel_reason", "cancelled_at"],
        )
        audit_record(
            action="pledge.cancel",
            actor=actor,
            organization=organization,
            obj=row,
            changes={"status": {"before": before, "after": row.status}, "reason": text},
        )
        return row


# --- Recurring gifts ---------------------------------------------------------------------------


@transaction.atomic
def recurring_gift_create(
    *,
    organization: Organization,
    actor: Any,
    access: Access | None,
    donor: Donor | int,
    amount: Any,
    frequency: str,
    start_date: date_type,
    fund: Any,
    method: str = Method.CARD,
    end_date: date_type | None = None,
) -> RecurringGift:
    require_perm(access, "donations.record")
    with org_context(organization):
        c = _Checker(
            {
                "donor": donor,
                "amount": amount,
                "frequency": frequency,
                "start_date": start_date,
                "fund": fund,
                "method": method,
                "end_date": end_date,
            }
        )
        c.check(
            "donor",
            lambda v: resolve(
                Donor.objects.filter(merged_into__isnull=True),
                v,
                "donor_id",
                "Choose a donor of this organization.",
            ),
            error_field="donor_id",
        )
        c.check("amount", lambda v: money(v, "amount"))
        c.check("start_date", lambda v: _date(v, "start_date"))
        c.check("end_date", lambda v: None if v is None else _date(v, "end_date"))
        c.check(
            "fund",
            lambda v: resolve(
                selectors.active_funds(),
                v,
                "fund_id",
                "Choose an active fund of this organization.",
            ),
            error_field="fund_id",
        )

        def choice(values: list[str], field: str) -> Any:
            def fn(v: Any) -> str:
                if v not in values:
                    raise ServiceError(f"Choose one of {', '.join(values)}.", field=field)
                return str(v)

            return fn

        c.check("frequency", choice(Frequency.values, "frequency"))
        c.check("method", choice([m for m in Method.values if m not in NON_CASH_METHODS], "method"))
        c.raise_if_errors()
        cleaned = c.cleaned
        if cleaned.get("end_date") and cleaned["end_date"] < cleaned["start_date"]:
            raise ServiceError("The end date comes after the start date.", field="end_date")
        gift = RecurringGift.objects.create(
            organization=organization,
            updated_by=actor,
            next_date=cleaned["start_date"],
            **cleaned,
        )
        audit_record(
            action="recurring_gift.create", actor=actor, organization=organization, obj=gift
        )
        return gift


@transaction.atomic
def recurring_gift_set_status(
    *,
    organization: Organization,
    actor: Any,
    access: Access | None,
    gift: RecurringGift | int,
    status: str,
    expected_version: int,
) -> RecurringGift:
    """Pause, resume, mark lapsed or end a recurring gift. An ended gift stays ended."""
    require_perm(access, "donations.record")
    with org_context(organization):
        row = resolve(RecurringGift.objects.all(), gift, "recurring_id", "No such recurring gift.")
        if status not in RecurringStatus.values:
            raise ServiceError("Choose active, paused, lapsed or ended.", field="status")
        if row.status == RecurringStatus.ENDED and status != RecurringStatus.ENDED:
            raise ServiceError(
                "An ended recurring gift cannot restart: set up a new one.", field="status"
            )
        before = row.status
        row.status = status
        if status == RecurringStatus.ENDED:
            row.next_date = None
        row.save_versioned(
            expected_version=expected_version, user=actor, fields=["status", "next_date"]
        )
        audit_record(
            action="recurring_gift.status",
            actor=actor,
            organization=organization,
            obj=row,
            changes={"status": {"before": before, "after": status}},
        )
        return row


# --- Gift batches ------------------------------------------------------------------------------


@transaction.atomic
def gift_batch_create(
    *,
    organization: Organization,
    actor: Any,
    access: Access | None,
    name: str,
    date: date_type,
    expected_count: int,
    expected_total: Any,
    deposit_account: Any = None,
) -> GiftBatch:
    require_perm(access, "donations.record")
    with org_context(organization):
        c = _Checker(
            {
                "name": name,
                "date": date,
                "expected_count": expected_count,
                "expected_total": expected_total,
                "deposit_account": deposit_account,
            }
        )
        c.check("name", lambda v: _text(v, "name", 200) or "")
        c.check("date", lambda v: _date(v, "date"))

        def count(v: Any) -> int:
            if isinstance(v, bool) or not isinstance(v, int) or not 1 <= v <= 100_000:
                raise ServiceError(
                    "Give the number of gifts (1 to 100000).", field="expected_count"
                )
            return v

        c.check("expected_count", count)
        c.check("expected_total", lambda v: money(v, "expected_total"))
        c.check(
            "deposit_account",
            lambda v: (
                None
                if v is None
                else resolve(
                    selectors.deposit_accounts(),
                    v,
                    "deposit_account_id",
                    "Choose an active asset account of this organization.",
                )
            ),
            error_field="deposit_account_id",
        )
        c.raise_if_errors()
        cleaned = c.cleaned
        if not cleaned["name"]:
            cleaned["name"] = f"Deposit {cleaned['date']:%Y-%m-%d}"
        batch = GiftBatch.objects.create(
            organization=organization, created_by=actor, updated_by=actor, **cleaned
        )
        audit_record(action="gift_batch.create", actor=actor, organization=organization, obj=batch)
        return batch


@transaction.atomic
def gift_batch_post(
    *, organization: Organization, actor: Any, access: Access | None, batch: GiftBatch | int
) -> GiftBatch:
    """Post every pending gift of the batch, all in this transaction, when the batch's count
    and total equal what was expected."""
    require_perm(access, "donations.record")
    with org_context(organization):
        row = resolve(GiftBatch.objects.select_for_update(), batch, "batch_id", "No such batch.")
        if row.status != BatchStatus.OPEN:
            raise ConflictError(message="This batch has already been posted.")
        count, total = selectors.batch_totals(row)
        if count != row.expected_count or total != row.expected_total:
            raise ServiceError(
                f"The batch does not match: {count} gifts totalling {total:.2f} entered, "
                f"{row.expected_count} totalling {row.expected_total:.2f} expected.",
                field="expected_total" if count == row.expected_count else "expected_count",
            )
        donations = list(
            row.donations.select_for_update(of=("self",))
            .filter(status=DonationStatus.PENDING)
            .select_related("donor", "fund", "deposit_account")
            .order_by("pk")
        )
        for donation in donations:
            _post(organization, actor, donation)
            donation.status = DonationStatus.ACTIVE
        Donation.objects.bulk_update(donations, ["journal_entry", "status"])
        for donor_id in sorted({d.donor_id for d in donations}):
            _summary_refresh(organization, donor_id)
        for pledge_id in sorted({d.pledge_id for d in donations if d.pledge_id}):
            _pledge_status_refresh(Pledge.objects.get(pk=pledge_id))
        row.status = BatchStatus.POSTED
        row.posted_at = timezone.now()
        row.posted_by = actor
        row.save_versioned(
            expected_version=row.version, user=actor, fields=["status", "posted_at", "posted_by"]
        )
        audit_record(
            action="gift_batch.post",
            actor=actor,
            organization=organization,
            obj=row,
            changes={"count": count, "total": str(total)},
        )
        return row
