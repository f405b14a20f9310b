from __future__ import annotations

from typing import Any

from django import forms

from ifm.audit.readable import action_label
from ifm.tenancy.models import Organization

NO_ORGANIZATION = "-"


class AuditFilterForm(forms.Form):
    """The audit log's filters (a GET form); every field is optional."""

    q = forms.CharField(
        label="Search",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Text, object, request id"}),
    )
    action = forms.ChoiceField(label="Action", required=False)
    actor_email = forms.CharField(
        label="Person",
        required=False,
        max_length=254,
        widget=forms.TextInput(attrs={"placeholder": "email"}),
    )
    object_type = forms.ChoiceField(label="Object type", required=False)
    object_id = forms.CharField(label="Object id", required=False, max_length=64)
    date_from = forms.DateField(
        label="From", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label="To", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(
        self, *args: Any, actions: list[str], object_types: list[str], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        action_field: Any = self.fields["action"]
        action_field.choices = [("", "Any action"), *((a, action_label(a)) for a in actions)]
        type_field: Any = self.fields["object_type"]
        type_field.choices = [("", "Any type"), *((t, t) for t in object_types)]
        for field in self.fields.values():
            css = "form-select form-select-sm" if isinstance(field, forms.ChoiceField) else None
            field.widget.attrs.setdefault("class", css or "form-control form-control-sm")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The end date must be on or after the start date.")
        return data

    def selector_kwargs(self) -> dict[str, Any]:
        """The valid filters, ready for audit_event_list (invalid ones are left out)."""
        if not self.is_bound:
            return {}
        self.is_valid()  # fills cleaned_data with the fields that passed
        data = self.cleaned_data
        keys = ("q", "action", "actor_email", "object_type", "object_id", "date_from", "date_to")
        return {k: data[k] for k in keys if data.get(k) and k not in self.errors}


class PlatformAuditFilterForm(AuditFilterForm):
    organization = forms.ChoiceField(label="Organization", required=False)

    field_order = ["organization"]

    def __init__(self, *args: Any, organizations: list[Organization], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        org_field: Any = self.fields["organization"]
        org_field.choices = [
            ("", "All organizations"),
            (NO_ORGANIZATION, "No organization (sign-ins)"),
            *((o.slug, o.name) for o in organizations),
        ]
        self._organizations = {o.slug: o for o in organizations}

    def selector_kwargs(self) -> dict[str, Any]:
        kwargs = super().selector_kwargs()
        chosen = self.cleaned_data.get("organization") if self.is_bound else ""
        if chosen == NO_ORGANIZATION:
            kwargs["without_organization"] = True
        elif chosen and "organization" not in self.errors:
            kwargs["organization"] = self._organizations[chosen]
        return kwargs
