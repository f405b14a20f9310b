"""Forms of the public pages (sign-up, a new link) and of coordinators' messages."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django import forms
from django.utils import timezone

from ifm.volunteers.models import Opportunity, Shift, ShiftRole
from ifm.volunteers.models.people import ADULT_AGE, age_on

HONEYPOT = "website"
OLDEST = 120


class HoneypotForm(forms.Form):
    """A field people never see (hidden by CSS, skipped by the keyboard and screen readers);
    a form that arrives with it filled came from a script."""

    website = forms.CharField(
        required=False,
        label="Leave this field empty",
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def is_bot(self) -> bool:
        return bool((self.data.get(HONEYPOT) or "").strip())


class SignUpForm(HoneypotForm):
    role = forms.TypedChoiceField(coerce=int, label="Role", required=False)
    first_name = forms.CharField(max_length=100, label="First name")
    last_name = forms.CharField(max_length=100, label="Last name")
    email = forms.EmailField(max_length=254, label="Email")
    phone = forms.CharField(max_length=40, required=False, label="Phone (optional)")
    date_of_birth = forms.DateField(
        required=False,
        label="Date of birth",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="Volunteers under 18 need a parent's or guardian's consent.",
    )
    guardian_name = forms.CharField(
        max_length=200, required=False, label="Parent or guardian's name"
    )
    guardian_email = forms.EmailField(
        max_length=254, required=False, label="Parent or guardian's email"
    )
    guardian_consent = forms.BooleanField(
        required=False,
        label="I am the parent or guardian and I agree to this volunteer taking part",
    )

    field_order = [
        "role",
        "first_name",
        "last_name",
        "email",
        "phone",
        "date_of_birth",
        "guardian_name",
        "guardian_email",
        "guardian_consent",
        HONEYPOT,
    ]

    def __init__(self, *args: Any, shift: Shift, shift_day: date, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.shift = shift
        self.shift_day = shift_day
        self.roles: list[ShiftRole] = list(ShiftRole.objects.filter(shift_id=shift.pk))
        role = self.fields["role"]
        if self.roles:
            assert isinstance(role, forms.TypedChoiceField)
            role.required = True
            role.choices = [("", "Choose a role")] + [(r.pk, r.name) for r in self.roles]
        else:
            del self.fields["role"]
        minimum = shift.opportunity.minimum_age
        if minimum:
            dob = self.fields["date_of_birth"]
            dob.required = True
            dob.help_text = f"This opportunity is for volunteers aged {minimum} or over."
        for name in ("first_name", "last_name"):
            self.fields[name].widget.attrs["autocomplete"] = (
                "given-name" if name == "first_name" else "family-name"
            )
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        self.fields["phone"].widget.attrs.update(autocomplete="tel", inputmode="tel")

    def clean_date_of_birth(self) -> date | None:
        born = self.cleaned_data.get("date_of_birth")
        today = timezone.localdate()
        if born is not None and (born > today or born < today - timedelta(days=366 * OLDEST)):
            raise forms.ValidationError("Enter your real date of birth.")
        return born

    def is_minor(self) -> bool:
        born = self.cleaned_data.get("date_of_birth")
        return born is not None and age_on(born, self.shift_day) < ADULT_AGE

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.is_minor():
            if not data.get("guardian_name"):
                self.add_error("guardian_name", "Under 18: give a parent's or guardian's name.")
            if not data.get("guardian_email"):
                self.add_error("guardian_email", "Under 18: give a parent's or guardian's email.")
            if not data.get("guardian_consent"):
                self.add_error(
                    "guardian_consent", "Under 18: a parent or guardian must tick this box."
                )
        return data

    def chosen_role(self) -> ShiftRole | None:
        role_id = self.cleaned_data.get("role")
        return next((r for r in self.roles if r.pk == role_id), None)


class LinkRequestForm(HoneypotForm):
    email = forms.EmailField(max_length=254, label="Your email")

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["email"].widget.attrs["autocomplete"] = "email"


class MessageForm(forms.Form):
    """A coordinator's message to the volunteers of one shift or of one opportunity."""

    opportunity = forms.ModelChoiceField(
        queryset=Opportunity.all_orgs.none(),
        required=False,
        label="Volunteers of the opportunity",
        help_text="Everyone on its upcoming shifts.",
    )
    shift = forms.ModelChoiceField(
        queryset=Shift.all_orgs.none(),
        required=False,
        label="Or of one shift",
    )
    include_waitlisted = forms.BooleanField(
        required=False, label="Also write to those on the waitlist"
    )
    subject = forms.CharField(max_length=200, label="Subject")
    body = forms.CharField(
        max_length=20_000, label="Message", widget=forms.Textarea(attrs={"rows": 8})
    )

    def __init__(self, *args: Any, shifts: Any, opportunities: Any, zone: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        opp = self.fields["opportunity"]
        shift = self.fields["shift"]
        assert isinstance(opp, forms.ModelChoiceField)
        assert isinstance(shift, forms.ModelChoiceField)
        opp.queryset = opportunities
        shift.queryset = shifts
        shift.label_from_instance = lambda obj: (  # type: ignore[method-assign]
            f"{obj.opportunity.title}, {obj.starts_at.astimezone(zone):%a %d %b %Y %H:%M}"
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if bool(data.get("opportunity")) == bool(data.get("shift")):
            raise forms.ValidationError("Choose either an opportunity or one shift.")
        return data
