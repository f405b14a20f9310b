"""Facts about the request being served, readable from anywhere (audit, logs) without passing it."""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

from django.http import HttpRequest

_request_meta: ContextVar[dict[str, Any] | None] = ContextVar("ifm_request_meta", default=None)


def request_meta_from(request: HttpRequest) -> dict[str, Any]:
    return {
        "ip": request.META.get("REMOTE_ADDR") or None,
        "user_agent": request.META.get("HTTP_USER_AGENT", ""),
        "request_id": getattr(request, "request_id", ""),
    }


def set_request_meta(meta: dict[str, Any] | None) -> Any:
    return _request_meta.set(meta)


def reset_request_meta(token: Any) -> None:
    _request_meta.reset(token)


def current_request_meta(request: HttpRequest | None = None) -> dict[str, Any]:
    if request is not None:
        return request_meta_from(request)
    return _request_meta.get() or {}
