"""The kiosk's forms: a walk-in's name and email, the coordinator's password to leave."""

from __future__ import annotations

from typing import Any

from django import forms

from ifm.tenancy.forms import BootstrapMixin


class WalkInForm(BootstrapMixin, forms.Form):
    first_name = forms.CharField(label="First name", max_length=100)
    last_name = forms.CharField(label="Last name", max_length=100, required=False)
    email = forms.EmailField(
        label="Email (optional)",
        max_length=254,
        required=False,
        help_text="Finds them if they came before; otherwise they are added as a volunteer.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("first_name", "last_name"):
            self.fields[name].widget.attrs.update(
                {
                    "autocomplete": "off",
                    "autocapitalize": "words",
                    "class": "form-control form-control-lg",
                }
            )
        self.fields["email"].widget.attrs.update(
            {"autocomplete": "off", "inputmode": "email", "class": "form-control form-control-lg"}
        )


class ExitForm(BootstrapMixin, forms.Form):
    password = forms.CharField(
        label="Password of the coordinator who started the kiosk",
        max_length=200,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
