"""Requests the app cannot take, refused once before any view or database sees them.

- A NUL character (U+0000) anywhere a person types text: the path, query string, headers, form
  fields, uploaded file names and JSON bodies. PostgreSQL text cannot hold it (psycopg raises
  DataError) and SQLite would store it; no person means it. The answer is a 400 naming the field.
- A body the server will not read: larger than DATA_UPLOAD_MAX_MEMORY_SIZE (413), a multipart
  body without a boundary or with oversized part headers (a file name of hundreds of characters),
  too many fields (400).
- On /api/: a body whose Content-Type is not JSON, a form or multipart (415).

API paths get an RFC 9457 problem document, pages the 400 page with the same sentence.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.db import DataError
from django.http import HttpRequest, HttpResponse, UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render

from ifm.core.problems import problem_response

log = logging.getLogger("ifm.request")

API_PREFIX = "/api/"
NUL = "\x00"
FORM_TYPES = frozenset({"multipart/form-data", "application/x-www-form-urlencoded"})
BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class InputRefused(Exception):
    """What to answer instead of running the view."""

    def __init__(self, status: int, detail: str, field: str | None = None):
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.field = field


def _printable(name: str) -> str:
    return name.replace(NUL, "\\u0000") or "(empty name)"


def _nul_in(where: str, name: str) -> InputRefused:
    return InputRefused(
        400,
        f"The {where} `{_printable(name)}` contains a NUL character (\\u0000), which text "
        "cannot hold: remove it.",
        field=_printable(name),
    )


def _json_paths(value: Any, path: str = "") -> Iterator[str]:
    """Dotted paths ("lines.0.memo") of the strings (values or keys) holding a NUL."""
    if isinstance(value, str):
        if NUL in value:
            yield path or "body"
    elif isinstance(value, dict):
        for key, item in value.items():
            child = f"{path}.{key}" if path else str(key)
            if NUL in str(key):
                yield child
            else:
                yield from _json_paths(item, child)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _json_paths(item, f"{path}.{i}" if path else str(i))


def _check_body(request: HttpRequest, content_type: str) -> None:
    """A non-form body: read once (Django keeps it for the view); parsed only when it may
    hold an escaped NUL, so an ordinary JSON body is not decoded twice."""
    body = request.body  # RequestDataTooBig beyond DATA_UPLOAD_MAX_MEMORY_SIZE
    if not body:
        return
    is_json = content_type == "application/json" or content_type.endswith("+json")
    if request.path.startswith(API_PREFIX) and request.method != "DELETE" and not is_json:
        raise InputRefused(
            415,
            f"Content-Type {content_type or '(none)'} is not accepted here: send JSON with "
            "Content-Type: application/json, or a file as multipart/form-data.",
        )
    if b"\x00" in body:
        raise _nul_in("request body", "body")
    if b"\\u0000" not in body:
        return
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return  # not JSON: the view says so
    path = next(_json_paths(data), None)
    if path is not None:
        raise _nul_in("field", path)


def _check_address(request: HttpRequest) -> None:
    """The path, the query string and the headers."""
    if NUL in request.path:
        raise InputRefused(400, "The address contains a NUL character (\\u0000): remove it.")
    for key, values in request.GET.lists():
        if NUL in key or any(NUL in v for v in values):
            raise _nul_in("query parameter", key)
    for key, value in request.META.items():
        if key.startswith("HTTP_") and isinstance(value, str) and NUL in value:
            raise _nul_in("header", key[5:].replace("_", "-").title())


def _check_form(request: HttpRequest) -> None:
    """A POSTed form: its fields and its file names."""
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    if limit is None or int(request.META.get("CONTENT_LENGTH") or 0) <= limit:
        # Read the raw body first, so the form is parsed from a copy and the view can still
        # read request.body (idempotency keys fingerprint it). Large uploads are streamed.
        _ = request.body
    for key, values in request.POST.lists():
        if NUL in key or any(NUL in v for v in values):
            raise _nul_in("field", key)
    for key, files in request.FILES.lists():
        if NUL in key or any(NUL in (f.name or "") for f in files):
            raise _nul_in("file field", key)


def check_request(request: HttpRequest) -> None:
    """Raise InputRefused for a request the app will not take (see the module docstring)."""
    _check_address(request)
    if request.method not in BODY_METHODS:
        return
    content_type = request.content_type or ""
    if content_type in FORM_TYPES:
        if request.method == "POST":  # Django parses forms of POST only
            _check_form(request)
        return
    _check_body(request, content_type)


def refusal_for(exc: Exception) -> InputRefused | None:
    """The answer for an error Django raises while reading a request body, else None."""
    if isinstance(exc, RequestDataTooBig):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0
        return InputRefused(
            413,
            f"The request body is too large: send at most {limit / (1024 * 1024):g} MB of JSON "
            "or form fields (files go as multipart/form-data).",
        )
    if isinstance(exc, MultiPartParserError):
        return InputRefused(
            400,
            f"The multipart body cannot be read ({exc}). Send multipart/form-data with its "
            "boundary, and keep each part's headers (such as the file name) under 1 KB.",
            field="body",
        )
    if isinstance(exc, SuspiciousOperation):
        return InputRefused(400, f"The request cannot be read: {exc}.")
    if isinstance(exc, UnreadablePostError):
        return InputRefused(400, "The request body could not be read completely: send it again.")
    return None


def refuse(request: HttpRequest, refusal: InputRefused) -> HttpResponse:
    errors = (
        [{"field": refusal.field, "message": refusal.detail}] if refusal.field is not None else []
    )
    if request.path.startswith(API_PREFIX):
        return problem_response(request, refusal.status, refusal.detail, errors=errors)
    return render(
        request,
        "400.html",
        {"message": refusal.detail, "field": refusal.field},
        status=refusal.status,
    )


class InputGuardMiddleware:
    """Refuse unusable input early; turn a DataError a page let through into a 400."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            check_request(request)
        except InputRefused as refusal:
            return refuse(request, refusal)
        except Exception as exc:
            unreadable = refusal_for(exc)
            if unreadable is None:
                raise
            if hasattr(request, "_mark_post_parse_error"):
                # Django's own recovery from an unreadable body: POST and FILES become empty,
                # so the error page does not read the body again.
                request._mark_post_parse_error()  # noqa: SLF001 Django has no public equivalent
            return refuse(request, unreadable)
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        """Backstop for pages: a value the database refuses is a 400, never a 500."""
        if isinstance(exc, DataError):
            log.warning("Database refused a value", exc_info=exc, extra={"path": request.path})
            return refuse(
                request,
                InputRefused(
                    400,
                    "A value you sent cannot be stored (too long, out of range or containing "
                    "characters text cannot hold): check what you entered and try again.",
                ),
            )
        refusal = refusal_for(exc)
        return refuse(request, refusal) if refusal is not None else None
