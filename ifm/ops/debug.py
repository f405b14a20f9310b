"""Django's debug pages, made safe for `make run` (DEBUG on by default in development).

- The technical 500 page (traceback, settings, request) is shown only to a browser on this
  machine (a loopback client address); anyone else gets the ordinary error page.
- Secrets are masked in it and in every error report: the settings Django already hides (names
  with API, AUTH, TOKEN, KEY, SECRET, PASS, SIGNATURE), connection URLs (DATABASE_URL and the
  like), the password of any URL with credentials and of a libpq connection string, wherever
  they appear: settings, request environment or a traceback's local variables.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Any

from django.core.exceptions import BadRequest, SuspiciousOperation
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.views.debug import ExceptionReporter, SafeExceptionReporterFilter

MASK = SafeExceptionReporterFilter.cleansed_substitute

_HIDDEN = re.compile(
    "API|AUTH|TOKEN|KEY|SECRET|PASS|SIGNATURE|HTTP_COOKIE|CREDENTIAL|DSN|"
    "DATABASE_URL|EMAIL_URL|CACHE_URL|REDIS_URL|BROKER_URL",
    flags=re.IGNORECASE,
)
_URL_CREDENTIALS = re.compile(
    r"(?P<scheme>[a-z][a-z0-9+.-]*://)(?P<user>[^/@\s:]*):[^/@\s]*@", re.I
)
_CONNINFO_PASSWORD = re.compile(r"(password\s*=\s*)('[^']*'|\S+)", re.IGNORECASE)


def mask_secrets_in(text: str) -> str:
    """The text with passwords of URLs (scheme://user:password@host) and of libpq connection
    strings (password=...) replaced by stars."""
    text = _URL_CREDENTIALS.sub(lambda m: f"{m['scheme']}{m['user']}:{MASK}@", text)
    return _CONNINFO_PASSWORD.sub(lambda m: f"{m[1]}{MASK}", text)


def is_loopback(request: HttpRequest | None) -> bool:
    """The request came from this machine (127.0.0.0/8 or ::1)."""
    if request is None:
        return False
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR") or "")
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped.is_loopback
    return address.is_loopback


class SecretsExceptionReporterFilter(SafeExceptionReporterFilter):
    """Django's filter, also hiding connection URLs and any password inside a value."""

    hidden_settings = _HIDDEN

    def cleanse_setting(self, key: Any, value: Any) -> Any:
        cleansed = super().cleanse_setting(key, value)
        if isinstance(cleansed, str):
            return mask_secrets_in(cleansed)
        return cleansed

    def get_traceback_frame_variables(self, request: Any, tb_frame: Any) -> Any:
        variables = super().get_traceback_frame_variables(request, tb_frame)
        return [(name, self.cleanse_setting(name, value)) for name, value in variables]


_BAD_REQUEST_PAGE = "<!doctype html><title>Bad request</title><h1>Bad request (400)</h1>"


class LoopbackExceptionReporter(ExceptionReporter):
    """The technical error page for a browser on this machine; the plain page for others."""

    def _plain(self) -> bool:
        return not self.is_email and self.request is not None and not is_loopback(self.request)

    def _bad_request(self) -> bool:
        return self.exc_type is not None and issubclass(
            self.exc_type, BadRequest | SuspiciousOperation
        )

    def get_traceback_html(self) -> SafeString:
        if not self._plain():
            return super().get_traceback_html()
        if self._bad_request():
            return mark_safe(_BAD_REQUEST_PAGE)
        return mark_safe(render_to_string("500.html"))

    def get_traceback_text(self) -> SafeString:
        if not self._plain():
            return super().get_traceback_text()
        return mark_safe("Bad request (400)" if self._bad_request() else "Server error (500)")
