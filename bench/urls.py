"""The app's URLs plus one bare Django view: the floor that page timings are measured against
(the same middleware, no template, no query of ours)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import path

from ifm.urls import urlpatterns as app_urlpatterns

FLOOR_PATH = "/__bench__/floor/"


def floor(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path(FLOOR_PATH.strip("/") + "/", floor, name="bench_floor"), *app_urlpatterns]
