"""axe-core in the browser tests: inject the npm package's script into a page, run it, report.

axe-core is a development package in package.json, installed into node_modules by `make test`.
The script is evaluated through the DevTools protocol, which the Content-Security-Policy does
not govern, so the pages are checked exactly as they are served.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

AXE_SCRIPT = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
# What fails a page: the two highest of axe's four impact levels.
FAILING_IMPACTS = ("serious", "critical")
# Elements listed per rule in a failure message (the count is always given).
SHOWN_NODES = 6


@cache
def axe_source() -> str:
    if not AXE_SCRIPT.exists():
        pytest.fail(
            f"{AXE_SCRIPT} is missing: run `make install-dev` (npm ci installs axe-core).",
            pytrace=False,
        )
    return AXE_SCRIPT.read_text(encoding="utf-8")


def axe_run(page: Any, *, options: dict[str, Any] | None = None) -> dict[str, Any]:
    """axe's full result for the page as it is now (violations, passes, incomplete...)."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(axe_source())
    result: dict[str, Any] = page.evaluate(
        "async (options) => await window.axe.run(document, options)",
        {"resultTypes": ["violations"], **(options or {})},
    )
    return result


def axe_violations(
    page: Any, *, impacts: tuple[str, ...] = FAILING_IMPACTS, options: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    """The page's violations of the given impacts (all of them when `impacts` is empty)."""
    violations = axe_run(page, options=options)["violations"]
    return [v for v in violations if not impacts or v.get("impact") in impacts]


def _node_line(node: dict[str, Any]) -> str:
    target = " ".join(
        " > ".join(part) if isinstance(part, list) else str(part) for part in node["target"]
    )
    # failureSummary: "Fix any of the following:\n  Element has insufficient color contrast..."
    summary = [
        line.strip()
        for line in (node.get("failureSummary") or "").splitlines()
        if line.strip() and not line.startswith("Fix ")
    ]
    return f"    {target}" + (f": {summary[0]}" if summary else "")


def format_violations(violations: list[dict[str, Any]], where: str = "") -> str:
    """One readable block per rule: impact, rule id, help, how many elements, their selectors."""
    lines = [f"axe found {len(violations)} violation(s)" + (f" on {where}" if where else "")]
    for violation in violations:
        nodes = violation["nodes"]
        lines.append(
            f"  [{violation.get('impact')}] {violation['id']}: {violation['help']} "
            f"({len(nodes)} element{'s' if len(nodes) != 1 else ''}; {violation['helpUrl']})"
        )
        lines.extend(_node_line(node) for node in nodes[:SHOWN_NODES])
        if len(nodes) > SHOWN_NODES:
            lines.append(f"    ... and {len(nodes) - SHOWN_NODES} more")
    return "\n".join(lines)


def assert_accessible(page: Any, where: str = "") -> None:
    """Fail the test when axe finds a serious or critical violation on the page."""
    violations = axe_violations(page)
    if violations:
        pytest.fail(format_violations(violations, where or page.url), pytrace=False)


def duplicate_ids(page: Any) -> dict[str, int]:
    """Ids used more than once in the page (axe no longer checks this itself): a label or an
    aria reference to such an id may point at the wrong element."""
    counts: dict[str, int] = page.evaluate(
        """() => {
          const counts = {};
          for (const el of document.querySelectorAll("[id]")) {
            counts[el.id] = (counts[el.id] || 0) + 1;
          }
          return Object.fromEntries(Object.entries(counts).filter(([, n]) => n > 1));
        }"""
    )
    return counts
