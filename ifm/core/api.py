"""What every /api/v1 endpoint shares: problem details, keyset pagination, idempotency.

- Errors: every failure is an RFC 9457 `application/problem+json` document (`problem_response`,
  installed on the API by `install_problem_handlers`).
- Lists: `@paginated("field", "-other")` under `@router.get(..., response=list[ItemOut])` gives
  `?limit=&cursor=` and `{"items": [...], "next": "<cursor>|null"}`.
- Creating POSTs: `@idempotent` honours an `Idempotency-Key` header.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import logging
import re
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import wraps
from typing import Any

import psycopg
from django.core.exceptions import (
    ObjectDoesNotExist,
    PermissionDenied,
    SuspiciousOperation,
)
from django.core.exceptions import (
    ValidationError as DjangoValidationError,
)
from django.db import (
    DataError,
    IntegrityError,
    InterfaceError,
    OperationalError,
    connection,
    models,
    transaction,
)
from django.db.models import Q, QuerySet
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    RawPostDataException,
    UnreadablePostError,
)
from django.http.multipartparser import MultiPartParserError
from django.urls import URLPattern, re_path
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from ninja import Field, NinjaAPI, Schema
from ninja.decorators import _apply_decorators
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.pagination import PaginationBase, paginate
from ninja.utils import contribute_operation_callback
from pydantic import ConfigDict

from ifm.core.api_payload import render_page
from ifm.core.dbfaults import database_unavailable, unavailable_response
from ifm.core.errors import ServiceError
from ifm.core.input_guard import refusal_for
from ifm.core.lookups import MAX_ID
from ifm.core.models import IdempotencyRecord
from ifm.core.problems import (
    PROBLEM_CONTENT_TYPE,
    ProblemOut,
    problem_response,
)

log = logging.getLogger("ifm.api")

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
IDEMPOTENCY_TTL = timedelta(hours=24)
IDEMPOTENCY_HEADER = "Idempotency-Key"
IDEMPOTENCY_KEY_MAX_LENGTH = 255


# --- Schemas -----------------------------------------------------------------------------------


class InputSchema(Schema):
    """Base of request bodies: an unknown field is an error naming it, never silently dropped."""

    model_config = ConfigDict(extra="forbid")


# --- Problem details ---------------------------------------------------------------------------


class ApiError(Exception):
    """An HTTP error to answer as a problem document (for the API layer itself, not services)."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        errors: list[dict[str, str]] | None = None,
        problem: str | None = None,
        headers: dict[str, str] | None = None,
    ):
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.errors = errors or []
        self.problem = problem
        self.headers = headers or {}


def _validation_errors(errors: list[dict[str, Any]]) -> list[dict[str, str]]:
    """Ninja/pydantic error entries as [{"field", "message"}], the field a dotted path."""
    out = []
    for err in errors:
        loc = [str(p) for p in err.get("loc", ())]
        source = loc[0] if loc else ""
        if source == "body" and len(loc) >= 2:
            # ("body", <parameter name>, *path): the parameter name is ours, not the client's.
            path = loc[2:]
            name = ".".join(path) if path else "body"
        elif source in {"header", "query", "path", "cookie", "form"} and len(loc) >= 2:
            name = ".".join(loc[1:])
        else:
            name = ".".join(loc) or "request"
        message = _VALIDATION_MESSAGES.get(err.get("type", ""), err.get("msg", "Invalid value."))
        out.append({"field": name, "message": message})
    return out


_VALIDATION_MESSAGES = {
    "extra_forbidden": "Unknown field: remove it.",
    "missing": "This field is required.",
}


def _handle_validation(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = _validation_errors(exc.errors)
    names = ", ".join(dict.fromkeys(e["field"] for e in errors))
    return problem_response(
        request, 422, f"The request has invalid fields: {names}.", errors=errors
    )


def _handle_service_error(request: HttpRequest, exc: ServiceError) -> HttpResponse:
    return problem_response(request, exc.status, exc.message, errors=exc.errors)


def _handle_api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
    return problem_response(
        request,
        exc.status,
        exc.detail,
        errors=exc.errors,
        problem=exc.problem,
        headers=exc.headers,
    )


def _handle_authentication(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    detail = exc.message if exc.message != "Unauthorized" else "Authentication required."
    challenge = 'Bearer realm="ifm"'
    if request.headers.get("Authorization"):
        challenge += ', error="invalid_token"'
    return problem_response(
        request,
        401,
        detail + " Send Authorization: Bearer <token>, or sign in.",
        headers={"WWW-Authenticate": challenge},
    )


def _handle_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    detail = exc.message
    if exc.status_code == 400 and detail.startswith("Cannot parse request body"):
        detail = "The request body is not valid JSON."
    elif exc.status_code == 403 and "CSRF" in detail:
        detail = "CSRF check failed: send the X-CSRFToken header with the csrftoken cookie value."
    return problem_response(request, exc.status_code, detail)


def _handle_permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return problem_response(request, 403, str(exc) or "You may not do this.")


def _handle_not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    # One answer for "missing" and "belongs to another organization".
    return problem_response(request, 404, "Not found.")


def _handle_django_validation(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    if hasattr(exc, "error_dict"):
        errors = [
            {"field": name, "message": message}
            for name, messages in exc.message_dict.items()
            for message in messages
        ]
    else:
        errors = [{"field": "request", "message": m} for m in exc.messages]
    return problem_response(
        request, 422, "; ".join(e["message"] for e in errors) or "Invalid.", errors=errors
    )


def _handle_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    log.error("Unhandled API error", exc_info=exc, extra={"path": request.path})
    return problem_response(
        request,
        500,
        "Something went wrong on our side. The error was logged; quote the request id "
        "when you report it.",
    )


def _handle_unreadable_body(request: HttpRequest, exc: Exception) -> HttpResponse:
    # Normally refused by ifm.core.input_guard before the API runs; this is the backstop.
    refusal = refusal_for(exc)
    if refusal is None:
        return _handle_unexpected(request, exc)
    errors = [{"field": refusal.field, "message": refusal.detail}] if refusal.field else []
    return problem_response(request, refusal.status, refusal.detail, errors=errors)


def _handle_data_error(request: HttpRequest, exc: DataError) -> HttpResponse:
    log.warning("Database refused a value", exc_info=exc, extra={"path": request.path})
    return problem_response(
        request,
        400,
        "A value in the request cannot be stored (too long, out of range or containing "
        "characters text cannot hold): correct it and send the request again.",
    )


def _handle_database_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    if database_unavailable(exc):
        log.error("Database unavailable", exc_info=exc, extra={"path": request.path})
        return unavailable_response(request)
    return _handle_unexpected(request, exc)


def install_problem_handlers(api: NinjaAPI) -> None:
    handlers: list[tuple[type[Exception], Callable[..., HttpResponse]]] = [
        (Exception, _handle_unexpected),
        (HttpError, _handle_http_error),
        (AuthenticationError, _handle_authentication),
        (ValidationError, _handle_validation),
        (ServiceError, _handle_service_error),
        (ApiError, _handle_api_error),
        (PermissionDenied, _handle_permission_denied),
        (Http404, _handle_not_found),
        (ObjectDoesNotExist, _handle_not_found),
        (DjangoValidationError, _handle_django_validation),
        (SuspiciousOperation, _handle_unreadable_body),
        (MultiPartParserError, _handle_unreadable_body),
        (UnreadablePostError, _handle_unreadable_body),
        (DataError, _handle_data_error),
        (OperationalError, _handle_database_error),
        (InterfaceError, _handle_database_error),
        # Raised raw by code that runs SQL on the driver's cursor (the tenant setting).
        (psycopg.OperationalError, _handle_database_error),
        (psycopg.InterfaceError, _handle_database_error),
        (_IdempotentReplay, _handle_replay),
    ]
    for exc_class, handler in handlers:
        api.add_exception_handler(exc_class, handler)


# --- The API class -----------------------------------------------------------------------------

# Every operation may answer these; described once under components/responses as RFC 9457
# problem details and referenced by every operation, so clients and the fuzzer know them.
PROBLEM_RESPONSES: dict[str, tuple[str, str]] = {
    "400": ("BadRequest", "Malformed request (body not JSON, bad cursor)"),
    "401": ("Unauthenticated", "Not authenticated"),
    "403": ("Forbidden", "Not allowed for your role"),
    "404": ("NotFound", "Not found (or not in your organization)"),
    "409": (
        "Conflict",
        "Conflict: changed by someone else, or a request with this Idempotency-Key is running",
    ),
    "422": ("ValidationFailed", "Invalid fields: `errors` names each one and what to fix"),
    "429": ("TooManyRequests", "Too many requests: wait for Retry-After seconds"),
    "503": ("Unavailable", "The database is not answering: nothing saved, retry after Retry-After"),
}


def _problem_components() -> dict[str, Any]:
    """The Problem schema and the schemas it refers to, keyed by their component names."""
    problem_schema = ProblemOut.model_json_schema(ref_template="#/components/schemas/{model}")
    schemas: dict[str, Any] = problem_schema.pop("$defs", {})
    schemas["Problem"] = problem_schema
    return schemas


def _add_links(paths: dict[str, Any]) -> None:
    """OpenAPI links from each creating POST to the read, change and delete of what it made.

    `POST /things` answering 201 links to the operations of `/things/{thing_id}`, with the id
    taken from the response body: clients and stateful fuzzing can follow them.
    """
    for path, item in paths.items():
        responses = item.get("post", {}).get("responses", {})
        created = responses.get(201, responses.get("201"))
        if created is None:
            continue
        for other, other_item in paths.items():
            rest = other[len(path) :]
            if not (other.startswith(path + "/{") and rest.count("/") == 1 and rest.endswith("}")):
                continue
            parameters = {p: f"$request.path.{p}" for p in re.findall(r"{(\w+)}", path)}
            parameters[rest[2:-1]] = "$response.body#/id"
            for operation in other_item.values():
                created.setdefault("links", {})[operation["operationId"]] = {
                    "operationId": operation["operationId"],
                    "parameters": parameters,
                }


class ProblemNinjaAPI(NinjaAPI):
    """NinjaAPI that answers every error, even unknown paths, as application/problem+json."""

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        install_problem_handlers(self)

    def get_openapi_operation_id(self, operation: Any) -> str:
        # The function's name (`donor_create`), not its module path: what generated clients
        # name their functions after. test_api_openapi checks that they are unique.
        return str(operation.view_func.__name__)

    def get_openapi_schema(self, **kwargs: Any) -> Any:
        schema = super().get_openapi_schema(**kwargs)
        components = schema.setdefault("components", {})
        components.setdefault("schemas", {}).update(_problem_components())
        responses = components.setdefault("responses", {})
        problem_ref = {"$ref": "#/components/schemas/Problem"}
        for name, description in PROBLEM_RESPONSES.values():
            responses[name] = {
                "description": description,
                "content": {PROBLEM_CONTENT_TYPE: {"schema": problem_ref}},
            }
        _add_links(schema.get("paths", {}))
        for path_item in schema.get("paths", {}).values():
            for operation in path_item.values():
                op_responses = operation.setdefault("responses", {})
                for status, (name, _) in PROBLEM_RESPONSES.items():
                    op_responses.setdefault(status, {"$ref": f"#/components/responses/{name}"})
        return schema

    @property
    def urls(self) -> Any:
        patterns, app_name, namespace = super().urls
        for bound in self._get_bound_routers():
            for path_view in bound.path_operations.values():
                for operation in path_view.operations:
                    if not getattr(operation.run, "records_tags", False):
                        run = _recording_tags(operation.run, operation.tags)
                        vars(operation)["run"] = run
        for pattern in patterns:
            if isinstance(pattern, URLPattern):
                pattern.callback = _method_not_allowed_as_problem(pattern.callback)
        patterns = [*patterns, re_path(r"^.*$", _unknown_path, name="api-unknown-path")]
        return patterns, app_name, namespace


def _recording_tags(run: Callable[..., Any], tags: list[str] | None) -> Callable[..., Any]:
    """Put the operation's OpenAPI tags on the request (`request.api_tags`) before its
    authentication runs: the organization's enabled modules are checked there
    (ifm.accounts.api_auth), and a module owns its operations by their tags."""
    names = tuple(tags or ())

    @wraps(run)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        vars(request)["api_tags"] = names
        return run(request, *args, **kwargs)

    vars(wrapped)["records_tags"] = True
    return wrapped


@csrf_exempt
def _unknown_path(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    return problem_response(request, 404, "There is no such API endpoint.")


def _method_not_allowed_as_problem(view: Callable[..., Any]) -> Callable[..., Any]:
    """Ninja answers a method a path lacks with Django's bare 405; make it a problem too."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        response = view(request, *args, **kwargs)
        if response.status_code == 405 and not response.get("Content-Type", "").startswith(
            PROBLEM_CONTENT_TYPE
        ):
            return problem_response(
                request,
                405,
                f"{request.method} is not allowed here; allowed: {response.get('Allow', '')}.",
                headers={"Allow": response.get("Allow", "")},
            )
        return response

    return wrapped


# --- Keyset pagination -------------------------------------------------------------------------


def _encode_value(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    return value


def _field_for_path(model: type[models.Model], path: str) -> models.Field[Any, Any]:
    """The model field at the end of an ordering path such as "user__email"."""
    current: Any = model
    parts = path.split("__")
    for i, part in enumerate(parts):
        fld = current._meta.pk if part == "pk" else current._meta.get_field(part)
        if i == len(parts) - 1:
            if fld.is_relation:
                return fld.target_field
            return fld
        current = fld.related_model
    raise AssertionError("unreachable")


def _attr_for_path(obj: Any, path: str) -> Any:
    for part in path.split("__"):
        obj = getattr(obj, part)
    return obj.pk if isinstance(obj, models.Model) else obj


class KeysetPagination(PaginationBase):
    """Keyset ("seek") pagination: stable under inserts, no OFFSET scans on large tables.

    The cursor is opaque to clients: base64 of the sort-key values of the last row sent,
    with the primary key as the final tie-breaker.
    """

    class Input(Schema):
        limit: int = Field(
            DEFAULT_PAGE_SIZE,
            ge=1,
            le=MAX_PAGE_SIZE,
            description=f"Items per page (1 to {MAX_PAGE_SIZE}).",
        )
        cursor: str | None = Field(
            None,
            max_length=2000,
            description="The `next` value of the previous page; omit for the first page.",
        )

    class Output(Schema):
        items: list[Any]
        next: str | None = Field(
            ..., description="Cursor of the next page, or null on the last page."
        )

    items_attribute = "items"

    def __init__(self, *, ordering: Sequence[str] = ("pk",), **kwargs: Any):
        super().__init__(**kwargs)
        keys = [(o.lstrip("-"), o.startswith("-")) for o in ordering]
        if keys[-1][0] not in {"pk", "id"}:
            keys.append(("pk", keys[-1][1]))
        self.keys = keys

    def paginate_queryset(
        self, queryset: QuerySet[Any], pagination: Any, request: HttpRequest, **params: Any
    ) -> Any:
        order_by = [("-" if desc else "") + name for name, desc in self.keys]
        qs = queryset.order_by(*order_by)
        if pagination.cursor:
            qs = qs.filter(self._after(queryset.model, pagination.cursor))
        rows = list(qs[: pagination.limit + 1])
        more = len(rows) > pagination.limit
        rows = rows[: pagination.limit]
        next_cursor = self._encode(rows[-1]) if more and rows else None
        return {"items": rows, "next": next_cursor}

    def _encode(self, row: Any) -> str:
        values = [_encode_value(_attr_for_path(row, name)) for name, _ in self.keys]
        raw = json.dumps(values, separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    def _decode(self, model: type[models.Model], cursor: str) -> list[Any]:
        bad = ApiError(
            400,
            "The cursor is not valid: use the `next` value of a previous page unchanged.",
            errors=[{"field": "cursor", "message": "Invalid cursor."}],
        )
        try:
            raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
            values = json.loads(raw)
        except (binascii.Error, ValueError, UnicodeDecodeError):
            raise bad from None
        if not isinstance(values, list) or len(values) != len(self.keys):
            raise bad
        decoded = []
        for (name, _), value in zip(self.keys, values, strict=True):
            if value is None or isinstance(value, dict | list):
                raise bad
            fld = _field_for_path(model, name)
            try:
                python_value = fld.to_python(value)
                fld.get_prep_value(python_value)
            except (DjangoValidationError, TypeError, ValueError, OverflowError):
                raise bad from None
            if isinstance(python_value, int) and not -(2**63) <= python_value < 2**63:
                raise bad
            decoded.append(python_value)
        return decoded

    def _after(self, model: type[models.Model], cursor: str) -> Q:
        values = self._decode(model, cursor)
        condition = Q()
        for i, (name, desc) in enumerate(self.keys):
            step = Q(**{f"{name}__{'lt' if desc else 'gt'}": values[i]})
            for j in range(i):
                step &= Q(**{self.keys[j][0]: values[j]})
            condition |= step
        return condition


def paginated(*ordering: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Paginate a list endpoint that returns a queryset; declare `response=list[ItemOut]`.

    `ordering` are field paths ("-created_at", "user__email"); the primary key is added as
    the tie-breaker. Sort fields must be non-null.
    """
    ninja_paginate = paginate(KeysetPagination, ordering=ordering or ("pk",))

    def decorator(func: Callable[..., Any]) -> Callable[..., Any]:
        view = ninja_paginate(func)

        @wraps(view)
        def rendered(request: HttpRequest, **kwargs: Any) -> Any:
            # The page is validated and rendered by the lists' shared path (api_payload);
            # ninja's own path serves what that path does not know.
            result = view(request, **kwargs)
            operation = getattr(rendered, "_ninja_operation", None)
            if operation is None or not isinstance(result, dict):
                return result
            return render_page(operation, request, result)

        return rendered

    return decorator


# --- Idempotency -------------------------------------------------------------------------------


class _IdempotentReplay(Exception):
    def __init__(self, record: Any):
        super().__init__("replay")
        self.record = record


def _handle_replay(request: HttpRequest, exc: _IdempotentReplay) -> HttpResponse:
    record = exc.record
    response = HttpResponse(
        record.response_body,
        status=record.response_status,
        content_type=record.response_headers.get("Content-Type", "application/json"),
    )
    for name, value in record.response_headers.items():
        if name != "Content-Type":
            response[name] = value
    response["Idempotent-Replayed"] = "true"
    return response


def _form_fingerprint(request: HttpRequest) -> bytes:
    """A multipart upload too large to keep in memory is streamed, so its raw body cannot be
    read again: its fields and the SHA-256 of each file stand for it."""
    parts = [f"{k}={v}" for k, values in sorted(request.POST.lists()) for v in values]
    for name, files in sorted(request.FILES.lists()):
        for upload in files:
            digest = hashlib.sha256()
            for chunk in upload.chunks():
                digest.update(chunk)
            upload.seek(0)
            parts.append(f"{name}:{upload.name}:{digest.hexdigest()}")
    return "\n".join(parts).encode()


def _fingerprint(request: HttpRequest) -> str:
    try:
        body: Any = request.body
    except RawPostDataException:
        body = _form_fingerprint(request)
    try:
        body = json.dumps(json.loads(body), sort_keys=True, separators=(",", ":"))
    except (ValueError, UnicodeDecodeError):
        body = body.decode("latin-1")
    text = f"{request.method}\n{request.path}\n{body}"
    return hashlib.sha256(text.encode()).hexdigest()


def idempotency_lock_id(org_id: int, user_id: int, key: str) -> int:
    digest = hashlib.sha256(f"idempotency:{org_id}:{user_id}:{key}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def _try_lock(org_id: int, user_id: int, key: str) -> bool:
    """PostgreSQL: a transaction-scoped advisory lock on (organization, user, key).

    A second request with the same key while the first still runs gets a 409 at once instead
    of waiting. SQLite serializes writing transactions, so the second simply replays.
    """
    if connection.vendor != "postgresql":
        return True
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_try_advisory_xact_lock(%s)", [idempotency_lock_id(org_id, user_id, key)]
        )
        row = cursor.fetchone()
    return bool(row and row[0])


def _key_error(message: str) -> ApiError:
    return ApiError(
        422,
        message,
        errors=[{"field": IDEMPOTENCY_HEADER, "message": message}],
        problem="idempotency-key",
    )


@dataclass
class _Pending:
    record: Any
    stored: bool = field(default=False)


# The request attribute that carries a keyed request's _Pending from _begin to _store.
_PENDING_ATTR = "_ifm_idempotency"


def _begin(request: HttpRequest, key: str) -> None:
    if not key.strip() or len(key) > IDEMPOTENCY_KEY_MAX_LENGTH or not key.isprintable():
        raise _key_error(
            f"{IDEMPOTENCY_HEADER} must be 1 to {IDEMPOTENCY_KEY_MAX_LENGTH} printable characters."
        )
    org: Any = getattr(request, "org", None)  # set by the API auth before any write
    user: Any = request.user
    conflict = ApiError(
        409,
        f"A request with this {IDEMPOTENCY_HEADER} is still being processed: retry in a moment.",
        problem="idempotency-in-progress",
    )
    if not _try_lock(org.pk, user.pk, key):
        raise conflict
    fingerprint = _fingerprint(request)
    record = IdempotencyRecord.objects.filter(user=user, key=key).first()
    if record is not None and record.created_at <= timezone.now() - IDEMPOTENCY_TTL:
        record.delete()
        record = None
    if record is not None:
        if record.request_hash != fingerprint:
            raise _key_error(
                f"This {IDEMPOTENCY_HEADER} was already used for a different request: "
                "use a new key for a new request."
            )
        if record.response_status is None:
            raise conflict
        raise _IdempotentReplay(record)
    try:
        with transaction.atomic():
            record = IdempotencyRecord.objects.create(
                organization=org,
                user=user,
                key=key,
                method=request.method or "",
                path=request.path[:500],
                request_hash=fingerprint,
            )
    except IntegrityError:
        raise conflict from None
    setattr(request, _PENDING_ATTR, _Pending(record))


def _store(request: HttpRequest, response: HttpResponse) -> None:
    pending: _Pending | None = getattr(request, _PENDING_ATTR, None)
    if pending is None or pending.stored:
        return
    if not 200 <= response.status_code < 300:
        # Nothing was created: undo everything, so a corrected retry with the key can run.
        transaction.set_rollback(True)
        return
    headers = {"Content-Type": response.get("Content-Type", "application/json")}
    if response.has_header("Location"):
        headers["Location"] = response["Location"]
    record = pending.record
    record.response_status = response.status_code
    record.response_body = response.content.decode()
    record.response_headers = headers
    record.save(update_fields=["response_status", "response_body", "response_headers"])
    pending.stored = True


def _atomic_run(run: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(run)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if IDEMPOTENCY_HEADER not in request.headers:
            return run(request, *args, **kwargs)
        # One transaction for the creation and the stored response.
        with transaction.atomic():
            response = run(request, *args, **kwargs)
            _store(request, response)
        return response

    return wrapped


def _document_header(operation: Any) -> None:
    _apply_decorators((_atomic_run,), operation)
    extra = operation.openapi_extra or {}
    extra.setdefault("parameters", []).append(
        {
            "in": "header",
            "name": IDEMPOTENCY_HEADER,
            "required": False,
            "description": (
                "Any unique string (a UUID is best). Retrying with the same key and body "
                "returns the first response (header Idempotent-Replayed: true) and creates "
                "nothing; keys are kept 24 hours."
            ),
            "schema": {"type": "string", "minLength": 1, "maxLength": IDEMPOTENCY_KEY_MAX_LENGTH},
        }
    )
    operation.openapi_extra = extra


def idempotent(func: Callable[..., Any]) -> Callable[..., Any]:
    """Make a creating POST safe to retry with an `Idempotency-Key` header.

    Put it under the router decorator: `@router.post(...)` then `@idempotent`.
    """

    @wraps(func)
    def view(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        key = request.headers.get(IDEMPOTENCY_HEADER)
        if key is not None:
            _begin(request, key)
        return func(request, *args, **kwargs)

    contribute_operation_callback(view, _document_header)
    return view


__all__ = [
    "MAX_ID",
    "ApiError",
    "InputSchema",
    "KeysetPagination",
    "ProblemNinjaAPI",
    "ProblemOut",
    "idempotent",
    "paginated",
    "problem_response",
]
