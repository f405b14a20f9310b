"""Real users' page loads: the beacon `ifm/static/ifm/app.js` sends from signed-in pages.

The browser measures the page's Largest Contentful Paint with a PerformanceObserver and sends
`{"path": "/o/alpha/donors/", "lcp": 812}` with `navigator.sendBeacon` when the page is hidden.
The path is resolved here to its URL name (`donors:donor_list`), so what is kept names the page,
never an id in its path. A beacon cannot carry the CSRF header, so this view accepts only
same-origin posts (Sec-Fetch-Site or Origin), from a signed-in user, small and well formed;
anything else is a 4xx with a short reason and nothing counted.
"""

from __future__ import annotations

import json
import math
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import Resolver404, resolve
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from ifm.ops import usage
from ifm.tenancy.selectors import access_for

MAX_BODY = 2048  # bytes: a beacon is a few dozen
MAX_LCP_MS = 120_000  # a paint later than two minutes is a page left open, not a load
# Pages that are not pages: the beacon itself, the API, the health checks.
NOT_PAGES = ("api:", "rum_", "healthz", "readyz", "metrics")


class BeaconError(ValueError):
    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


def _refuse(message: str, status: int) -> JsonResponse:
    return JsonResponse({"detail": message}, status=status)


def _same_origin(request: HttpRequest) -> bool:
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None:
        return site == "same-origin"
    origin = request.headers.get("Origin")
    if origin is None:
        return True  # not a browser's cross-site request: those carry one or the other
    return origin == f"{request.scheme}://{request.get_host()}"


def parse_beacon(body: bytes) -> tuple[str, float]:
    """The page path and its LCP in milliseconds, or BeaconError saying what is wrong."""
    if len(body) > MAX_BODY:
        raise BeaconError(f"A beacon is at most {MAX_BODY} bytes.", 413)
    try:
        data: Any = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise BeaconError("The beacon must be a JSON object.") from None
    if not isinstance(data, dict):
        raise BeaconError("The beacon must be a JSON object.")
    path = data.get("path")
    lcp = data.get("lcp")
    if not isinstance(path, str) or not path.startswith("/") or len(path) > 500:
        raise BeaconError('"path" must be the page\'s path, starting with "/".')
    if isinstance(lcp, bool) or not isinstance(lcp, int | float) or not math.isfinite(lcp):
        raise BeaconError('"lcp" must be a number of milliseconds.')
    if not 0 < lcp <= MAX_LCP_MS:
        raise BeaconError(f'"lcp" must be between 0 and {MAX_LCP_MS} milliseconds.')
    return path, float(lcp)


def page_of(path: str) -> tuple[str, str | None]:
    """The URL name of a page path and its organization slug, or BeaconError."""
    try:
        match = resolve(path)
    except Resolver404:
        raise BeaconError("The path is not a page of this site.") from None
    route = str(match.view_name or "")
    if not route or route.startswith(NOT_PAGES):
        raise BeaconError("The path is not a page of this site.")
    return route, match.kwargs.get("org_slug")


@csrf_exempt  # a beacon cannot send the token; same-origin is checked instead
@require_POST
def rum_page_load(request: HttpRequest) -> HttpResponse:
    """Count one page's Largest Contentful Paint from a signed-in user's browser."""
    if not request.user.is_authenticated:
        return _refuse("Sign in first.", 401)
    if not _same_origin(request):
        return _refuse("Only this site's own pages may send page loads.", 403)
    length = request.META.get("CONTENT_LENGTH") or "0"
    if not length.isdigit() or int(length) > MAX_BODY:
        return _refuse(f"A beacon is at most {MAX_BODY} bytes.", 413)
    try:
        path, lcp = parse_beacon(request.body)
        route, slug = page_of(path)
    except BeaconError as exc:
        return _refuse(str(exc), exc.status)
    organization_id = 0
    if slug:
        org, access = access_for(request.user, slug)
        if org is not None and access is not None:
            organization_id = int(org.pk)
    usage.record_page_load(organization_id=organization_id, route=route, lcp_ms=lcp)
    return HttpResponse(status=204)
