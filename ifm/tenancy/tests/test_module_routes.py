"""An organization's enabled modules, route by route: a module it has not enabled is a 404 by
every door, and enabling it opens every door at once.

Every page in a module's URL namespaces and every /api/v1 operation with one of its OpenAPI
tags is found automatically (the isolation suite's enumeration: a route added later is
covered the day it is added). For each module, organization A's admin, with every other
module enabled, asks for each of them:

* pages (signed-in session), GET and POST: the ordinary 404 page; a public page (anonymous)
  answers as it does for a slug of no organization: 404, or 405 for a method it never takes;
* API operations (A's token), each method the operation has: 404, an RFC 9457 problem
  `module-not-enabled` whose detail names the module and the organization.

The module is then enabled again and, with the same session and token, its list pages (no
id in the URL) and its list operations answer something other than 404.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import resolve

from ifm.conftest import client_for
from ifm.core.tests.api_helpers import api_client_for, assert_problem, send_json
from ifm.orgs.modules import organization_modules_set
from ifm.tenancy import modules
from ifm.tenancy.tests import tenant_factories as registry
from ifm.tenancy.tests.test_isolation import (
    _PARAM,
    ORG_PARAM,
    Route,
    all_page_routes,
    api_operations,
)

_DUMMY = {"int": "1", "uuid": "00000000-0000-4000-8000-000000000000"}
PAGE_METHODS = ("GET", "POST")
# List pages that answer 404 by themselves while what they show does not exist.
OWN_404 = {
    "donors:receipt_logo_image": "the receipt logo, a file: 404 until one is uploaded",
}


def routes_of(module: modules.Module) -> list[Route]:
    pages = [r for r in all_page_routes() if modules.module_for_namespace(r.namespace) is module]
    api = [r for r in api_operations() if modules.module_for_api_tags(r.tags) is module]
    return pages + api


def url_for(route: Route, slug: str) -> str:
    """The route with the organization's slug and a placeholder of the right shape for every
    other parameter: the module is refused before any view looks them up."""
    values = {}
    for match in _PARAM.finditer(route.route):
        name = match.group("name") or match.group("rname")
        if name == ORG_PARAM:
            values[name] = slug
        else:
            values[name] = registry.PARAM_VALUES.get(name) or _DUMMY.get(match.group("conv"), "x")
    return route.url(values)


def _is_list(route: Route) -> bool:
    return route.params in ([], [ORG_PARAM]) and "GET" in route.methods


def _name(route: Route) -> str:
    if route.kind != "page":
        return ""
    return resolve(url_for(route, "alpha")).view_name


def _is_public(route: Route) -> bool:
    return route.namespace.split(":")[0] == "volunteer_public"


def _enable_all_but(org: Any, key: str | None) -> None:
    keys = None if key is None else [k for k in modules.module_keys() if k != key]
    organization_modules_set(organization=org, module_keys=keys, reason="test")


def test_every_module_has_routes_and_claims_only_real_namespaces_and_tags() -> None:
    namespaces = {r.namespace.split(":")[0] for r in all_page_routes()}
    tags = {t for r in api_operations() for t in r.tags}
    for module in modules.all_modules():
        assert routes_of(module), f"{module.key}: no page or API route found"
        assert set(module.url_namespaces) <= namespaces, module
        assert set(module.api_tags) <= tags, module


@pytest.mark.parametrize("key", modules.module_keys())
def test_a_disabled_module_is_404_everywhere_and_back_when_enabled(
    key: str, cast: dict[str, Any], org_a: Any
) -> None:
    module = modules.get_module(key)
    routes = routes_of(module)
    session = client_for(cast["admin"])
    anonymous = Client()
    api_client = api_client_for(cast["admin"], org_a)
    _enable_all_but(org_a, key)
    detail = f"The {module.name} module is not enabled for {org_a.name}."

    wrong: list[str] = []
    for route in routes:
        url = url_for(route, org_a.slug)
        if route.kind == "page":
            assert resolve(url).namespace == route.namespace, (route, url)
            client = anonymous if _is_public(route) else session
            for method in PAGE_METHODS:
                response = client.generic(method, url)
                expected = 404
                if _is_public(route):
                    nobody = url_for(route, "no-such-organization")
                    expected = anonymous.generic(method, nobody).status_code
                    assert expected in {404, 405}, (method, nobody, expected)
                page = response.status_code != 404 or b"<html" in response.content.lower()
                if response.status_code != expected or not page:
                    wrong.append(f"{method} {url}: {response.status_code}")
        else:
            for method in route.methods:
                response = send_json(api_client, method, url, "")
                if response.status_code != 404:
                    wrong.append(f"{method} {url}: {response.status_code}")
                    continue
                problem = assert_problem(response, 404)
                if problem["detail"] != detail or not problem["type"].endswith(
                    "/module-not-enabled"
                ):
                    wrong.append(f"{method} {url}: {problem}")
    assert not wrong, f"{key} disabled, yet answered:\n" + "\n".join(wrong)

    _enable_all_but(org_a, None)
    lists = [r for r in routes if _is_list(r) and _name(r) not in OWN_404]
    assert lists, f"{key}: no list page or list operation to check"
    still: list[str] = []
    for route in lists:
        url = url_for(route, org_a.slug)
        if route.kind == "page":
            response = (anonymous if _is_public(route) else session).get(url)
        else:
            response = api_client.get(url)
        if response.status_code == 404:
            still.append(url)
    assert not still, f"{key} enabled again, yet 404: {still}"


def test_pages_and_operations_outside_modules_stay_with_no_module_enabled(
    cast: dict[str, Any], org_a: Any
) -> None:
    organization_modules_set(organization=org_a, module_keys=[])
    assert client_for(cast["admin"]).get(f"/o/{org_a.slug}/").status_code == 200
    assert client_for(cast["admin"]).get(f"/o/{org_a.slug}/members/").status_code == 200
    assert api_client_for(cast["admin"], org_a).get("/api/v1/members").status_code == 200


def test_another_organization_keeps_the_module(cast: dict[str, Any], org_a: Any) -> None:
    """Disabling is per organization: B's admin still reaches B's donors."""
    organization_modules_set(organization=org_a, module_keys=["ledger"])
    beta = client_for(cast["other_admin"])
    assert beta.get("/o/beta/donors/").status_code == 200
    assert client_for(cast["admin"]).get(f"/o/{org_a.slug}/donors/").status_code == 404


def test_the_browser_sessions_api_door_is_refused_too(cast: dict[str, Any], org_a: Any) -> None:
    organization_modules_set(organization=org_a, module_keys=["ledger"])
    session = client_for(cast["admin"])
    response = session.get("/api/v1/donors", headers={"X-IFM-Organization": org_a.slug})
    problem = assert_problem(response, 404)
    assert problem["detail"] == (
        f"The Donors, donations and receipts module is not enabled for {org_a.name}."
    )
    ledger = session.get("/api/v1/accounts", headers={"X-IFM-Organization": org_a.slug})
    assert ledger.status_code == 200
