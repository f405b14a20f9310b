"""Forms of the periods page."""

from __future__ import annotations

from django import forms

from ifm.tenancy.forms import BootstrapMixin


class ReopenForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(label="Reason", max_length=500, required=False)
