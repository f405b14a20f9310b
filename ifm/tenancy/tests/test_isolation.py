"""Tenant isolation, route by route: another organization's id is a 404, by every door.

Every page URL and every /api/v1 operation that takes an object id is found automatically
(new modules are covered the day they add a route). An admin of organization A (so the role
is never the reason) asks for organization B's object through A's own URLs:

* pages with A's signed-in session, methods GET, POST, PUT, PATCH, DELETE: each answer is
  404, or 405 for a method the page does not take;
* the API with an API token of A, every method the operation has (bodies are the smallest
  valid ones from the OpenAPI schema): each answer is 404.

As a control, the same request for A's own object must not be a 404, which proves the URL
was built right. A route whose ids cannot be mapped to a model, or whose model has no
factory, fails with instructions: see tenant_factories.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import models
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from ifm.api import api
from ifm.conftest import client_for
from ifm.core.tests.api_helpers import (
    api_client_for,
    send_json,
)
from ifm.tenancy.db import tenant_models
from ifm.tenancy.tests import tenant_factories as registry

API_PREFIX = "api/v1/"
PAGE_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
ORG_PARAM = "org_slug"
_PARAM = re.compile(r"<(?:(?P<conv>[^>:]+):)?(?P<name>\w+)>|\(\?P<(?P<rname>\w+)>[^)]*\)")


@dataclass(frozen=True)
class Route:
    kind: str  # "page" or "api"
    route: str  # as Django sees it, converters included
    methods: tuple[str, ...]
    openapi_path: str = ""
    namespace: str = ""  # a page's URL namespace
    tags: tuple[str, ...] = ()  # an API operation's OpenAPI tags

    @property
    def params(self) -> list[str]:
        return [m.group("name") or m.group("rname") for m in _PARAM.finditer(self.route)]

    @property
    def plain(self) -> str:
        """The route with converters dropped: "o/<org_slug>/members/<membership_id>/role/"."""
        return _PARAM.sub(lambda m: f"<{m.group('name') or m.group('rname')}>", self.route)

    def url(self, values: dict[str, str]) -> str:
        path = _PARAM.sub(lambda m: values[m.group("name") or m.group("rname")], self.route)
        return "/" + path.replace("^", "").replace("$", "")

    def __str__(self) -> str:
        return f"{self.kind} {','.join(self.methods)} /{self.plain}"


def is_id_param(name: str) -> bool:
    return name in {"id", "pk"} or name.endswith(("_id", "_pk"))


def _walk(patterns: list[Any], prefix: str = "") -> list[str]:
    routes = []
    for p in patterns:
        if isinstance(p, URLResolver):
            routes.extend(_walk(p.url_patterns, prefix + str(p.pattern)))
        elif isinstance(p, URLPattern):
            routes.append(prefix + str(p.pattern))
    return routes


def page_routes() -> list[Route]:
    seen: dict[str, Route] = {}
    for route in _walk(get_resolver().url_patterns):
        if route.startswith(API_PREFIX):
            continue
        r = Route("page", route, PAGE_METHODS)
        if any(is_id_param(p) for p in r.params):
            seen.setdefault(route, r)
    return list(seen.values())


def api_routes() -> list[Route]:
    routes = []
    for bound in api._get_bound_routers():
        for path, path_view in bound.path_operations.items():
            joined = re.sub("/+", "/", "/".join(x for x in (bound.prefix, path) if x)).strip("/")
            route = API_PREFIX + re.sub(r"{(?:[^}:]+:)?(\w+)}", r"<\1>", _ninja_to_django(joined))
            methods = tuple(m for op in path_view.operations for m in op.methods)
            openapi_path = "/" + API_PREFIX + re.sub(r"{[^}:]+:", "{", joined)
            r = Route("api", route, methods, openapi_path.rstrip("/"))
            if any(is_id_param(p) for p in r.params):
                routes.append(r)
    return routes


def _walk_named(patterns: list[Any], prefix: str = "", namespace: str = "") -> list[Route]:
    routes = []
    for p in patterns:
        if isinstance(p, URLResolver):
            inner = ":".join(x for x in (namespace, p.namespace) if x)
            routes.extend(_walk_named(p.url_patterns, prefix + str(p.pattern), inner))
        elif isinstance(p, URLPattern):
            routes.append(Route("page", prefix + str(p.pattern), PAGE_METHODS, namespace=namespace))
    return routes


def all_page_routes() -> list[Route]:
    """Every page route, with or without ids, each with its URL namespace."""
    return [
        r for r in _walk_named(get_resolver().url_patterns) if not r.route.startswith(API_PREFIX)
    ]


def api_operations() -> list[Route]:
    """Every /api/v1 operation, with or without ids, each with its methods and OpenAPI tags."""
    routes = []
    for bound in api._get_bound_routers():
        for path, path_view in bound.path_operations.items():
            joined = re.sub("/+", "/", "/".join(x for x in (bound.prefix, path) if x)).strip("/")
            route = API_PREFIX + re.sub(r"{(?:[^}:]+:)?(\w+)}", r"<\1>", _ninja_to_django(joined))
            openapi_path = ("/" + API_PREFIX + re.sub(r"{[^}:]+:", "{", joined)).rstrip("/")
            for op in path_view.operations:
                tags = tuple(op.tags or ())
                routes.append(Route("api", route, tuple(op.methods), openapi_path, tags=tags))
    return routes


def _ninja_to_django(path: str) -> str:
    return re.sub(r"{(\w+):(\w+)}", r"<\1:\2>", path)


def _exempt_reason(route: Route) -> str | None:
    for prefix, reason in registry.EXEMPT_ROUTES.items():
        if route.plain.startswith(prefix):
            return reason
    return None


ALL_ROUTES = page_routes() + api_routes()
ROUTES = [r for r in ALL_ROUTES if not _exempt_reason(r)]


# --- Mapping ids to models -------------------------------------------------------------------


def model_for(route: Route, param: str) -> tuple[type[models.Model] | None, str]:
    """The tenant model behind an id parameter, or None and what the developer should do."""
    by_label = {m._meta.label_lower: m for m in tenant_models()}
    label = registry.PARAM_MODELS.get(param)
    if label is None and param in {"id", "pk"}:
        matches = [p for p in registry.BARE_ID_ROUTES if route.plain.startswith(p)]
        if matches:
            label = registry.BARE_ID_ROUTES[max(matches, key=len)]
        else:
            return None, (
                f"{route}: the bare <{param}> is not mapped to a model. Add the route prefix to "
                "BARE_ID_ROUTES in ifm/tenancy/tests/tenant_factories.py (or rename the "
                "parameter <model>_id)."
            )
    if label is not None:
        if label not in by_label:
            return None, f"{route}: {label!r} (from tenant_factories.py) is not a tenant model."
        return by_label[label], ""
    stem = param.rsplit("_", 1)[0].replace("_", "")
    candidates = [m for m in by_label.values() if m.__name__.lower() == stem]
    if len(candidates) == 1:
        return candidates[0], ""
    found = ", ".join(sorted(m._meta.label_lower for m in candidates)) or "none"
    return None, (
        f"{route}: cannot tell which tenant model <{param}> is (models named {stem!r}: {found}). "
        f'Add "{param}": "<app_label>.<model>" to PARAM_MODELS in '
        "ifm/tenancy/tests/tenant_factories.py."
    )


def _values(route: Route, org: Any, problems: list[str]) -> dict[str, str] | None:
    values: dict[str, str] = {}
    for param in route.params:
        if param == ORG_PARAM:
            values[param] = org.slug
        elif is_id_param(param):
            model, problem = model_for(route, param)
            if model is None:
                problems.append(problem)
                continue
            make = registry.FACTORIES.get(model._meta.label_lower)
            if make is None:
                problems.append(
                    f"{route}: no factory for {model._meta.label_lower}. Register one with "
                    f'@factory("{model._meta.label_lower}") in '
                    "ifm/tenancy/tests/tenant_factories.py."
                )
                continue
            row = make(org)
            owner = getattr(row, "organization_id", None)
            if owner != org.pk:
                problems.append(f"{route}: the {model._meta.label_lower} factory ignored its org.")
            values[param] = str(row.pk)
        elif param in registry.PARAM_VALUES:
            values[param] = registry.PARAM_VALUES[param]
        else:
            problems.append(
                f"{route}: no value for the parameter <{param}>. Add it to PARAM_VALUES in "
                "ifm/tenancy/tests/tenant_factories.py."
            )
    return None if problems else values


# --- Minimal request bodies for API operations ---------------------------------------------


def _minimal(schema: dict[str, Any], components: dict[str, Any]) -> Any:
    if "$ref" in schema:
        return _minimal(components[schema["$ref"].rsplit("/", 1)[-1]], components)
    if "default" in schema:
        return schema["default"]
    if schema.get("examples"):  # a value the schema itself offers as valid
        return schema["examples"][0]
    if "enum" in schema:
        return schema["enum"][0]
    for key in ("anyOf", "oneOf"):
        if key in schema:
            options = [s for s in schema[key] if s.get("type") != "null"] or schema[key]
            return _minimal(options[0], components)
    if "allOf" in schema:
        merged: dict[str, Any] = {}
        for part in schema["allOf"]:
            value = _minimal(part, components)
            if isinstance(value, dict):
                merged.update(value)
        return merged
    kind = schema.get("type", "object")
    if kind == "object":
        props = schema.get("properties", {})
        return {k: _minimal(props.get(k, {}), components) for k in schema.get("required", [])}
    if kind == "array":
        return [_minimal(schema.get("items", {}), components)] * schema.get("minItems", 0)
    if kind == "integer":
        return max(int(schema.get("minimum", 1)), 1)
    if kind == "number":
        return max(schema.get("minimum", 1), 1)
    if kind == "boolean":
        return False
    formats = {
        "date": "2024-01-31",
        "date-time": "2024-01-31T12:00:00Z",
        "email": "someone@example.org",
        "uuid": "00000000-0000-4000-8000-000000000000",
    }
    return formats.get(schema.get("format", ""), "x" * max(int(schema.get("minLength", 1)), 1))


def _api_body(route: Route, method: str) -> Any:
    schema = api.get_openapi_schema(path_prefix="")
    components = schema.get("components", {}).get("schemas", {})
    path = route.openapi_path.removeprefix("/" + API_PREFIX.rstrip("/"))
    operation = schema["paths"].get(path or "/", {}).get(method.lower(), {})
    body = operation.get("requestBody", {}).get("content", {}).get("application/json")
    return None if body is None else _minimal(body["schema"], components)


# --- The suite ---------------------------------------------------------------------------------


def _send(route: Route, client: Client, method: str, url: str) -> Any:
    if route.kind == "page":
        return client.generic(method, url, "", content_type="application/x-www-form-urlencoded")
    body = _api_body(route, method)
    return send_json(client, method, url, body if body is not None else "")


def test_the_suite_finds_the_known_routes() -> None:
    assert {r.kind for r in ROUTES} == {"page", "api"}
    exempt = {r.plain for r in ALL_ROUTES if _exempt_reason(r)}
    assert all(p.startswith(("admin/", "platform/", "api/v1/platform/")) for p in exempt), exempt
    found = {r.plain for r in ROUTES}
    assert "api/v1/members/<membership_id>" in found
    assert "o/<org_slug>/members/<membership_id>/role/" in found
    api_methods = {m for r in ROUTES if r.kind == "api" for m in r.methods}
    assert {"GET", "PATCH"} <= api_methods


@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_another_organizations_object_is_404(
    route: Route, cast: dict[str, Any], org_a: Any, org_b: Any
) -> None:
    problems: list[str] = []
    theirs = _values(route, org_b, problems)
    if theirs is None:
        pytest.fail("\n".join(problems))
    # A's own URL (A's slug) with B's ids: B's rows must be invisible from inside A.
    theirs[ORG_PARAM] = org_a.slug
    url = route.url(theirs)

    def client() -> Client:
        if route.kind == "page":
            return client_for(cast["admin"])
        return api_client_for(cast["admin"], org_a)

    answers = {m: _send(route, client(), m, url).status_code for m in route.methods}
    allowed = {404, 405} if route.kind == "page" else {404}
    wrong = {m: s for m, s in answers.items() if s not in allowed}
    assert not wrong, f"{route} with organization B's id answered {wrong} (must be 404): {url}"
    assert 404 in answers.values(), f"{route}: no method answered 404: {answers}"

    ours = _values(route, org_a, problems)
    assert ours is not None, problems
    own_url = route.url(ours)
    controls = {m: _send(route, client(), m, own_url).status_code for m in route.methods}
    assert any(s not in {404, 405} for s in controls.values()), (
        f"{route} answers 404 even for organization A's own object ({controls}): the suite "
        f"built a wrong URL or the route is broken: {own_url}"
    )


def test_an_unmapped_id_route_fails_with_instructions() -> None:
    unknown = Route("page", "o/<slug:org_slug>/widgets/<int:widget_id>/", PAGE_METHODS)
    model, problem = model_for(unknown, "widget_id")
    assert model is None
    assert "PARAM_MODELS" in problem
    assert "tenant_factories.py" in problem
    bare = Route("api", "api/v1/gadgets/<id>", ("GET",))
    model, problem = model_for(bare, "id")
    assert model is None
    assert "BARE_ID_ROUTES" in problem


def test_known_ids_map_by_convention() -> None:
    route = Route("page", "o/<slug:org_slug>/members/<int:membership_id>/role/", PAGE_METHODS)
    model, _ = model_for(route, "membership_id")
    assert model is not None
    assert model._meta.label_lower == "tenancy.membership"
