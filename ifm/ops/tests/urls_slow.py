"""The site's URLs plus a view that takes over a second, for the latency alert's test."""

from __future__ import annotations

import time

from django.http import HttpRequest, HttpResponse
from django.urls import path

from ifm.urls import urlpatterns as site_urlpatterns

SLOW_SECONDS = 1.1


def slow(request: HttpRequest) -> HttpResponse:
    time.sleep(SLOW_SECONDS)
    return HttpResponse("slow on purpose")


def fail(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("the view failed on purpose")


urlpatterns = [
    path("test-slow/", slow, name="test_slow"),
    path("test-failure/", fail, name="test_failure"),
    *site_urlpatterns,
]
