"""The communications pages' forms: they read input; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms

from ifm.support.comms.models import (
    ANNOUNCEMENT_MAX,
    BODY_MAX,
    MESSAGE_MAX,
    SUBJECT_MAX,
    AnnouncementLevel,
)
from ifm.tenancy.models import Organization


class TemplateForm(forms.Form):
    name = forms.CharField(max_length=100)
    description = forms.CharField(max_length=300, required=False)
    subject = forms.CharField(max_length=SUBJECT_MAX)
    body = forms.CharField(
        max_length=BODY_MAX, widget=forms.Textarea(attrs={"rows": 18, "class": "font-monospace"})
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class PreviewForm(forms.Form):
    organization = forms.ModelChoiceField(
        queryset=Organization.objects.none(), required=False, empty_label="(choose)"
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = Organization.objects.filter(  # type: ignore[attr-defined]
            is_active=True
        ).order_by("name")


class SendForm(forms.Form):
    template = forms.ChoiceField()
    audience = forms.ChoiceField()
    values = forms.MultipleChoiceField(
        label="Send to", widget=forms.SelectMultiple(attrs={"size": 8})
    )
    message = forms.CharField(
        max_length=MESSAGE_MAX,
        required=False,
        label="Message (the {{ message }} field)",
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(
        self,
        *args: Any,
        templates: list[tuple[str, str]],
        audiences: list[tuple[str, str]],
        values: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["template"].choices = templates  # type: ignore[attr-defined]
        self.fields["audience"].choices = audiences  # type: ignore[attr-defined]
        self.fields["values"].choices = values  # type: ignore[attr-defined]


class AnnouncementForm(forms.Form):
    message = forms.CharField(max_length=ANNOUNCEMENT_MAX, widget=forms.Textarea(attrs={"rows": 3}))
    level = forms.ChoiceField(choices=AnnouncementLevel.choices)
    starts_at = forms.DateTimeField(
        label="Starts (UTC)", widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    ends_at = forms.DateTimeField(
        label="Ends (UTC)", widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    organizations = forms.ModelMultipleChoiceField(
        queryset=Organization.objects.none(),
        required=False,
        help_text="None chosen: everyone.",
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organizations"].queryset = Organization.objects.filter(  # type: ignore[attr-defined]
            is_active=True
        ).order_by("name")


class PreferenceForm(forms.Form):
    announcements = forms.BooleanField(
        required=False,
        label="Email me IFM's announcements (phase news, training, go-live, status updates)",
    )
