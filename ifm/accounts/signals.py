"""Sign-in events written to the audit log (organization None: they belong to the person)."""

from __future__ import annotations

import time
from typing import Any

from allauth.mfa import signals as mfa_signals
from allauth.mfa.models import Authenticator
from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.http import HttpRequest

from ifm.accounts.lockout import axes_username
from ifm.accounts.middleware import IDLE_LOGOUT_FLAG, LAST_SEEN_KEY
from ifm.audit.services import audit_record


def on_logged_in(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        # A new sign-in starts the inactivity clock afresh.
        request.session[LAST_SEEN_KEY] = int(time.time())
    audit_record(action="auth.sign_in", actor=user, obj=user, request=request)


def on_logged_out(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    if user is None:
        return
    reason = "idle_timeout" if getattr(request, IDLE_LOGOUT_FLAG, False) else "user"
    audit_record(
        action="auth.sign_out",
        actor=user,
        obj=user,
        changes={"reason": reason},
        request=request,
    )


def on_login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    # Only the address tried is kept, never the password (Django masks it anyway).
    email = axes_username(request, credentials) if request is not None else None
    if email is None:
        email = str(credentials.get("email") or credentials.get("username") or "")
    # Which step failed: the password, or the authenticator code after it.
    step = str(credentials.get("step") or "password")
    audit_record(
        action="auth.sign_in_failed",
        actor_label=email or "(none)",
        changes={"step": step},
        request=request,
    )


def on_locked_out(
    sender: Any, request: HttpRequest, username: str | None, ip_address: str | None, **kwargs: Any
) -> None:
    audit_record(
        action="auth.locked_out",
        actor_label=username or "(none)",
        changes={"ip_address": ip_address},
        request=request,
    )


def on_authenticator_added(
    sender: Any, request: HttpRequest, user: Any, authenticator: Authenticator, **kwargs: Any
) -> None:
    if authenticator.type == Authenticator.Type.TOTP:
        audit_record(action="auth.mfa_enabled", actor=user, obj=user, request=request)
    elif authenticator.type == Authenticator.Type.RECOVERY_CODES:
        audit_record(action="auth.recovery_codes_generated", actor=user, obj=user, request=request)


def on_authenticator_removed(
    sender: Any, request: HttpRequest, user: Any, authenticator: Authenticator, **kwargs: Any
) -> None:
    if authenticator.type == Authenticator.Type.TOTP:
        audit_record(action="auth.mfa_disabled", actor=user, obj=user, request=request)


def on_authenticator_reset(
    sender: Any, request: HttpRequest, user: Any, authenticator: Authenticator, **kwargs: Any
) -> None:
    if authenticator.type == Authenticator.Type.RECOVERY_CODES:
        audit_record(action="auth.recovery_codes_generated", actor=user, obj=user, request=request)


def on_mfa_failed(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    audit_record(
        action="auth.mfa_failed",
        actor=user,
        obj=user,
        changes={"reauthentication": bool(kwargs.get("reauthentication"))},
        request=request,
    )


def connect() -> None:
    user_logged_in.connect(on_logged_in, dispatch_uid="ifm.accounts.audit.logged_in")
    user_logged_out.connect(on_logged_out, dispatch_uid="ifm.accounts.audit.logged_out")
    user_login_failed.connect(on_login_failed, dispatch_uid="ifm.accounts.audit.login_failed")
    user_locked_out.connect(on_locked_out, dispatch_uid="ifm.accounts.audit.locked_out")
    mfa_signals.authenticator_added.connect(
        on_authenticator_added, dispatch_uid="ifm.accounts.audit.mfa_added"
    )
    mfa_signals.authenticator_removed.connect(
        on_authenticator_removed, dispatch_uid="ifm.accounts.audit.mfa_removed"
    )
    mfa_signals.authenticator_reset.connect(
        on_authenticator_reset, dispatch_uid="ifm.accounts.audit.mfa_reset"
    )
    mfa_signals.authentication_failed.connect(
        on_mfa_failed, dispatch_uid="ifm.accounts.audit.mfa_failed"
    )
