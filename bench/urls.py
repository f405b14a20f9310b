"""The app's URLs plus bare Django views: the floors that timings are measured against (the same
middleware, no template, no query of ours). Mounted only by bench.settings, never in production."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path

from ifm.urls import urlpatterns as app_urlpatterns

FLOOR_PATH = "/__bench__/floor/"
JSON_FLOOR_PATH = "/__bench__/floor.json"


def floor(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


def json_floor(request: HttpRequest) -> JsonResponse:
    """25 rows of a table without row-level security, read and sent as JSON by plain Django."""
    from django.contrib.auth.models import Permission

    rows = list(Permission.objects.order_by("pk").values("id", "codename", "name")[:25])
    return JsonResponse({"items": rows, "next": None})


urlpatterns = [
    path(FLOOR_PATH.strip("/") + "/", floor, name="bench_floor"),
    path(JSON_FLOOR_PATH.strip("/"), json_floor, name="bench_json_floor"),
    *app_urlpatterns,
]
