"""Sign a session out after a period of inactivity (SESSION_IDLE_TIMEOUT seconds)."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse

LAST_SEEN_KEY = "ifm_last_seen"
IDLE_LOGOUT_FLAG = "_ifm_idle_logout"
IDLE_MESSAGE = "You were signed out after a period of inactivity. Please sign in again."


class SessionIdleTimeoutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            now = int(time.time())
            last = request.session.get(LAST_SEEN_KEY)
            if last is not None and now - int(last) > settings.SESSION_IDLE_TIMEOUT:
                # The sign-out audit event records why (see accounts.signals).
                setattr(request, IDLE_LOGOUT_FLAG, True)
                logout(request)
                messages.info(request, IDLE_MESSAGE)
            else:
                request.session[LAST_SEEN_KEY] = now
        return self.get_response(request)
