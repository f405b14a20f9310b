"""Which scripts a page loads (docs/frontend.md): every script deferred, htmx and the menus
(ui.js, which replaces Bootstrap's JavaScript) fetched after the first paint, and the sign-in
pages with no script for a visitor, since a deferred script on a page this small still delays
its first paint under Lighthouse's throttling."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

import ifm

ROOT = Path(ifm.__file__).resolve().parent.parent
TEMPLATES = list((ROOT / "ifm").rglob("templates/**/*.html"))
SCRIPT = re.compile(r"<script\b[^>]*>")
SRC = re.compile(r'src="([^"]+)"')

SIGNED_IN_SCRIPTS = ["/static/ifm/app.js", "/static/ifm/nav.js"]
HTMX = "/static/django_htmx/htmx-2.min.js"
UI_JS = "/static/ifm/ui.js"
AFTER_PAINT = f'data-after-paint="{UI_JS} {HTMX}"'


def _scripts(html: str) -> list[str]:
    return [SRC.search(tag).group(1) for tag in SCRIPT.findall(html)]  # type: ignore[union-attr]


@pytest.mark.django_db
def test_a_signed_in_page_defers_our_scripts_and_not_bootstraps(
    admin_client_a: Client,
) -> None:
    html = admin_client_a.get("/o/alpha/").content.decode()
    assert _scripts(html) == SIGNED_IN_SCRIPTS
    assert all(" defer" in tag for tag in SCRIPT.findall(html))
    # The menus ui.js opens are there, so the page needs it (app.js loads it).
    assert 'data-bs-toggle="dropdown"' in html
    assert AFTER_PAINT in html


@pytest.mark.django_db
def test_htmx_and_the_menus_are_left_to_app_js_to_load_after_the_first_paint(
    admin_client_a: Client,
) -> None:
    """No <script> or preload fetches htmx or ui.js before the first paint: app.js is told
    where they are and fetches them after the window's load event."""
    html = admin_client_a.get("/o/alpha/").content.decode()
    assert HTMX not in _scripts(html)
    assert UI_JS not in _scripts(html)
    assert 'rel="preload"' not in html
    app_js = next(tag for tag in SCRIPT.findall(html) if "/static/ifm/app.js" in tag)
    assert AFTER_PAINT in app_js
    source = (ROOT / "ifm" / "static" / "ifm" / "app.js").read_text()
    assert 'addEventListener("load", afterPaint)' in source


@pytest.mark.django_db
def test_the_kiosk_loads_htmx_after_the_first_paint_too(admin_client_a: Client) -> None:
    html = admin_client_a.get("/o/alpha/volunteers/kiosk/").content.decode()
    assert "kiosk-body" in html
    assert _scripts(html) == ["/static/ifm/app.js"]
    assert f'data-after-paint="{HTMX}"' in html


@pytest.mark.django_db
def test_the_sign_in_page_loads_no_script() -> None:
    html = Client().get("/accounts/login/").content.decode()
    assert "Sign in" in html
    assert SCRIPT.findall(html) == []


@pytest.mark.django_db
def test_the_sign_in_page_with_a_message_loads_ui_js_for_its_close_button(
    cast: dict[str, Any],
) -> None:
    from ifm.conftest import client_for

    client = client_for(cast["viewer"])
    response = client.post("/accounts/logout/", follow=True)
    html = response.content.decode()
    assert response.request["PATH_INFO"] == "/accounts/login/"
    assert 'data-bs-dismiss="alert"' in html
    assert _scripts(html) == ["/static/ifm/ui.js"]


@pytest.mark.django_db
def test_a_signed_in_person_on_an_entrance_page_keeps_the_menus(admin_client_a: Client) -> None:
    # Reauthentication uses the entrance layout, with the navigation of a signed-in person.
    html = admin_client_a.get("/accounts/reauthenticate/").content.decode()
    assert 'data-bs-toggle="dropdown"' in html
    assert _scripts(html) == SIGNED_IN_SCRIPTS


def test_templates_use_only_the_bootstrap_behaviours_ui_js_provides() -> None:
    """ui.js does dropdowns, collapse and alert dismissal; a template asking Bootstrap for a
    modal, tab, tooltip or offcanvas would get nothing, so it fails here first."""
    toggles: set[str] = set()
    dismiss: set[str] = set()
    for path in TEMPLATES:
        text = path.read_text()
        toggles |= set(re.findall(r'data-bs-toggle="([^"]+)"', text))
        dismiss |= set(re.findall(r'data-bs-dismiss="([^"]+)"', text))
        assert "bootstrap.bundle" not in text, path
        assert "data-bs-spy" not in text, path
    assert toggles == {"dropdown", "collapse"}
    assert dismiss == {"alert"}
