"""The forms of the Help pages and the desk: fields only, the rules live in the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.html import format_html

from ifm.accounts.models import User
from ifm.core.errors import ServiceError
from ifm.support.access import DESK_GRANT_MAX_HOURS
from ifm.support.models import (
    PRIORITY_HELP,
    BugStatus,
    Category,
    Priority,
    Severity,
    Status,
    Tier,
)
from ifm.tenancy.models import Organization
from ifm.tenancy.roles import Role


def add_service_errors(form: forms.BaseForm, exc: ServiceError) -> None:
    """Show a service's errors beside the fields they name (or above the form)."""
    for error in exc.errors or [{"field": "", "message": exc.message}]:
        name = error.get("field") or ""
        form.add_error(name if name in form.fields else None, error["message"])


def _priority_choices() -> list[tuple[str, Any]]:
    return [
        (p.value, format_html("<strong>{}</strong>: {}", p.label, PRIORITY_HELP[p]))
        for p in Priority
    ]


class TicketForm(forms.Form):
    subject = forms.CharField(max_length=200)
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=20_000,
        help_text="What you did, what you expected, what happened instead.",
    )
    priority = forms.ChoiceField(
        choices=_priority_choices, initial=Priority.MEDIUM, widget=forms.RadioSelect
    )
    category = forms.ChoiceField(choices=Category.choices, initial=Category.QUESTION)
    screenshot = forms.FileField(
        required=False,
        help_text="Optional: a PNG, JPEG or GIF image of at most 5 MB.",
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/gif"}),
    )
    page_url = forms.CharField(
        label="Page", max_length=500, required=False, help_text="The page you were on."
    )
    request_id = forms.CharField(
        label="Error reference",
        max_length=64,
        required=False,
        help_text="Shown on the error page, if you saw one; it lets us find the error in our logs.",
    )
    browser = forms.CharField(max_length=300, required=False, widget=forms.HiddenInput)


class ReplyForm(forms.Form):
    body = forms.CharField(label="Your reply", widget=forms.Textarea(attrs={"rows": 4}))
    screenshot = forms.FileField(
        required=False,
        help_text="Optional: a PNG, JPEG or GIF image of at most 5 MB.",
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/gif"}),
    )


class RatingForm(forms.Form):
    score = forms.TypedChoiceField(
        label="How well did we help?",
        coerce=int,
        choices=[(n, str(n)) for n in range(1, 6)],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class DeskMessageForm(forms.Form):
    kind = forms.ChoiceField(
        choices=[("reply", "Reply to the customer"), ("note", "Internal note")],
        initial="reply",
        widget=forms.RadioSelect,
    )
    body = forms.CharField(label="Message", widget=forms.Textarea(attrs={"rows": 4}))
    status = forms.ChoiceField(
        label="Then set the status to",
        required=False,
        choices=[("", "(unchanged)"), *Status.choices],
        help_text="For replies only.",
    )


class DeskAssignForm(forms.Form):
    assignee = forms.ModelChoiceField(
        queryset=User.objects.filter(is_platform_staff=True, is_active=True).order_by("email"),
        required=False,
        empty_label="(nobody)",
    )


class DeskEscalateForm(forms.Form):
    tier = forms.TypedChoiceField(coerce=int, choices=Tier.choices)
    reason = forms.CharField(max_length=2000)


class DeskStatusForm(forms.Form):
    status = forms.ChoiceField(choices=Status.choices)


class DeskPriorityForm(forms.Form):
    priority = forms.ChoiceField(choices=Priority.choices)


class DeskFilterForm(forms.Form):
    tier = forms.TypedChoiceField(
        coerce=int, required=False, empty_value=None, choices=[("", "All tiers"), *Tier.choices]
    )
    status = forms.ChoiceField(required=False, choices=[("", "Open (any)"), *Status.choices])
    priority = forms.ChoiceField(required=False, choices=[("", "Any priority"), *Priority.choices])
    breached = forms.ChoiceField(
        required=False,
        choices=[("", "Breached or not"), ("yes", "Breached"), ("no", "Not breached")],
    )


class CannedReplyForm(forms.Form):
    title = forms.CharField(max_length=120)
    body = forms.CharField(
        label="Reply", max_length=20_000, widget=forms.Textarea(attrs={"rows": 6})
    )
    category = forms.ChoiceField(required=False, choices=[("", "Any category"), *Category.choices])
    tier = forms.TypedChoiceField(
        coerce=int, required=False, empty_value=None, choices=[("", "Any tier"), *Tier.choices]
    )


class CannedPickForm(forms.Form):
    canned = forms.TypedChoiceField(label="Canned reply", coerce=int, required=False)

    def __init__(self, *args: Any, replies: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["canned"]
        field.choices = [("", "Choose a canned reply…"), *((r.pk, r.title) for r in replies)]


class MergeForm(forms.Form):
    duplicate = forms.IntegerField(
        label="Duplicate ticket number",
        min_value=1,
        max_value=2**31 - 1,
        help_text="A ticket of the same organization; it is closed and its conversation "
        "shown here.",
    )


class BugCreateForm(forms.Form):
    title = forms.CharField(max_length=200)
    severity = forms.ChoiceField(choices=Severity.choices, initial=Severity.MEDIUM)
    description = forms.CharField(
        required=False, max_length=20_000, widget=forms.Textarea(attrs={"rows": 3})
    )


class BugLinkForm(forms.Form):
    bug = forms.TypedChoiceField(label="Existing bug", coerce=int)

    def __init__(self, *args: Any, bugs: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["bug"]
        field.choices = [
            (b.pk, f"{b.reference} {b.title} ({b.get_severity_display()})") for b in bugs
        ]


class BugStatusForm(forms.Form):
    status = forms.ChoiceField(choices=BugStatus.choices)
    severity = forms.ChoiceField(choices=Severity.choices)


class BugFilterForm(forms.Form):
    organization = forms.ModelChoiceField(
        queryset=Organization.objects.order_by("name"),
        required=False,
        to_field_name="slug",
        empty_label="All organizations",
    )
    severity = forms.ChoiceField(required=False, choices=[("", "Any severity"), *Severity.choices])
    status = forms.ChoiceField(
        required=False, choices=[("", "Any status"), *BugStatus.choices], initial="open"
    )


class AccessRequestForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices, initial=Role.VIEWER)
    hours = forms.IntegerField(
        label="For how many hours",
        min_value=1,
        max_value=DESK_GRANT_MAX_HOURS,
        initial=4,
        help_text=f"At most {DESK_GRANT_MAX_HOURS} hours; ask again if you need longer.",
    )
    reason = forms.CharField(max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
