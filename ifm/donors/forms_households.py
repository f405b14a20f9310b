"""Forms of the household and merge pages: they translate between people and the services."""

from __future__ import annotations

from typing import Any

from django import forms

from ifm.donors.models import Donor
from ifm.tenancy.forms import BootstrapMixin

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
        self.fields["donor"].queryset = qs  # type: ignore[attr-defined]
