"""Facts about the request being served, readable from anywhere (audit, logs) without passing it."""

from __future__ import annotations

import ipaddress
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.http import HttpRequest

_request_meta: ContextVar[dict[str, Any] | None] = ContextVar("ifm_request_meta", default=None)


def client_ip(request: HttpRequest) -> str | None:
    """The address of the person's machine, as far as it can be trusted.

    With no proxy in front (TRUSTED_PROXY_COUNT=0) it is the connecting address. Behind N
    trusted proxies each appends the address it received the request from to
    X-Forwarded-For, so the client is the N-th entry from the right; anything left of it was
    written by the client and is ignored. A header shorter than that means the request did not
    come through the proxies: the connecting address is used.
    """
    remote = request.META.get("REMOTE_ADDR") or None
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < count:
        return remote
    candidate = forwarded[-count]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote


def request_meta_from(request: HttpRequest) -> dict[str, Any]:
    return {
        "ip": client_ip(request),
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
