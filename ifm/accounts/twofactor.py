"""The second factor: who must have one, whether this session used it, and the attempt limit.

Three rules, each kept here once and applied by middleware to every door (pages, the API by
session, the Django admin):

* A person with an authenticator app enrolled has a usable session only when it was opened
  with a code from that app. A session opened another way (any view that takes a password
  alone) is signed out on its next request.
* IFM staff (Django admin users, superusers, platform staff) must have an authenticator app and
  use it: until they enrol, every page sends them to enrolment and the API refuses them.
* An organization may require two-factor for its admin and finance roles: pages send such
  members to enrolment, the API refuses their session and their tokens until they enrol.

Wrong codes are limited per half-signed-in session (then the password step again) and count as
failed sign-ins of the account, so django-axes locks the account as it does for passwords.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from allauth.account.authentication import get_authentication_records
from allauth.account.internal.flows.login import record_authentication
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_login_failed
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from ifm.core.problems import problem_response
from ifm.tenancy.roles import Role

ROLES_REQUIRING_2FA = frozenset({Role.ADMIN, Role.FINANCE})

# Pages a person must still reach while being sent to enrol: two-factor setup, sign-out.
_ALLOWED_URL_NAMES_PREFIXES = ("mfa_", "account_logout", "account_reauthenticate")

CODE_FAILURES_KEY = "ifm_second_factor_failures"
NO_TOTP_KEY = "ifm_no_totp_until"
NO_TOTP_RECHECK_SECONDS = 60
SIGNED_OUT_MESSAGE = (
    "Your account uses an authenticator app: sign in again with your password and the code "
    "from the app."
)
STAFF_MUST_ENROL = (
    "IFM staff accounts must use two-factor authentication. Set up an authenticator app to "
    "continue."
)


def has_totp(user: Any) -> bool:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def is_ifm_staff(user: Any) -> bool:
    """Django admin users, superusers and IFM platform staff: all need a second factor."""
    return bool(
        getattr(user, "is_staff", False)
        or getattr(user, "is_superuser", False)
        or getattr(user, "is_platform_staff", False)
    )


def session_used_second_factor(request: HttpRequest) -> bool:
    """True when this session's sign-in (or a later confirmation) used an authenticator code."""
    records = get_authentication_records(request, getattr(request, "user", None))
    return any(record.get("method") == "mfa" for record in records)


def record_enrolment(request: HttpRequest, user: Any) -> None:
    """Enrolling proves the code works: the session that did it counts as having used it
    (otherwise the person would be signed out the moment they finished enrolling)."""
    record_authentication(request, user, "mfa", type="totp", enrolled=True)


def must_enrol_2fa(org: Any, access: Any, user: Any) -> bool:
    """True when this organization requires two-factor for the role and the user has none yet."""
    if org is None or access is None or not org.require_2fa_for_admin_finance:
        return False
    if getattr(access, "role", None) not in ROLES_REQUIRING_2FA:
        return False
    return not has_totp(user)


def enrolment_required_message(org: Any) -> str:
    return (
        f"{org.name} requires two-factor authentication for admin and finance roles. "
        "Set up an authenticator app to continue."
    )


def _is_enrolment_page(request: HttpRequest) -> bool:
    match = request.resolver_match
    url_name = (match.url_name or "") if match is not None else ""
    return url_name.startswith(_ALLOWED_URL_NAMES_PREFIXES)


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def _send_to_enrolment(request: HttpRequest, message: str) -> HttpResponse:
    if _is_api(request):
        return problem_response(
            request, 403, message, problem="second-factor-required", title="Two-factor required"
        )
    messages.warning(request, message)
    target = reverse("mfa_activate_totp")
    if getattr(request, "htmx", False):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = target
        return response
    return HttpResponseRedirect(target)


def _sign_out(request: HttpRequest) -> HttpResponse:
    logout(request)
    if _is_api(request):
        return problem_response(
            request,
            401,
            "This session was opened without the second factor. " + SIGNED_OUT_MESSAGE,
            problem="second-factor-required",
        )
    messages.warning(request, SIGNED_OUT_MESSAGE)
    return HttpResponseRedirect(reverse("account_login"))


def _has_totp_now(request: HttpRequest, user: Any) -> bool:
    """has_totp, remembered in the session for a minute when the answer is no: most people have
    no authenticator app, and asking the database on each of their requests buys nothing (a
    session opened before its owner enrolled is no bypass)."""
    now = time.time()
    remembered = request.session.get(NO_TOTP_KEY)
    if (
        isinstance(remembered, list)
        and len(remembered) == 2
        and remembered[0] == user.pk
        and now < float(remembered[1])
    ):
        return False
    enrolled = has_totp(user)
    if not enrolled:
        request.session[NO_TOTP_KEY] = [user.pk, now + NO_TOTP_RECHECK_SECONDS]
    return enrolled


class _ViewCheckMiddleware:
    """A middleware that only looks at a request once its view is known (process_view)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)


class SecondFactorSessionMiddleware(_ViewCheckMiddleware):
    """Sign out sessions that skipped an enrolled second factor; send IFM staff to enrol.

    Placed after the authentication middlewares. Costs one indexed lookup per request only for
    sessions that did not use a code (a session that did is trusted from its records).
    """

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: Any,
        view_kwargs: dict[str, Any],
    ) -> HttpResponse | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or session_used_second_factor(request):
            return None
        if _has_totp_now(request, user):
            return _sign_out(request)
        if is_ifm_staff(user) and not _is_enrolment_page(request):
            return _send_to_enrolment(request, STAFF_MUST_ENROL)
        return None


class TwoFactorRequiredMiddleware(_ViewCheckMiddleware):
    """Send admin and finance members without an authenticator app to enrol one first.

    Runs after TenantMiddleware.process_view, so request.org and request.access are known for
    organization pages (/o/<slug>/...). The API applies the same rule in its authentication
    (ifm.accounts.api_auth), where the organization is known.
    """

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: Any,
        view_kwargs: dict[str, Any],
    ) -> HttpResponse | None:
        org = getattr(request, "org", None)
        if org is None or _is_enrolment_page(request):
            return None
        if not must_enrol_2fa(org, getattr(request, "access", None), request.user):
            return None
        return _send_to_enrolment(request, enrolment_required_message(org))


# --- wrong codes ---------------------------------------------------------------------------


def code_attempts_left(request: HttpRequest) -> int:
    used = int(request.session.get(CODE_FAILURES_KEY, 0))
    return max(0, settings.SECOND_FACTOR_ATTEMPTS - used)


def code_failed(request: HttpRequest, user: Any, *, reauthentication: bool) -> int:
    """Count a wrong code against this session and, as a failed sign-in, against the account.

    Returns the attempts left in this session. The failed sign-in goes through Django's
    signal, so django-axes counts it towards the account and address lockout and the audit
    log records it as `auth.sign_in_failed` like a wrong password.
    """
    used = int(request.session.get(CODE_FAILURES_KEY, 0)) + 1
    request.session[CODE_FAILURES_KEY] = used
    user_login_failed.send(
        sender=__name__,
        credentials={"email": user.email, "step": "second_factor"},
        request=request,
    )
    if reauthentication and used >= settings.SECOND_FACTOR_ATTEMPTS:
        logout(request)
    return max(0, settings.SECOND_FACTOR_ATTEMPTS - used)


def code_attempts_reset(request: HttpRequest) -> None:
    """A new password step (or success) starts the count of this session's codes afresh."""
    request.session.pop(CODE_FAILURES_KEY, None)
