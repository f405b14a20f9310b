from __future__ import annotations

from typing import Any

from allauth.core import context as allauth_context
from allauth.mfa.base.forms import AuthenticateForm as MFAAuthenticateForm
from allauth.mfa.base.forms import ReauthenticateForm as MFAReauthenticateForm
from allauth.mfa.totp.forms import ActivateTOTPForm as MFAActivateTOTPForm
from django import forms

from ifm.accounts import twofactor
from ifm.accounts.lockout import is_locked_out
from ifm.tenancy.forms import BootstrapMixin
from ifm.tenancy.roles import Role


class InvitationForm(BootstrapMixin, forms.Form):
    email = forms.EmailField(label="Email address", max_length=254)
    role = forms.ChoiceField(choices=Role.choices, initial=Role.STAFF)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # The members page shows this form beside the members filter, which has a role field
        # too: ids of their own keep each label on its own field (id_role would be used twice).
        kwargs.setdefault("auto_id", "invite_%s")
        super().__init__(*args, **kwargs)


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


class _LimitedCodeMixin:
    """Wrong authenticator codes are limited (see ifm.accounts.twofactor)."""

    reauthentication = False
    user: Any

    def clean_code(self) -> str:
        request = allauth_context.request
        self.attempts_exhausted = False
        if twofactor.code_attempts_left(request) <= 0 or is_locked_out(self.user.email):
            self.attempts_exhausted = True
            raise forms.ValidationError(TOO_MANY_CODES)
        try:
            code = super().clean_code()  # type: ignore[misc]
        except forms.ValidationError:
            left = twofactor.code_failed(request, self.user, reauthentication=self.reauthentication)
            if left <= 0 or getattr(request, "axes_locked_out", False):
                self.attempts_exhausted = True
                raise forms.ValidationError(TOO_MANY_CODES) from None
            raise forms.ValidationError(
                f"Incorrect code. {left} attempt{'s' if left != 1 else ''} left before you "
                "have to sign in again."
            ) from None
        twofactor.code_attempts_reset(request)
        return str(code)


TOO_MANY_CODES = "Too many incorrect codes. Sign in again with your password."


class SecondFactorForm(_LimitedCodeMixin, MFAAuthenticateForm):
    """The code asked for after the password (allauth's form, with the attempt limit)."""


class SecondFactorReauthenticateForm(_LimitedCodeMixin, MFAReauthenticateForm):
    """The code asked for before a security change (allauth's form, with the attempt limit)."""

    reauthentication = True


class ActivateTOTPForm(MFAActivateTOTPForm):
    """Enrolment (allauth's form); a right code also counts for this session's second factor."""

    def clean_code(self) -> str:
        code = super().clean_code()
        twofactor.record_enrolment(allauth_context.request, self.user)
        return str(code)
