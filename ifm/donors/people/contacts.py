"""A donor's emails, phones and addresses: one ContactKind per kind gives its add, update,
remove and set-primary services. The primary of each kind is copied onto the donor row, and
the donor's normal forms (used for duplicate matching and search) are refreshed with it."""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any, Generic, TypeVar

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from ifm.accounts.models import User
from ifm.audit.services import audit_record
from ifm.core.errors import ServiceError
from ifm.core.lookups import resolve
from ifm.donors import normalize
from ifm.donors.models import (
    ContactLabel,
    Donor,
    DonorAddress,
    DonorContact,
    DonorEmail,
    DonorKind,
    DonorPhone,
)
from ifm.donors.validation import Checker, clean_bool, clean_text
from ifm.tenancy.models import Organization
from ifm.tenancy.permissions import Access, org_service

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


def apply_norms(donor: Donor) -> list[str]:
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
        c = Checker(values)
        for column, clean in self.cleaners.items():
            c.check(column, lambda v, f=prefix + column, fn=clean: fn(v, f))
        c.check("label", lambda v: _clean_label(v, prefix + "label"))
        c.check("is_primary", lambda v: clean_bool(v, prefix + "is_primary"))
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

    def clean_list(self, items: Any, fields: dict[str, Any], c: Checker) -> None:
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
        actor: User,
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
        norm_fields = apply_norms(donor)
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

    @org_service("donors.edit")
    def add(
        self,
        *,
        organization: Organization,
        actor: User,
        access: Access | None,
        donor: Donor | int,
        label: str = ContactLabel.HOME,
        is_primary: bool = False,
        expected_version: int | None = None,
        **values: Any,
    ) -> C:
        """Another contact of the donor (its first, or one marked primary, goes into the
        donor's columns)."""
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

    @org_service("donors.edit")
    def update(
        self,
        *,
        organization: Organization,
        actor: User,
        access: Access | None,
        donor: Donor | int,
        contact: C | int,
        expected_version: int | None = None,
        **values: Any,
    ) -> C:
        """Change a contact's values or label (email=, phone=, the address fields, label=)."""
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

    @org_service("donors.edit")
    def remove(
        self,
        *,
        organization: Organization,
        actor: User,
        access: Access | None,
        donor: Donor | int,
        contact: C | int,
        expected_version: int | None = None,
    ) -> None:
        """Remove a contact; when it was the primary, the next one (oldest) becomes the
        primary."""
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

    @org_service("donors.edit")
    def set_primary(
        self,
        *,
        organization: Organization,
        actor: User,
        access: Access | None,
        donor: Donor | int,
        contact: C | int,
        expected_version: int | None = None,
    ) -> C:
        """Make a contact the primary one (into the donor's columns)."""
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
    cleaners={"phone": functools.partial(clean_text, limit=40)},
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
        **{
            f: functools.partial(clean_text, limit=DONOR_TEXT_FIELDS[f])
            for f in _ADDRESS_COLUMNS[:-1]
        },
        "country": _clean_country,
    },
    value_columns=_ADDRESS_COLUMNS[:-1],
    same=lambda text: normalize.name(text),
    defaults={**dict.fromkeys(_ADDRESS_COLUMNS[:-1], ""), "country": "US"},
)
CONTACT_KINDS: dict[str, ContactKind[Any]] = {k.name: k for k in (EMAILS, PHONES, ADDRESSES)}
CONTACT_KINDS_BY_PLURAL = {k.plural: k for k in CONTACT_KINDS.values()}


def sync_primary(organization: Organization, donor: Donor) -> list[str]:
    """Every kind's primary row equal to the donor's columns (ContactKind.sync_primary)."""
    return [f for kind in CONTACT_KINDS.values() for f in kind.sync_primary(organization, donor)]


def clean_contact_lists(
    fields: dict[str, Any], lists: dict[str, Any]
) -> dict[str, list[dict[str, Any]]]:
    """Check the given lists (emails=, phones=, addresses=) whole (ContactKind.clean_list)."""
    c = Checker({})
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
    actor: User,
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
    actor: User,
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
