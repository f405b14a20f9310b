"""Forms of the opportunity and shift pages: they collect input; services decide."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import forms

from ifm.core.errors import ServiceError
from ifm.ledger.chart.selectors import active_programs
from ifm.tenancy.forms import BootstrapMixin
from ifm.tenancy.models import Membership
from ifm.volunteers.models import (
    Opportunity,
    QualificationType,
    ShiftRole,
    Volunteer,
    VolunteerStatus,
)
from ifm.volunteers.shifts.services import MAX_CAPACITY, RoleSpec

WEEKDAYS = [
    (1, "Monday"),
    (2, "Tuesday"),
    (3, "Wednesday"),
    (4, "Thursday"),
    (5, "Friday"),
    (6, "Saturday"),
    (7, "Sunday"),
]
# A service names its own fields; the form may call them otherwise.
SERVICE_FIELDS = {"starts_at": "start_time", "ends_at": "end_time", "first_date": "date"}


def add_service_errors(form: forms.BaseForm, exc: ServiceError) -> None:
    """Show a service's errors beside the fields they name (or above the form)."""
    for error in exc.errors or [{"field": "", "message": exc.message}]:
        name = error.get("field") or ""
        name = SERVICE_FIELDS.get(name, name)
        form.add_error(name if name in form.fields else None, error["message"])


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%H:%M")


class ProgramField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.code} {obj.name}"


class MemberField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.user.full_name or obj.user.email} ({obj.get_role_display()})"


# --- Opportunities -----------------------------------------------------------------------------


class OpportunityFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(
        label="Search",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": "Title, location", "type": "search"}),
    )
    program = ProgramField(label="Program", queryset=None, required=False, empty_label="Any")
    archived = forms.ChoiceField(
        label="Show",
        required=False,
        choices=[("", "Active"), ("yes", "Archived"), ("all", "All")],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["program"].queryset = active_programs()  # type: ignore[attr-defined]

    def selector_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data if self.is_valid() else {}
        program = data.get("program")
        return {
            "q": data.get("q") or "",
            "program_id": program.pk if program else None,
            "archived": {"": False, "yes": True, "all": None}[data.get("archived") or ""],
        }


class OpportunityForm(BootstrapMixin, forms.Form):
    title = forms.CharField(label="Title", max_length=200)
    description = forms.CharField(
        label="Description", required=False, max_length=10_000, widget=forms.Textarea({"rows": 4})
    )
    program = ProgramField(label="Program", queryset=None, required=False, empty_label="None")
    location = forms.CharField(label="Location", max_length=200, required=False)
    coordinator = MemberField(
        label="Coordinator", queryset=None, required=False, empty_label="Nobody in particular"
    )
    qualifications: forms.ModelMultipleChoiceField[Any] = forms.ModelMultipleChoiceField(
        label="Required qualifications",
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="A volunteer without a current one cannot be confirmed on its shifts.",
    )
    minimum_age = forms.IntegerField(
        label="Minimum age", min_value=1, max_value=120, required=False
    )
    is_public = forms.BooleanField(
        label="Listed on the public sign-up page", required=False, initial=True
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["program"].queryset = active_programs()  # type: ignore[attr-defined]
        self.fields["coordinator"].queryset = (  # type: ignore[attr-defined]
            Membership.objects.filter(is_active=True)
            .select_related("user")
            .order_by("user__full_name", "user__email")
        )
        self.fields["qualifications"].queryset = QualificationType.objects.filter(  # type: ignore[attr-defined]
            is_archived=False
        )
        self.fields["qualifications"].widget.attrs["class"] = ""

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        member = data["coordinator"]
        return {
            "title": data["title"],
            "description": data["description"],
            "program": data["program"],
            "location": data["location"],
            "coordinator": member.user if member else None,
            "qualifications": list(data["qualifications"]),
            "minimum_age": data["minimum_age"],
            "is_public": data["is_public"],
        }

    @classmethod
    def initial_of(cls, opportunity: Opportunity, qualification_ids: list[int]) -> dict[str, Any]:
        member = (
            Membership.objects.filter(user_id=opportunity.coordinator_id).first()
            if opportunity.coordinator_id
            else None
        )
        return {
            "title": opportunity.title,
            "description": opportunity.description,
            "program": opportunity.program_id,
            "location": opportunity.location,
            "coordinator": member.pk if member else None,
            "qualifications": qualification_ids,
            "minimum_age": opportunity.minimum_age,
            "is_public": opportunity.is_public,
            "version": opportunity.version,
        }


# --- Shifts ------------------------------------------------------------------------------------


def parse_roles(text: str) -> list[RoleSpec]:
    """Roles typed one a line as "Name: places" ("Driver: 2")."""
    roles = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        name, sep, places = line.rpartition(":")
        if not sep or not name.strip() or not places.strip().isdigit():
            raise forms.ValidationError(
                f'Line {number}: write each role as "Name: places", such as "Driver: 2".'
            )
        roles.append(RoleSpec(name.strip(), int(places.strip())))
    if len(roles) > 20:
        raise forms.ValidationError("At most 20 roles.")
    return roles


class ShiftForm(BootstrapMixin, forms.Form):
    """A one-off shift, or a weekly pattern until a date."""

    repeat = forms.ChoiceField(
        label="Repeat",
        choices=[("once", "Once"), ("weekly", "Every week")],
        initial="once",
        widget=forms.RadioSelect,
    )
    date = forms.DateField(label="Date (first date when weekly)", widget=DateInput)
    start_time = forms.TimeField(label="Starts", widget=TimeInput)
    end_time = forms.TimeField(label="Ends", widget=TimeInput)
    weekdays = forms.TypedMultipleChoiceField(
        label="On these days (weekly)",
        choices=WEEKDAYS,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    until = forms.DateField(label="Until (weekly, included)", widget=DateInput, required=False)
    capacity = forms.IntegerField(label="Places", min_value=1, max_value=MAX_CAPACITY)
    notes = forms.CharField(label="Notes", max_length=500, required=False)
    roles = forms.CharField(
        label="Roles (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea({"rows": 3, "placeholder": "Driver: 2\nSorter: 4"}),
        help_text='One a line, "Name: places". Each role has its own places within the shift.',
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("repeat", "weekdays"):
            self.fields[name].widget.attrs["class"] = ""

    def clean_roles(self) -> list[RoleSpec]:
        return parse_roles(self.cleaned_data.get("roles") or "")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("repeat") == "weekly":
            if not data.get("weekdays") and "weekdays" not in self.errors:
                self.add_error("weekdays", "Choose the days of the week.")
            if not data.get("until") and "until" not in self.errors:
                self.add_error("until", "Give the last date of the pattern.")
        return data

    @property
    def weekly(self) -> bool:
        return self.cleaned_data.get("repeat") == "weekly"

    def one_off_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "starts_at": datetime.combine(data["date"], data["start_time"]),
            "ends_at": datetime.combine(data["date"], data["end_time"]),
            "capacity": data["capacity"],
            "notes": data["notes"],
            "roles": data["roles"],
        }

    def series_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "weekdays": data["weekdays"],
            "start_time": data["start_time"],
            "end_time": data["end_time"],
            "first_date": data["date"],
            "until": data["until"],
            "capacity": data["capacity"],
            "notes": data["notes"],
            "roles": data["roles"],
        }


class ShiftEditForm(BootstrapMixin, forms.Form):
    date = forms.DateField(label="Date", widget=DateInput)
    start_time = forms.TimeField(label="Starts", widget=TimeInput)
    end_time = forms.TimeField(label="Ends", widget=TimeInput)
    capacity = forms.IntegerField(
        label="Places",
        min_value=1,
        max_value=MAX_CAPACITY,
        help_text="Not fewer than the volunteers confirmed; more places go to the waitlist.",
    )
    notes = forms.CharField(label="Notes", max_length=500, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "starts_at": datetime.combine(data["date"], data["start_time"]),
            "ends_at": datetime.combine(data["date"], data["end_time"]),
            "capacity": data["capacity"],
            "notes": data["notes"],
        }


class RoleForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label="Role", max_length=100)
    capacity = forms.IntegerField(label="Places", min_value=1, max_value=MAX_CAPACITY)


class VolunteerField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.sort_name}" + (f" · {obj.email}" if obj.email else "")


class RoleField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.name


class SignUpForm(BootstrapMixin, forms.Form):
    volunteer = VolunteerField(label="Volunteer", queryset=None)
    role = RoleField(label="Role", queryset=None, required=False, empty_label="No role")

    def __init__(self, *args: Any, shift_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["volunteer"].queryset = Volunteer.objects.exclude(  # type: ignore[attr-defined]
            status=VolunteerStatus.INACTIVE
        ).order_by("last_name", "first_name", "id")
        roles = ShiftRole.objects.filter(shift_id=shift_id).order_by("name", "id")
        self.fields["role"].queryset = roles  # type: ignore[attr-defined]


class ShiftFilterForm(BootstrapMixin, forms.Form):
    date_from = forms.DateField(label="From", required=False, widget=DateInput)
    date_to = forms.DateField(label="To", required=False, widget=DateInput)
    opportunity: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label="Opportunity", queryset=None, required=False, empty_label="All"
    )
    cancelled = forms.ChoiceField(
        label="Cancelled", required=False, choices=[("", "Hidden"), ("yes", "Shown")]
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["opportunity"].queryset = Opportunity.objects.filter(  # type: ignore[attr-defined]
            is_archived=False
        ).order_by("title", "id")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", "Before the first date.")
        return data

    def selector_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data if self.is_valid() else {}
        opportunity = data.get("opportunity")
        return {
            "date_from": data.get("date_from"),
            "date_to": data.get("date_to"),
            "opportunity_id": opportunity.pk if opportunity else None,
            "include_cancelled": data.get("cancelled") == "yes",
        }
