from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict

import csp.middleware
from csp.constants import HEADER
from csp.utils import build_policy
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.urls import Resolver404
from django.views.defaults import page_not_found

from ifm.core.request_context import request_meta_from, reset_request_meta, set_request_meta
from ifm.ops.debug import is_loopback
from ifm.ops.logging import redact_secret_paths, request_id_var
from ifm.ops.requests import record_request

log = logging.getLogger("ifm.request")
_VALID_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class RequestIdMiddleware:
    """Give every request an id (or keep a sane X-Request-ID from the proxy); log one line each
    and count it (ifm.ops.requests)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _VALID_ID.match(incoming) else uuid.uuid4().hex
        vars(request)["request_id"] = request_id  # read back by the problem documents and audit
        token = request_id_var.set(request_id)
        meta_token = set_request_meta(request_meta_from(request))
        start = time.perf_counter()
        try:
            response = self.get_response(request)
            self._log(request, response, request_id, start)
        finally:
            reset_request_meta(meta_token)
            request_id_var.reset(token)
        response["X-Request-ID"] = request_id
        return response

    @staticmethod
    def _log(request: HttpRequest, response: HttpResponse, request_id: str, start: float) -> None:
        duration = time.perf_counter() - start
        # The one place a request is counted (metrics, the ops page, alerts, rollout).
        record_request(request, response, duration)
        duration_ms = round(duration * 1000, 1)
        org = getattr(request, "org", None)
        user = getattr(request, "user", None)
        path = redact_secret_paths(request.path)
        log.info(
            "%s %s %s",
            request.method,
            path,
            response.status_code,
            extra={
                "request_id": request_id,
                "method": request.method,
                "path": path,
                "status": response.status_code,
                "duration_ms": duration_ms,
                "org": getattr(org, "slug", None),
                "user_id": getattr(user, "pk", None)
                if user is not None and user.is_authenticated
                else None,
            },
        )


# Django's debug pages use inline styles and scripts; this policy lets them render on the
# developer's own machine and still loads nothing from anywhere.
DEBUG_PAGE_POLICY = (
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
    "img-src data:; frame-ancestors 'none'; form-action 'none'; base-uri 'none'"
)


class CSPMiddleware(csp.middleware.CSPMiddleware):
    """django-csp, except that error pages under DEBUG carry a policy too.

    django-csp sends no header on 404 and 500 answers when DEBUG is on (for the debug pages'
    inline code). Here a debug page shown to a loopback client gets DEBUG_PAGE_POLICY, and every
    other error page the normal policy.
    """

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        if not (settings.DEBUG and response.status_code in (404, 500)):
            return super().process_response(request, response)
        if HEADER not in response and not getattr(response, "_csp_exempt", False):
            if is_loopback(request):
                response[HEADER] = DEBUG_PAGE_POLICY
            else:
                parts = self.get_policy_parts(request=request, response=response)
                response[HEADER] = build_policy(**asdict(parts))
        return response


class DebugPagesMiddleware:
    """Under DEBUG, Django's technical 404 page (it lists every URL pattern) only for a loopback
    client; others get the ordinary 404 page. (The 500 page: ifm.ops.debug.)"""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            settings.DEBUG
            and response.status_code == 404
            and getattr(request, "resolver_match", None) is None
            and not is_loopback(request)
        ):
            # No URL pattern matched: Django answered with its technical page.
            return page_not_found(request, Resolver404())
        return response

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        if settings.DEBUG and isinstance(exc, Http404) and not is_loopback(request):
            return page_not_found(request, exc)
        return None
