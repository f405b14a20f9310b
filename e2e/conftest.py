"""Browser tests: Playwright driving Debian's Chromium against pytest-django's live server.

Chromium is not downloaded by Playwright; `make browser` installs the system package.
When Chromium cannot start, the tests fail: a browser test that silently skips proves nothing.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

# Playwright's sync API runs an event loop in this thread; Django would otherwise refuse
# the test's own database calls as "async unsafe".
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
TIMEOUT_MS = 15_000
NO_BEACON = "Object.defineProperty(navigator, 'sendBeacon', {value: () => true});"
# A page whose scripts loaded after the first paint (htmx, ui.js) have not run yet: app.js
# fetches them at the window's load event and marks <html data-scripts-ready> when they have
# run (docs/frontend.md).
SCRIPTS_PENDING = "html:has(script[data-after-paint]):not([data-scripts-ready])"


def wait_for_scripts(page: Any) -> None:
    """Return once the page's htmx and ui.js have run (at once on a page that loads none)."""
    from playwright.sync_api import expect

    expect(page.locator(SCRIPTS_PENDING)).to_have_count(0)


def scripts_before_actions(page: Any) -> Any:
    """Make every action and auto-waiting assertion on `page` wait for the htmx and ui.js of
    the page it is on, so a test that types or clicks as soon as a page has loaded cannot beat
    them to it: Playwright runs a locator handler before each of them while the handler's
    locator is visible, then waits until it is not (only a page whose scripts are still to
    run matches)."""
    page.add_locator_handler(page.locator(SCRIPTS_PENDING), lambda: None)
    return page


def screenshot_dir() -> Path:
    path = Path(settings.VAR_DIR) / "e2e"
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=TIMEOUT_MS)

    executable = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
    except Exception as exc:
        playwright.stop()
        pytest.fail(
            f"Chromium could not start from {executable} ({exc}). Install it with "
            "`make browser` (apt-get install chromium) or set CHROMIUM_PATH.",
            pytrace=False,
        )
    # Pages send their load time when they are hidden (app.js, docs/usage-metrics.md), which
    # includes a test's context closing: a request the live server would serve while the test's
    # database is being emptied. Every context gets a sendBeacon that sends nothing, unless it
    # is made with beacons=True (the test of the beacon itself). Every page it makes waits for
    # htmx and ui.js before each action (scripts_before_actions).
    make_context = browser.new_context

    def new_context(*args: Any, beacons: bool = False, **kwargs: Any) -> Any:
        context = make_context(*args, **kwargs)
        if not beacons:
            context.add_init_script(NO_BEACON)
        make_page = context.new_page
        context.new_page = lambda: scripts_before_actions(make_page())  # type: ignore[method-assign]
        return context

    browser.new_context = new_context  # type: ignore[method-assign]
    yield browser
    browser.close()
    playwright.stop()


def _serial_thread_class() -> type:
    from django.core.servers.basehttp import WSGIServer
    from django.test.testcases import LiveServerThread, QuietWSGIRequestHandler

    class SerialLiveServerThread(LiveServerThread):
        """Django's own single-threaded live server (its test suite has the same class)."""

        def _create_server(self, connections_override: Any = None) -> WSGIServer:
            return WSGIServer(
                (self.host, self.port), QuietWSGIRequestHandler, allow_reuse_address=False
            )

    return SerialLiveServerThread


@pytest.fixture(scope="session")
def live_server(request: pytest.FixtureRequest) -> Iterator[Any]:
    """pytest-django's live server, answering one request at a time on SQLite.

    The SQLite test database lives in memory with a shared cache, where two connections
    writing and reading at once lock each other's tables instead of waiting: a search-as-you-
    type fetch still running when a form is submitted made the tests flaky. Requests one after
    the other cannot collide. On PostgreSQL the server stays threaded, as in production.
    """
    from django.db import connection
    from django.test import testcases
    from pytest_django.live_server_helper import LiveServer

    addr = (
        request.config.getvalue("liveserver")
        or os.getenv("DJANGO_LIVE_TEST_SERVER_ADDRESS")
        or "localhost"
    )
    with pytest.MonkeyPatch.context() as patch:
        if connection.vendor == "sqlite":
            patch.setattr(testcases, "LiveServerThread", _serial_thread_class())
        server = LiveServer(addr)
    yield server
    server.stop()


@pytest.fixture
def page(browser: Any, live_server: Any) -> Iterator[Any]:
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 800})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.console_errors = errors
    # Static assets, scripts and the icon that fail to load show up here.
    failed: list[str] = []
    page.on(
        "response",
        lambda r: (
            failed.append(f"{r.status} {r.url}")
            if r.status >= 400 and r.request.resource_type != "document"
            else None
        ),
    )
    page.failed_assets = failed
    yield page
    context.close()


@pytest.fixture
def shot() -> Any:
    """shot(page, "name") saves var/e2e/name.png."""

    def take(page: Any, name: str) -> Path:
        path = screenshot_dir() / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
