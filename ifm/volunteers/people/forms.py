"""Forms of the people area's pages: the volunteer list's filters, the volunteer form, the
donor link, qualification types and qualifications. The rules are the services'; a form only
reads what was typed."""

from __future__ import annotations

from typing import Any

from django import forms

from ifm.tenancy.forms import BootstrapMixin
from ifm.volunteers.models import QualificationType, Volunteer, VolunteerStatus
from ifm.volunteers.people.qualifications import MAX_VALID_MONTHS

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class VolunteerFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(
        label="Search",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": "Name, email, phone", "type": "search"}),
    )
    status = forms.ChoiceField(
        required=False, choices=[("", "Any status"), *VolunteerStatus.choices]
    )
    minor = forms.ChoiceField(
        label="Age",
        required=False,
        choices=[("", "Any age"), ("yes", "Under 18"), ("no", "18 and over, or not known")],
    )
    skill = forms.CharField(
        label="Skill or interest",
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": "Such as driving"}),
    )

    @property
    def filtered(self) -> bool:
        if not self.is_bound or not self.is_valid():
            return False
        return any(self.cleaned_data.get(k) for k in ("q", "status", "minor", "skill"))

    def values(self) -> dict[str, str]:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return {k: data.get(k) or "" for k in ("q", "status", "minor", "skill")}


class VolunteerForm(BootstrapMixin, forms.Form):
    first_name = forms.CharField(max_length=100)
    last_name = forms.CharField(max_length=100, required=False)
    email = forms.EmailField(max_length=254, required=False)
    phone = forms.CharField(max_length=40, required=False)
    address_line1 = forms.CharField(max_length=200, required=False, label="Address")
    address_line2 = forms.CharField(max_length=200, required=False, label="Address (line 2)")
    city = forms.CharField(max_length=100, required=False)
    state = forms.CharField(max_length=50, required=False)
    postal_code = forms.CharField(max_length=20, required=False)
    country = forms.CharField(max_length=2, required=False, initial="US")
    emergency_contact_name = forms.CharField(
        max_length=200, required=False, label="Emergency contact"
    )
    emergency_contact_phone = forms.CharField(
        max_length=40, required=False, label="Emergency contact's phone"
    )
    skills = forms.CharField(
        required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    interests = forms.CharField(
        required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    availability = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Such as: weekday mornings, Saturdays.",
    )
    date_of_birth = forms.DateField(
        required=False,
        widget=DATE_INPUT,
        help_text="Under 18: a parent's or guardian's name and consent are needed.",
    )
    guardian_name = forms.CharField(max_length=200, required=False, label="Parent or guardian")
    guardian_email = forms.EmailField(
        max_length=254, required=False, label="Parent's or guardian's email"
    )
    guardian_consent = forms.BooleanField(
        required=False, label="The parent or guardian has given consent"
    )
    status = forms.ChoiceField(choices=VolunteerStatus.choices, initial=VolunteerStatus.APPLICANT)
    email_opt_out = forms.BooleanField(required=False, label="Does not want coordinators' messages")
    notes = forms.CharField(
        required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    confirm_duplicates = forms.BooleanField(required=False)

    SERVICE_FIELDS = (
        "first_name",
        "last_name",
        "email",
        "phone",
        "address_line1",
        "address_line2",
        "city",
        "state",
        "postal_code",
        "country",
        "emergency_contact_name",
        "emergency_contact_phone",
        "skills",
        "interests",
        "availability",
        "date_of_birth",
        "guardian_name",
        "guardian_email",
        "guardian_consent",
        "status",
        "email_opt_out",
        "notes",
    )

    def service_kwargs(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["country"] = data.get("country") or "US"
        return {k: data.get(k) for k in self.SERVICE_FIELDS}

    def duplicate_values(self) -> dict[str, Any]:
        return {
            k: self.cleaned_data.get(k) or "" for k in ("email", "phone", "first_name", "last_name")
        }

    @classmethod
    def initial_for(cls, volunteer: Volunteer) -> dict[str, Any]:
        initial = {k: getattr(volunteer, k) for k in cls.SERVICE_FIELDS if k != "guardian_consent"}
        initial["guardian_consent"] = volunteer.guardian_consent_at is not None
        initial["version"] = volunteer.version
        return initial


class DonorLinkForm(forms.Form):
    donor_id = forms.IntegerField(min_value=1, max_value=2**63 - 1)


class QualificationTypeForm(BootstrapMixin, forms.Form):
    name = forms.CharField(max_length=100)
    description = forms.CharField(
        required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    valid_months = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_VALID_MONTHS,
        label="Valid for (months)",
        help_text="Proposes the expiry date when one is added. Empty: it does not expire.",
    )


class QualificationForm(BootstrapMixin, forms.Form):
    type: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        queryset=None, label="Qualification", empty_label=None
    )
    issued_on = forms.DateField(widget=DATE_INPUT, label="Issued on")
    expires_on = forms.DateField(
        required=False,
        widget=DATE_INPUT,
        label="Expires on",
        help_text="Empty: it does not expire.",
    )
    notes = forms.CharField(required=False, max_length=500)
    document = forms.FileField(
        required=False, help_text="Optional: a PDF, JPEG or PNG of at most 10 MB."
    )
    remove_document = forms.BooleanField(required=False, label="Remove the document")
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["type"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = QualificationType.objects.filter(is_archived=False).order_by("name")
        if editing:
            # The type of a qualification held does not change: delete it and add another.
            del self.fields["type"]
        else:
            del self.fields["remove_document"]
