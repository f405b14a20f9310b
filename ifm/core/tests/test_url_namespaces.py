"""Every page of an app is named inside its app's namespace ("donors:donor_detail"); the
organization's and the platform's audit and jobs pages have namespaces of their own; and every
name a template reverses exists."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse

import ifm

# Project-level pages in ifm/urls.py itself, outside any app.
PROJECT_NAMES = {"home", "healthz", "readyz", "metrics", "rum_page_load", "admin_login_redirect"}
APP_NAMESPACES = {
    "accounts",
    "audit",
    "banking",
    "comms",
    "donors",
    "expenses",
    "help",
    "ledger",
    "ops",
    "orgs",
    "platform_audit",
    "platform_comms",
    "platform_help",
    "platform_maintenance",
    "platform_monitoring",
    "platform_ops",
    "platform_rollout",
    "platform_support",
    "platform_usage",
    "reports",
    "rollout",
    "support",
    "support_start",
    "usage",
    "volunteer_public",
    "volunteers",
}
# The admin site and the API (django-ninja) name their own routes.
SITE_NAMESPACES = {"admin", "api"}
_TEMPLATE_URL = re.compile(r"""{%\s*url\s+(['"])(?P<name>[^'"]+)\1""")


def _named(patterns: list[Any], namespaces: tuple[str, ...] = ()) -> Iterator[tuple[str, Any]]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = (*namespaces, entry.namespace) if entry.namespace else namespaces
            yield from _named(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield ":".join((*namespaces, entry.name)), entry.callback


def _view_names() -> set[str]:
    return {name for name, _ in _named(get_resolver().url_patterns)}


def test_every_page_of_an_app_is_in_its_apps_namespace() -> None:
    outside = []
    for name, callback in _named(get_resolver().url_patterns):
        module = getattr(callback, "__module__", "") or ""
        namespace, _, bare = name.rpartition(":")
        top = namespace.split(":")[0]
        if not module.startswith("ifm.") or top in SITE_NAMESPACES:
            continue
        if top not in APP_NAMESPACES and bare not in PROJECT_NAMES:
            outside.append(f"{name} ({module})")
    assert not outside, outside


@pytest.mark.parametrize(
    ("name", "kwargs", "path"),
    [
        ("audit:audit_log", {"org_slug": "alpha"}, "/o/alpha/audit/"),
        ("platform_audit:platform_audit", {}, "/platform/audit/"),
        ("ops:org_jobs", {"org_slug": "alpha"}, "/o/alpha/jobs/"),
        ("platform_ops:platform_jobs", {}, "/platform/jobs/"),
        ("donors:donor_detail", {"org_slug": "alpha", "donor_id": 7}, "/o/alpha/donors/7/"),
        ("ledger:ledger_periods", {"org_slug": "alpha"}, "/o/alpha/ledger/periods/"),
        (
            "orgs:member_unlock",
            {"org_slug": "alpha", "membership_id": 3},
            "/o/alpha/members/3/unlock/",
        ),
    ],
)
def test_a_namespaced_name_reverses_to_its_page(
    name: str, kwargs: dict[str, Any], path: str
) -> None:
    assert reverse(name, kwargs=kwargs) == path


@pytest.mark.parametrize(
    ("bare", "kwargs"),
    [
        ("donor_detail", {"org_slug": "alpha", "donor_id": 7}),
        ("ledger_periods", {"org_slug": "alpha"}),
        ("dashboard", {"org_slug": "alpha"}),
        ("platform_jobs", {}),
    ],
)
def test_a_bare_app_name_no_longer_reverses(bare: str, kwargs: dict[str, Any]) -> None:
    with pytest.raises(NoReverseMatch):
        reverse(bare, kwargs=kwargs)


def test_every_name_a_template_reverses_exists() -> None:
    known = _view_names()
    root = Path(ifm.__file__).parent
    missing = []
    for template in sorted(root.glob("**/templates/**/*.html")):
        for match in _TEMPLATE_URL.finditer(template.read_text(encoding="utf-8")):
            if match["name"] not in known:
                missing.append(f"{template.relative_to(root)}: {match['name']}")
    assert not missing, missing
