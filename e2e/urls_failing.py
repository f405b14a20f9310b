"""The site's URLs plus an organization's page that fails, for the browser test of the error
page and the Help form (test-only: production URLs have no route that raises)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import path

from ifm.urls import handler500
from ifm.urls import urlpatterns as site_urlpatterns

__all__ = ["handler500", "urlpatterns"]


def fail(request: HttpRequest, org_slug: str) -> HttpResponse:
    raise RuntimeError("the page failed on purpose")


urlpatterns = [path("o/<slug:org_slug>/test-failure/", fail), *site_urlpatterns]
