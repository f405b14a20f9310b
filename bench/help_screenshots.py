"""Screenshots for the help center's articles, taken from the demo data.

    .venv/bin/python -m bench.help_screenshots [name ...]

Serves the app on a fresh database with `ifm seed_demo` (bench.server), signs in as the demo
admin, opens each page an article describes in Chromium (Playwright; CHROMIUM_PATH, default
/usr/bin/chromium, as e2e/ does), and writes a PNG of the top of the page under
ifm/support/help/static/help/screens/<article>.png, resized to 960 pixels wide and reduced to
a palette so each stays well under 100 KB. Articles show them as `![...](screens/<name>.png)`.
Run it again after a change to a page's look; the demo data is the same on every machine.
"""

from __future__ import annotations

import io
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from PIL import Image
from playwright.sync_api import ViewportSize, sync_playwright

from bench.server import ROOT, App, Session, app_server

OUT = ROOT / "ifm/support/help/static/help/screens"
ORG = "hope-kitchen"
WIDTH = 960
VIEWPORT: ViewportSize = {"width": 1280, "height": 800}
MAX_BYTES = 100_000


@dataclass(frozen=True)
class Shot:
    name: str  # the article's slug, which is also the file's name
    path: str  # the page, or a list page whose first link like `link` is followed
    link: str = ""


SHOTS = [
    Shot("getting-started", f"/o/{ORG}/"),
    Shot("record-a-donation", f"/o/{ORG}/donors/donations/new/"),
    Shot("year-end-statements", f"/o/{ORG}/donors/receipts/year-end/"),
    Shot("submit-and-approve-an-expense", f"/o/{ORG}/expenses/queue/"),
    Shot(
        "reconcile-the-bank",
        f"/o/{ORG}/banking/reconciliations/",
        rf"/o/{ORG}/banking/reconciliations/\d+/",
    ),
    Shot("run-reports", f"/o/{ORG}/reports/"),
    Shot("volunteers", f"/o/{ORG}/volunteers/shifts/", rf"/o/{ORG}/volunteers/shifts/\d+/"),
]


def _target(session: Session, shot: Shot) -> str:
    if not shot.link:
        return shot.path
    status, html = session.request("GET", shot.path)
    found = re.search(rf'href="({shot.link})"', html)
    if status != 200 or not found:
        raise SystemExit(f"{shot.name}: no link like {shot.link} on {shot.path} ({status})")
    return found.group(1)


def _small_png(raw: bytes) -> bytes:
    image = Image.open(io.BytesIO(raw)).convert("RGB")
    height = round(image.height * WIDTH / image.width)
    image = image.resize((WIDTH, height), Image.Resampling.LANCZOS)
    for colors in (128, 64, 32):
        out = io.BytesIO()
        image.quantize(colors=colors, method=Image.Quantize.MEDIANCUT).save(
            out, "PNG", optimize=True
        )
        if out.tell() < MAX_BYTES:
            return out.getvalue()
    raise SystemExit("A screenshot stays over 100 KB even with 32 colours.")


def take(app: App, shots: list[Shot]) -> list[Path]:
    session = app.session()
    session.sign_in()
    written = []
    executable = os.environ.get("CHROMIUM_PATH", os.environ.get("CHROME_PATH", "/usr/bin/chromium"))
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable)
        context = browser.new_context(viewport=VIEWPORT, base_url=app.url)
        context.add_cookies(
            [{"name": k, "value": v, "url": app.url} for k, v in session.cookies.items()]
        )
        page = context.new_page()
        for shot in shots:
            response = page.goto(_target(session, shot), wait_until="networkidle")
            if response is None or response.status != 200:
                raise SystemExit(f"{shot.name}: the page answered {response and response.status}")
            path = OUT / f"{shot.name}.png"
            path.write_bytes(_small_png(page.screenshot(full_page=False)))
            written.append(path)
            print(f"{path.relative_to(ROOT)}: {path.stat().st_size / 1024:.0f} KB", flush=True)
        browser.close()
    return written


def main(names: list[str]) -> None:
    shots = [s for s in SHOTS if not names or s.name in names]
    if not shots:
        raise SystemExit(f"No such screenshot; they are {', '.join(s.name for s in SHOTS)}.")
    OUT.mkdir(parents=True, exist_ok=True)
    with app_server(workers=1, threads=2) as app:
        take(app, shots)


if __name__ == "__main__":
    main(sys.argv[1:])
