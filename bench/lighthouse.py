"""Page load measured with Lighthouse (mobile throttling) against Debian's Chromium.

Measures a trivial static page first (the floor), then the sign-in page, the signed-in
dashboard and the public volunteer sign-up page (its target: LCP at most 1.0 s, accessibility
at least 95) served by gunicorn. Installs Lighthouse from npm into bench/lighthouse/ on first use.
"""

from __future__ import annotations

import http.server
import json
import os
import subprocess
import tempfile
import threading
from pathlib import Path

from bench.server import app_server, free_port

HERE = Path(__file__).resolve().parent / "lighthouse"
CHROME = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
FLAGS = "--headless=new --no-sandbox --disable-background-networking --disable-gpu"


def _lighthouse_bin() -> Path:
    binary = HERE / "node_modules" / ".bin" / "lighthouse"
    if not binary.exists():
        subprocess.run(
            ["npm", "install", "--no-audit", "--no-fund", "--loglevel=error"], cwd=HERE, check=True
        )
    return binary


def audit(url: str, cookie: str | None = None) -> dict[str, float]:
    out = Path(tempfile.mkdtemp(prefix="ifm-lh-")) / "report.json"
    args = [str(_lighthouse_bin()), url, "--quiet", "--output=json", f"--output-path={out}"]
    args += ["--only-categories=performance,accessibility", f"--chrome-flags={FLAGS}"]
    if cookie:
        args.append("--extra-headers=" + json.dumps({"Cookie": cookie}))
    env = dict(os.environ, CHROME_PATH=CHROME)
    subprocess.run(args, check=True, env=env, capture_output=True)
    report = json.loads(out.read_text())
    audits = report["audits"]
    return {
        "score": report["categories"]["performance"]["score"] * 100,
        "a11y": report["categories"]["accessibility"]["score"] * 100,
        "fcp": audits["first-contentful-paint"]["numericValue"] / 1000,
        "lcp": audits["largest-contentful-paint"]["numericValue"] / 1000,
        "tbt": audits["total-blocking-time"]["numericValue"],
        "cls": audits["cumulative-layout-shift"]["numericValue"],
        "bytes": audits["total-byte-weight"]["numericValue"] / 1024,
    }


def _print(name: str, r: dict[str, float]) -> None:
    print(
        f"  {name:<34} score={r['score']:3.0f}  a11y={r['a11y']:3.0f}"
        f"  FCP={r['fcp']:.2f} s  LCP={r['lcp']:.2f} s"
        f"  TBT={r['tbt']:.0f} ms  CLS={r['cls']:.3f}  weight={r['bytes']:.0f} KiB"
    )


def _trivial_page() -> tuple[http.server.HTTPServer, str]:
    root = Path(tempfile.mkdtemp(prefix="ifm-trivial-"))
    (root / "index.html").write_text(
        "<!doctype html><title>t</title><h1>Hello</h1><p>Trivial page.</p>"
    )
    port = free_port()

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *a, **kw):
            super().__init__(*a, directory=str(root), **kw)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{port}/"


def main() -> None:
    if not Path(CHROME).exists():
        print(f"Lighthouse: skipped, no Chromium at {CHROME}")
        return
    print("Page load (Lighthouse, mobile throttling, Chromium headless)")
    server, url = _trivial_page()
    try:
        _print("trivial static page (floor)", audit(url))
    finally:
        server.shutdown()
    with app_server() as app:
        _print("/accounts/login/", audit(app.url + "/accounts/login/"))
        session = app.session()
        session.sign_in()
        _print(
            "/o/hope-kitchen/ (dashboard)",
            audit(app.url + "/o/hope-kitchen/", session.cookie_header()),
        )
        _print("/volunteer/hope-kitchen/ (public)", audit(app.url + "/volunteer/hope-kitchen/"))
