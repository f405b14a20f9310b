"""The site's URLs plus a page of an organization that fails, for the usage metrics' error rate."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import path

from ifm.urls import urlpatterns as site_urlpatterns


def fail(request: HttpRequest, org_slug: str) -> HttpResponse:
    raise RuntimeError("the page failed on purpose")


urlpatterns = [
    path("o/<slug:org_slug>/test-failure/", fail, name="org_test_failure"),
    *site_urlpatterns,
]
