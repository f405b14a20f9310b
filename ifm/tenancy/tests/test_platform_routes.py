"""The routes the isolation suite exempts (platform pages, the platform API, Django's admin) are
across organizations by design, so they are walled differently: only IFM platform staff reach
them. Every such route, found the same way as the isolation suite finds its own, is refused to
an organization's admin who is not platform staff, by every method, before any row is read; and
to someone signed out. A route added under these prefixes joins this check by construction."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from ifm.conftest import client_for
from ifm.core.tests.api_helpers import api_client_for
from ifm.tenancy.tests.tenant_factories import PARAM_VALUES
from ifm.tenancy.tests.test_isolation import (
    ORG_PARAM,
    Route,
    _exempt_reason,
    _send,
    all_page_routes,
    api_operations,
)

pytestmark = pytest.mark.django_db

# Every route, with or without ids, that the isolation suite exempts, but Django's own admin
# (its pages are Django's, checked once below: anyone who is not staff goes to its sign-in).
WALLED = [
    r
    for r in all_page_routes() + api_operations()
    if _exempt_reason(r) and not r.plain.startswith("admin/")
]


def _url(route: Route, org: Any) -> str:
    values = {}
    for param in route.params:
        if param == ORG_PARAM or (param == "slug" and "organizations" in route.plain):
            values[param] = org.slug
        else:
            values[param] = PARAM_VALUES.get(param, "1")
    return route.url(values)


def test_the_walled_routes_are_found() -> None:
    plain = {r.plain for r in WALLED}
    assert any(p.startswith("platform/") for p in plain)
    assert any(p.startswith("api/v1/platform/") for p in plain)
    assert "api/v1/platform/metrics" in plain


@pytest.mark.parametrize("route", WALLED, ids=str)
def test_an_organization_admin_who_is_not_platform_staff_is_refused(
    route: Route, cast: dict[str, Any], org_a: Any
) -> None:
    admin = cast["admin"]
    assert not admin.is_platform_staff
    url = _url(route, org_a)

    def client() -> Client:
        return client_for(admin) if route.kind == "page" else api_client_for(admin, org_a)

    answers = {m: _send(route, client(), m, url).status_code for m in route.methods}
    allowed = {403, 404, 405} if route.kind == "page" else {403, 405}
    wrong = {m: s for m, s in answers.items() if s not in allowed}
    assert not wrong, f"{route} answered {wrong} to an organization's admin: {url}"
    assert set(answers.values()) - {405}, f"{route}: every method answered 405: {answers}"


def test_django_admin_sends_an_organization_admin_to_its_own_sign_in(cast: dict[str, Any]) -> None:
    answer = client_for(cast["admin"]).get("/admin/")
    assert answer.status_code == 302
    assert answer["Location"].startswith("/admin/login/")


@pytest.mark.parametrize("route", WALLED, ids=str)
def test_someone_signed_out_is_refused(route: Route, org_a: Any) -> None:
    url = _url(route, org_a)
    answers = {m: _send(route, Client(), m, url).status_code for m in route.methods}
    wrong = {m: s for m, s in answers.items() if s not in {302, 401, 403, 404, 405}}
    assert not wrong, f"{route} answered {wrong} to someone signed out: {url}"
