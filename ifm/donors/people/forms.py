"""Forms of the donor and household pages: filters, the donor form, notes, contacts, and the
household form with its member pickers."""

from __future__ import annotations

from typing import Any

from django import forms

from ifm.donors.forms import model_field
from ifm.donors.models import (
    ContactLabel,
    Donor,
    DonorKind,
    Household,
    Tag,
)
from ifm.tenancy.forms import BootstrapMixin

DONOR_FIELDS = (
    "kind",
    "first_name",
    "last_name",
    "organization_name",
    "salutation",
    "email",
    "phone",
    "address_line1",
    "address_line2",
    "city",
    "state",
    "postal_code",
    "country",
    "household",
    "no_email",
    "no_mail",
    "no_phone",
    "anonymous",
    "is_deceased",
    "is_active",
)


# --- Donors ------------------------------------------------------------------------------------


class DonorFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(
        label="Search",
        required=False,
        max_length=200,
        widget=forms.TextInput(
            attrs={"placeholder": "Name, email, phone, postal code", "type": "search"}
        ),
    )
    tag: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        queryset=None, required=False, empty_label="Any tag"
    )
    active = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[("", "Active"), ("all", "Active and inactive"), ("inactive", "Inactive")],
    )
    gave = forms.ChoiceField(
        label="Giving",
        required=False,
        choices=[
            ("", "Any"),
            ("this_year", "Gave this year"),
            ("not_this_year", "Not this year"),
            ("never", "Never gave"),
        ],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_field(self, "tag").queryset = Tag.objects.all()

    @property
    def filtered(self) -> bool:
        if not self.is_bound or not self.is_valid():
            return False
        return any(self.cleaned_data.get(k) for k in ("q", "tag", "active", "gave"))


class DonorForm(BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(
        choices=DonorKind.choices, initial=DonorKind.INDIVIDUAL, widget=forms.RadioSelect
    )
    first_name = forms.CharField(max_length=100, required=False)
    last_name = forms.CharField(max_length=100, required=False)
    organization_name = forms.CharField(max_length=200, required=False)
    salutation = forms.CharField(
        max_length=200,
        required=False,
        help_text='How letters greet them, such as "Dear Ann and Bob". Empty: "Dear" and the name.',
    )
    email = forms.EmailField(max_length=254, required=False)
    phone = forms.CharField(max_length=40, required=False)
    address_line1 = forms.CharField(max_length=200, required=False, label="Address")
    address_line2 = forms.CharField(max_length=200, required=False, label="Address (line 2)")
    city = forms.CharField(max_length=100, required=False)
    state = forms.CharField(max_length=50, required=False)
    postal_code = forms.CharField(max_length=20, required=False)
    country = forms.CharField(max_length=2, required=False, initial="US")
    household: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        queryset=None, required=False, empty_label="No household"
    )
    tags = forms.CharField(
        max_length=500,
        required=False,
        help_text="Separate tags with commas, such as: board, volunteer, major donor.",
    )
    no_email = forms.BooleanField(required=False, label="Do not email")
    no_mail = forms.BooleanField(required=False, label="Do not mail")
    no_phone = forms.BooleanField(required=False, label="Do not call")
    anonymous = forms.BooleanField(required=False, label="Gives anonymously")
    is_deceased = forms.BooleanField(required=False, label="Deceased")
    is_active = forms.BooleanField(required=False, initial=True, label="Active")
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    confirm_duplicates = forms.BooleanField(required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_field(self, "household").queryset = Household.objects.all()
        self.fields["kind"].widget.attrs["class"] = "form-check-input"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") == DonorKind.ORGANIZATION:
            if not data.get("organization_name"):
                self.add_error("organization_name", "Give the organization's name.")
        elif data.get("kind") and not (data.get("first_name") or data.get("last_name")):
            self.add_error("last_name", "Give a first or a last name.")
        return data

    def tag_names(self) -> list[str]:
        raw = self.cleaned_data.get("tags") or ""
        seen: dict[str, str] = {}
        for part in raw.split(","):
            name = " ".join(part.split())[:60]
            if name and name.lower() not in seen:
                seen[name.lower()] = name
        return list(seen.values())

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        fields = {name: data.get(name) for name in DONOR_FIELDS}
        for name in DONOR_FIELDS:
            if isinstance(self.fields[name], forms.CharField) and fields[name] is None:
                fields[name] = ""
        fields["country"] = (fields["country"] or "US").upper()
        return fields

    @classmethod
    def initial_for(cls, donor: Donor) -> dict[str, Any]:
        initial: dict[str, Any] = {name: getattr(donor, name) for name in DONOR_FIELDS}
        initial["household"] = donor.household_id
        initial["tags"] = ", ".join(t.name for t in donor.tags.all())
        initial["version"] = donor.version
        return initial

    def duplicate_kwargs(self) -> dict[str, str]:
        data = self.cleaned_data
        return {
            name: data.get(name) or ""
            for name in (
                "email",
                "first_name",
                "last_name",
                "organization_name",
                "postal_code",
                "phone",
            )
        }


class NoteForm(BootstrapMixin, forms.Form):
    body = forms.CharField(
        label="Add a note", max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )


class _ContactForm(BootstrapMixin, forms.Form):
    """Add one email, phone or address on the donor's profile (labels, errors beside fields)."""

    kind = ""
    label = forms.ChoiceField(label="Label", choices=ContactLabel.choices, initial="home")
    is_primary = forms.BooleanField(label="Make it the primary one", required=False)

    def service_kwargs(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class EmailContactForm(_ContactForm):
    kind = "email"
    email = forms.CharField(
        label="Email", max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "off"})
    )
    field_order = ["email", "label", "is_primary"]


class PhoneContactForm(_ContactForm):
    kind = "phone"
    phone = forms.CharField(
        label="Phone", max_length=40, widget=forms.TextInput(attrs={"inputmode": "tel"})
    )
    field_order = ["phone", "label", "is_primary"]


class AddressContactForm(_ContactForm):
    kind = "address"
    address_line1 = forms.CharField(label="Address", max_length=200, required=False)
    address_line2 = forms.CharField(label="Address line 2", max_length=200, required=False)
    city = forms.CharField(label="City", max_length=100, required=False)
    state = forms.CharField(label="State", max_length=50, required=False)
    postal_code = forms.CharField(label="Postal code", max_length=20, required=False)
    country = forms.CharField(label="Country", max_length=2, initial="US")
    field_order = [
        "address_line1",
        "address_line2",
        "city",
        "state",
        "postal_code",
        "country",
        "label",
        "is_primary",
    ]


CONTACT_FORMS: dict[str, type[_ContactForm]] = {
    "email": EmailContactForm,
    "phone": PhoneContactForm,
    "address": AddressContactForm,
}


def contact_forms(bound: _ContactForm | None = None) -> dict[str, _ContactForm]:
    """The three add forms of the profile, each with its own prefix (ids stay unique)."""
    forms_ = {kind: cls(prefix=kind) for kind, cls in CONTACT_FORMS.items()}
    if bound is not None:
        forms_[bound.kind] = bound
    return forms_


MEMBER_SLOTS = 3
PICK_ERRORS = {
    "required": "Choose a donor from the list.",
    "invalid_choice": "Choose a donor from the list.",
}


def _donor_field(*, required: bool) -> forms.ModelChoiceField[Any]:
    return forms.ModelChoiceField(
        queryset=None,
        required=required,
        widget=forms.HiddenInput,
        error_messages=PICK_ERRORS,
    )


def _unmerged() -> Any:
    return Donor.objects.filter(merged_into__isnull=True)


class HouseholdFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(
        label="Search",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": "Household name", "type": "search"}),
    )

    @property
    def filtered(self) -> bool:
        return self.is_bound and self.is_valid() and bool(self.cleaned_data.get("q"))


class HouseholdForm(BootstrapMixin, forms.Form):
    """The name and shared address; with `members`, also up to three first members."""

    ADDRESS = ("address_line1", "address_line2", "city", "state", "postal_code")

    name = forms.CharField(
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": "The Smith Family"}),
    )
    address_line1 = forms.CharField(max_length=200, required=False, label="Address")
    address_line2 = forms.CharField(max_length=200, required=False, label="Address line 2")
    city = forms.CharField(max_length=100, required=False)
    state = forms.CharField(max_length=50, required=False)
    postal_code = forms.CharField(max_length=20, required=False, label="Postal code")
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, *args: Any, members: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if members:
            for i in range(1, MEMBER_SLOTS + 1):
                field = _donor_field(required=False)
                field.queryset = _unmerged()
                self.fields[f"member_{i}"] = field

    def member_slots(self) -> list[dict[str, Any]]:
        """For the template: each picker slot's hidden field and the text of its box (every box
        is named donor_text, which the donor picker reads)."""
        typed = self.data.getlist("donor_text") if hasattr(self.data, "getlist") else []
        slots = []
        for i in range(1, MEMBER_SLOTS + 1):
            name = f"member_{i}"
            if name in self.fields:
                if self.is_bound:
                    text = typed[i - 1] if i <= len(typed) else ""
                else:
                    text = self.initial.get(f"member_text_{i}", "")
                slots.append(
                    {
                        "field": self[name],
                        "text": text,
                        "list_id": f"dl-member-{i}",
                        "label": f"Member {i}",
                    }
                )
        return slots

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {"name": data["name"], **{k: data.get(k) or "" for k in self.ADDRESS}}

    def members(self) -> list[Donor]:
        seen: dict[int, Donor] = {}
        for i in range(1, MEMBER_SLOTS + 1):
            donor = self.cleaned_data.get(f"member_{i}")
            if donor is not None:
                seen.setdefault(donor.pk, donor)
        return list(seen.values())


class DonorPickForm(BootstrapMixin, forms.Form):
    """The donor picker: a text box (`donor_text`) whose datalist fills the hidden `donor`."""

    donor = _donor_field(required=True)
    donor_text = forms.CharField(label="Donor", required=False, max_length=300)

    def __init__(self, *args: Any, exclude: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        qs = _unmerged()
        if exclude is not None:
            qs = qs.exclude(pk=exclude)
        model_field(self, "donor").queryset = qs
