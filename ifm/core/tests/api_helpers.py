"""Helpers for API tests: real tokens in the shared format, clients that send them."""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Iterable
from typing import Any

from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client
from django.utils import timezone

from ifm.accounts.models import ApiToken
from ifm.core.org_context import all_organizations


def make_api_token(user: Any, org: Any, *, revoked: bool = False, name: str = "test") -> str:
    """Store a token the way token creation does; return the secret."""
    token = "ifm_" + secrets.token_urlsafe(32)
    with all_organizations():
        ApiToken.objects.create(
            organization=org,
            user=user,
            name=name,
            prefix=token[:12],
            token_hash=hashlib.sha256(token.encode()).hexdigest(),
            revoked_at=timezone.now() if revoked else None,
        )
    return token


def token_client(token: str) -> Client:
    return Client(headers={"Authorization": f"Bearer {token}"})


def api_client_for(user: Any, org: Any) -> Client:
    return token_client(make_api_token(user, org))


def send_json(client: Client, method: str, path: str, body: Any, **extra: Any) -> Any:
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.generic(method, path, data, content_type="application/json", **extra)


def assert_problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == status
    assert set(problem) >= {"type", "title", "status", "detail", "instance", "errors"}
    return problem


class InTestWSGIApp:
    """Django's WSGI handler, minus the connection closing the test's transaction can't take.

    As Django's own test client does: the database connection stays open across requests.
    """

    def __init__(self) -> None:
        self.handler = WSGIHandler()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        try:
            response = self.handler(environ, start_response)
            content = b"".join(response)
            response.close()
            return [content]
        finally:
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)
