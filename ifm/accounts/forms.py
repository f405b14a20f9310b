from __future__ import annotations

from typing import Any

from django import forms

from ifm.tenancy.forms import BootstrapMixin
from ifm.tenancy.roles import Role


class InvitationForm(BootstrapMixin, forms.Form):
    email = forms.EmailField(label="Email address", max_length=254)
    role = forms.ChoiceField(choices=Role.choices, initial=Role.STAFF)


class InvitationAcceptForm(BootstrapMixin, forms.Form):
    full_name = forms.CharField(label="Full name", max_length=200)
    password = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 10 characters; not a common password.",
    )
    password_confirm = forms.CharField(
        label="Confirm password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password") and data.get("password") != data.get("password_confirm"):
            self.add_error("password_confirm", "The two passwords differ.")
        return data


class ApiTokenCreateForm(BootstrapMixin, forms.Form):
    name = forms.CharField(
        max_length=100,
        help_text="What will use the token, for example “Nightly donor export”.",
    )


class ProfileForm(forms.Form):
    full_name = forms.CharField(
        label="Your name",
        max_length=200,
        required=False,
        help_text="How colleagues see you in the app and in the audit log.",
        widget=forms.TextInput(attrs={"class": "form-control", "autocomplete": "name"}),
    )
