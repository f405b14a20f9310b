"""Page load measured with Lighthouse (mobile throttling) against Debian's Chromium.

Audits a trivial static page first (the floor), then every main page of every module on the
demo data (`ifm seed_demo`), served by gunicorn with production settings: the sign-in page and
the public volunteer pages as a visitor, every list, detail and form page signed in as the demo
administrator. Prints one table with performance, accessibility and best-practices scores, FCP,
LCP, TBT, CLS and page weight, and marks each page's targets met or missed (LCP at most 1.0 s,
performance at least 95, accessibility at least 98, best practices at least 95).

`BENCH_LH_PAGES=donors` audits only the pages whose name or path contains "donors"
(`BENCH_LH_PAGES="sign-in,dashboard"`: either; the trivial page is always audited). Installs
Lighthouse from npm into bench/lighthouse/ on first use. About 10-15 s a page.
"""

from __future__ import annotations

import http.server
import json
import os
import re
import subprocess
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

from bench.server import App, Session, app_server, free_port

HERE = Path(__file__).resolve().parent / "lighthouse"
CHROME = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
FLAGS = "--headless=new --no-sandbox --disable-background-networking --disable-gpu"
ORG = "/o/hope-kitchen"

# The targets each main page is held to.
TARGETS = {"lcp": 1.0, "score": 95, "a11y": 98, "bp": 95}


@dataclass(frozen=True)
class Page:
    """A page to audit: its path, or the first link matching `link` on the page at `path`."""

    name: str
    path: str
    signed_in: bool = True
    link: str | None = None


PAGES = [
    Page("sign-in", "/accounts/login/", signed_in=False),
    Page("public volunteer page", "/volunteer/hope-kitchen/", signed_in=False),
    Page(
        "public opportunity page",
        "/volunteer/hope-kitchen/",
        signed_in=False,
        link=r"/volunteer/hope-kitchen/o/\d+/",
    ),
    Page("dashboard", f"{ORG}/"),
    Page("donors list", f"{ORG}/donors/"),
    Page("donor detail", f"{ORG}/donors/", link=rf"{ORG}/donors/\d+/"),
    Page("new donor", f"{ORG}/donors/new/"),
    Page("donations list", f"{ORG}/donors/donations/"),
    Page("new donation", f"{ORG}/donors/donations/new/"),
    Page("tax receipts", f"{ORG}/donors/receipts/"),
    Page("gift batches", f"{ORG}/donors/batches/"),
    Page("pledges", f"{ORG}/donors/pledges/"),
    Page("journal", f"{ORG}/ledger/entries/"),
    Page("journal entry detail", f"{ORG}/ledger/entries/", link=rf"{ORG}/ledger/entries/\d+/"),
    Page("new journal entry", f"{ORG}/ledger/entries/new/"),
    Page("trial balance", f"{ORG}/ledger/trial-balance/"),
    Page("chart of accounts", f"{ORG}/ledger/chart/"),
    Page("expenses list", f"{ORG}/expenses/"),
    Page("new expense", f"{ORG}/expenses/new/"),
    # The bare list sends an approver to the approval queue; "All" lists every expense.
    Page("expense detail", f"{ORG}/expenses/?scope=all", link=rf"{ORG}/expenses/\d+/"),
    Page("bank accounts", f"{ORG}/banking/accounts/"),
    Page("reconciliations", f"{ORG}/banking/reconciliations/"),
    Page("reports", f"{ORG}/reports/"),
    Page("statement of financial position", f"{ORG}/reports/financial-position/"),
    Page("statement of activities", f"{ORG}/reports/activities/"),
    Page("fundraising: top donors", f"{ORG}/reports/fundraising/top-donors/"),
    Page("fundraising: retention", f"{ORG}/reports/fundraising/retention/"),
    Page("volunteers list", f"{ORG}/volunteers/"),
    Page("volunteer detail", f"{ORG}/volunteers/", link=rf"{ORG}/volunteers/\d+/"),
    Page("shifts", f"{ORG}/volunteers/shifts/"),
    Page("shift roster", f"{ORG}/volunteers/shifts/", link=rf"{ORG}/volunteers/shifts/\d+/"),
    Page("check-in kiosk", f"{ORG}/volunteers/kiosk/"),
]


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
    args += [
        "--only-categories=performance,accessibility,best-practices",
        f"--chrome-flags={FLAGS}",
    ]
    if cookie:
        args.append("--extra-headers=" + json.dumps({"Cookie": cookie}))
    env = dict(os.environ, CHROME_PATH=CHROME)
    subprocess.run(args, check=True, env=env, capture_output=True)
    report = json.loads(out.read_text())
    audits = report["audits"]
    categories = report["categories"]
    return {
        "score": (categories["performance"]["score"] or 0) * 100,
        "a11y": (categories["accessibility"]["score"] or 0) * 100,
        "bp": (categories["best-practices"]["score"] or 0) * 100,
        "fcp": audits["first-contentful-paint"]["numericValue"] / 1000,
        "lcp": audits["largest-contentful-paint"]["numericValue"] / 1000,
        "tbt": audits["total-blocking-time"]["numericValue"],
        "cls": audits["cumulative-layout-shift"]["numericValue"],
        "bytes": audits["total-byte-weight"]["numericValue"] / 1024,
    }


def missed(r: dict[str, float]) -> list[str]:
    """The targets a page's result misses, by name (empty when every target is met)."""
    out = []
    if r["lcp"] > TARGETS["lcp"]:
        out.append("LCP")
    for key, label in (("score", "perf"), ("a11y", "a11y"), ("bp", "best-practices")):
        if r[key] < TARGETS[key]:
            out.append(label)
    return out


HEADER = (
    f"  {'page':<34} {'perf':>4} {'a11y':>4} {'bp':>4} {'FCP s':>6} {'LCP s':>6}"
    f" {'TBT ms':>6} {'CLS':>6} {'KiB':>6}  targets"
)


def _row(name: str, r: dict[str, float], floor: bool = False) -> str:
    verdict = "(floor)" if floor else ("met" if not missed(r) else "MISSED " + ",".join(missed(r)))
    return (
        f"  {name[:34]:<34} {r['score']:4.0f} {r['a11y']:4.0f} {r['bp']:4.0f}"
        f" {r['fcp']:6.2f} {r['lcp']:6.2f} {r['tbt']:6.0f} {r['cls']:6.3f}"
        f" {r['bytes']:6.0f}  {verdict}"
    )


def _trivial_page() -> tuple[http.server.HTTPServer, str]:
    root = Path(tempfile.mkdtemp(prefix="ifm-trivial-"))
    (root / "index.html").write_text(
        '<!doctype html><html lang="en"><meta name="viewport" content="width=device-width">'
        "<title>t</title><h1>Hello</h1><p>Trivial page.</p></html>"
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


def selected(pages: list[Page], patterns: str) -> list[Page]:
    """The pages whose name or path contains one of the comma-separated `patterns` (every page
    when there is none)."""
    wanted = [w for w in patterns.split(",") if w]
    if not wanted:
        return list(pages)
    return [p for p in pages if any(w in p.name or w in p.path for w in wanted)]


def _resolve(page: Page, session: Session) -> str | None:
    """The path to audit: the page's own, or the first matching link found on it."""
    if page.link is None:
        return page.path
    status, html = session.request("GET", page.path)
    found = re.search(r'href="(' + page.link + ')"', html) if status == 200 else None
    return found.group(1) if found else None


def _audit_pages(
    app: App, pages: list[Page]
) -> tuple[list[tuple[str, dict[str, float]]], list[str]]:
    """Each page's figures, and the names of the pages Lighthouse could not measure."""
    visitor, member = app.session(), app.session()
    member.sign_in()
    results: list[tuple[str, dict[str, float]]] = []
    failed: list[str] = []
    for page in pages:
        session = member if page.signed_in else visitor
        path = _resolve(page, session)
        if path is None:
            print(f"  {page.name}: no link like {page.link} on {page.path}, skipped")
            continue
        cookie = member.cookie_header() if page.signed_in else None
        _warm(app, session, path)
        result = _audit_or_report(page.name, app.url + path, cookie)
        if result is None:
            failed.append(page.name)
            continue
        print(_row(page.name, result), flush=True)
        results.append((page.name, result))
    return results, failed


def _warm(app: App, session: Session, path: str, requests: int = 8) -> None:
    """Serve the page a few times on new connections first, so each gunicorn worker has
    loaded its code and templates: Lighthouse's one load of a page would otherwise time a
    cold worker's first request (over a second here), which no user of a running server waits
    for, and its simulated LCP starts from that server response time."""
    for _ in range(requests):
        fresh = app.session()
        fresh.cookies = dict(session.cookies)
        fresh.request("GET", path)
        fresh.conn.close()


def _audit_or_report(name: str, url: str, cookie: str | None) -> dict[str, float] | None:
    """Lighthouse now and then loses its browser on a loaded machine: one retry, then the page
    is reported as not measured and the run goes on to the next one."""
    for attempt in (1, 2):
        try:
            return audit(url, cookie)
        except subprocess.CalledProcessError as exc:
            last = (exc.stderr or b"").decode(errors="replace").strip().splitlines()[-1:]
            print(f"  {name}: Lighthouse failed (attempt {attempt}): {' '.join(last)}")
    return None


def main() -> None:
    if not Path(CHROME).exists():
        print(f"Lighthouse: skipped, no Chromium at {CHROME}")
        return
    pages = selected(PAGES, os.environ.get("BENCH_LH_PAGES", ""))
    print(
        "Page load (Lighthouse, mobile throttling, Chromium headless); targets: LCP <= "
        f"{TARGETS['lcp']} s, perf >= {TARGETS['score']}, a11y >= {TARGETS['a11y']}, "
        f"best practices >= {TARGETS['bp']}"
    )
    print(HEADER)
    server, url = _trivial_page()
    try:
        print(_row("trivial static page", audit(url), floor=True), flush=True)
    finally:
        server.shutdown()
    with app_server() as app:
        results, failed = _audit_pages(app, pages)
    bad = [name for name, r in results if missed(r)] + [f"{n} (not measured)" for n in failed]
    total = len(results) + len(failed)
    print(f"  {total - len(bad)} of {total} pages meet every target", end="")
    print(f"; missed: {', '.join(bad)}" if bad else "")
