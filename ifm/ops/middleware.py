from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from ifm.core.request_context import request_meta_from, reset_request_meta, set_request_meta
from ifm.ops.logging import request_id_var

log = logging.getLogger("ifm.request")
_VALID_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class RequestIdMiddleware:
    """Give every request an id (or keep a sane X-Request-ID from the proxy); log one line each."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _VALID_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]
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
        duration_ms = round((time.perf_counter() - start) * 1000, 1)
        org = getattr(request, "org", None)
        user = getattr(request, "user", None)
        log.info(
            "%s %s %s",
            request.method,
            request.path,
            response.status_code,
            extra={
                "request_id": request_id,
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": duration_ms,
                "org": getattr(org, "slug", None),
                "user_id": getattr(user, "pk", None)
                if user is not None and user.is_authenticated
                else None,
            },
        )
