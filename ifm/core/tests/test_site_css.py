"""The one stylesheet every page loads (scripts/build-css.mjs, docs/frontend.md): the classes
Bootstrap's JavaScript and htmx add while a page runs survive the purge, the components no page
uses are gone, the file served is the one the sources give, and every page links it alone."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.test import Client

import ifm

ROOT = Path(ifm.__file__).resolve().parent.parent
BUILD = ROOT / "scripts" / "build-css.mjs"
SERVED = ROOT / "ifm" / "static" / "ifm" / "build" / "site.css"
TEMPLATES = list((ROOT / "ifm").rglob("templates/**/*.html"))
STYLESHEET_LINK = re.compile(r'<link rel="stylesheet" href="([^"]+)"')

# Selectors written by no template, that Bootstrap's JavaScript or htmx make true at run time:
# without them the phone navigation would not open, a dropdown would not show, a dismissed
# alert would not fade, a checked form would show no error and htmx's spinner would not spin.
RUNTIME_SELECTORS = [
    ".collapse:not(.show)",
    ".collapsing",
    ".fade:not(.show)",
    ".dropdown-menu.show",
    ".dropdown-menu[data-bs-popper]",
    ".dropdown-menu-end[data-bs-popper]",
    ".was-validated .form-control:invalid",
    ".form-control.is-invalid",
    ".was-validated :invalid~.invalid-feedback",
    ".htmx-request .htmx-indicator",
    ".navbar-expand-md .navbar-collapse",
    ".btn-close",
    # Alerts for each kind of message Django's messages framework sends (alert-{{ tags }}).
    ".alert-success",
    ".alert-info",
    ".alert-warning",
    ".alert-danger",
]
# Bootstrap components no page uses: the purge must drop them (else it is not purging).
UNUSED_SELECTORS = [".carousel", ".offcanvas", ".accordion-button", ".placeholder-glow", ".toast"]


def _node() -> str:
    node = shutil.which("node")
    assert node, "Node.js is needed to build the stylesheet (make install installs npm packages)"
    return node


@pytest.fixture(scope="module")
def fresh_css(tmp_path_factory: pytest.TempPathFactory) -> str:
    out = tmp_path_factory.mktemp("css") / "site.css"
    subprocess.run([_node(), str(BUILD), "--out", str(out)], cwd=ROOT, check=True)  # noqa: S603
    return out.read_text()


def _selectors(css: str) -> set[str]:
    found: set[str] = set()
    for prelude in re.findall(r"([^{}]+)\{", css):
        for selector in prelude.split(","):
            found.add(selector.strip())
    return found


def _has(selectors: set[str], wanted: str) -> bool:
    compact = wanted.replace(" ", "")
    return any(s.replace(" ", "") == compact or compact in s.replace(" ", "") for s in selectors)


@pytest.mark.parametrize("selector", RUNTIME_SELECTORS)
def test_classes_added_at_run_time_survive_the_purge(fresh_css: str, selector: str) -> None:
    assert _has(_selectors(fresh_css), selector), f"{selector} was purged from site.css"


@pytest.mark.parametrize("selector", UNUSED_SELECTORS)
def test_components_no_page_uses_are_purged(fresh_css: str, selector: str) -> None:
    assert not _has(_selectors(fresh_css), selector)


def test_our_own_rules_come_after_bootstrap_and_are_kept_whole(fresh_css: str) -> None:
    # a11y.css must win over Bootstrap's colours: its rule for outline buttons comes later.
    bootstrap_rule = fresh_css.index(".btn-outline-secondary{--bs-btn-color:#6c757d")
    ours = fresh_css.index(".btn-outline-secondary{--bs-btn-color:#565e64")
    assert bootstrap_rule < ours
    for kept in (".kiosk-tap", ".dashboard-tile .tile-value", ".ledger-indent-6", ".report-chart"):
        assert kept in fresh_css
    # The icon font is not loaded by the pages any more: its @font-face goes.
    assert "@font-face" not in fresh_css
    assert "sourceMappingURL" not in fresh_css


def test_the_served_stylesheet_is_what_the_sources_give() -> None:
    done = subprocess.run(  # noqa: S603  (our own script)
        [_node(), str(BUILD), "--check"], cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr + " (run `make assets`)"


def test_no_template_links_another_stylesheet() -> None:
    links = {str(p.relative_to(ROOT)): STYLESHEET_LINK.findall(p.read_text()) for p in TEMPLATES}
    # The two page layouts and the stand-alone maintenance page (served without the app's
    # context) link site.css; PDFs (WeasyPrint) carry their own <style>.
    linked = {name: hrefs for name, hrefs in links.items() if hrefs}
    assert linked == {
        "ifm/templates/base.html": ["{% static 'ifm/build/site.css' %}"],
        "ifm/volunteers/templates/volunteers/kiosk/_layout.html": [
            "{% static 'ifm/build/site.css' %}"
        ],
        "ifm/ops/templates/ops/maintenance/page.html": ["{% static 'ifm/build/site.css' %}"],
    }


@pytest.mark.django_db
def test_a_page_loads_one_stylesheet_and_no_blocking_script(
    client: Client, admin_client_a: Client
) -> None:
    # The sign-in page has no script at all (test_page_scripts.py); a signed-in page has some.
    for page in (client.get("/accounts/login/"), admin_client_a.get("/o/alpha/")):
        html = page.content.decode()
        head = html.split("</head>", 1)[0]
        assert STYLESHEET_LINK.findall(head) == ["/static/ifm/build/site.css"]
    scripts = re.findall(r"<script\b[^>]*>", html)
    assert scripts
    assert all(" defer" in s for s in scripts)
