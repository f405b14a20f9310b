"""The site's URLs plus a view that fails and one that finds nothing, for the error-page tests."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import path

from ifm.urls import urlpatterns as site_urlpatterns


def fail(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("the view failed on purpose")


def missing(request: HttpRequest) -> HttpResponse:
    raise Http404("nothing here on purpose")


urlpatterns = [path("test-failure/", fail), path("test-missing/", missing), *site_urlpatterns]
