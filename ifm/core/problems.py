"""RFC 9457 problem documents: the one error shape of the API and of refused requests.

`problem_response` builds the document; the API (ifm.core.api) and the request guard
(ifm.core.input_guard) both answer with it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from http import HTTPStatus
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Schema

PROBLEM_CONTENT_TYPE = "application/problem+json"
PROBLEM_TYPE_BASE = "https://ifm.invalid/problems/"  # stable identifiers, documented in docs/api.md


class FieldErrorOut(Schema):
    field: str
    message: str


class ProblemOut(Schema):
    """RFC 9457 problem details, with the fields at fault in `errors`."""

    type: str
    title: str
    status: int
    detail: str
    instance: str
    errors: list[FieldErrorOut] = []
    request_id: str | None = None


_PROBLEM_SLUGS = {
    400: "bad-request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    409: "conflict",
    413: "payload-too-large",
    415: "unsupported-media-type",
    422: "validation-error",
    429: "too-many-requests",
    500: "server-error",
}


def problem_response(
    request: HttpRequest,
    status: int,
    detail: str,
    *,
    errors: Sequence[dict[str, Any]] = (),
    title: str | None = None,
    problem: str | None = None,
    headers: dict[str, str] | None = None,
) -> HttpResponse:
    slug = problem or _PROBLEM_SLUGS.get(status, "error")
    body = {
        "type": PROBLEM_TYPE_BASE + slug,
        "title": title or HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "instance": request.path,
        "errors": [{"field": str(e["field"]), "message": str(e["message"])} for e in errors],
        "request_id": getattr(request, "request_id", None),
    }
    response = HttpResponse(json.dumps(body), status=status, content_type=PROBLEM_CONTENT_TYPE)
    for name, value in (headers or {}).items():
        response[name] = value
    return response
