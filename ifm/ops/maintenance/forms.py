from __future__ import annotations

from django import forms

from ifm.ops.maintenance import services
from ifm.tenancy.forms import BootstrapMixin


class TurnOnForm(BootstrapMixin, forms.Form):
    message = forms.CharField(
        required=False,
        max_length=services.MESSAGE_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Shown on the maintenance page; empty for the standard text.",
    )
    retry_after_seconds = forms.IntegerField(
        label="Retry-After (seconds)",
        min_value=1,
        max_value=services.RETRY_AFTER_MAX,
        initial=300,
        help_text="How long clients are told to wait before trying again.",
    )


class ScheduleForm(BootstrapMixin, forms.Form):
    starts_at = forms.DateTimeField(
        label="Starts (UTC)", widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    ends_at = forms.DateTimeField(
        label="Ends (UTC)",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    announce_hours = forms.IntegerField(
        label="Announce (hours before)",
        min_value=0,
        max_value=services.ANNOUNCE_HOURS_MAX,
        initial=24,
    )
