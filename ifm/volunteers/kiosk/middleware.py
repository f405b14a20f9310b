"""Keeps a kiosk browser on the kiosk: any URL but the kiosk's own pages of its organization,
static files and signing out is refused (a page is sent back to the kiosk, anything else gets
a 403)."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden, HttpResponseRedirect
from django.urls import reverse

from ifm.volunteers.kiosk.session import kiosk_home, kiosk_of


class KioskMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        kiosk = kiosk_of(request)
        if kiosk is None or self._allowed(request.path, str(kiosk.get("org", ""))):
            return self.get_response(request)
        home = kiosk_home(str(kiosk.get("org", "")))
        is_page = request.method in ("GET", "HEAD") and not request.headers.get("HX-Request")
        if is_page and not request.path.startswith("/api/"):
            return HttpResponseRedirect(home)
        return HttpResponseForbidden("This device is a check-in kiosk: only the kiosk is open.")

    @staticmethod
    def _allowed(path: str, slug: str) -> bool:
        if not slug:
            return False
        static = settings.STATIC_URL or "/static/"
        return (
            path.startswith(kiosk_home(slug))
            or path.startswith(static if static.startswith("/") else "/" + static)
            or path == reverse("account_logout")
            or path == "/favicon.ico"
        )
