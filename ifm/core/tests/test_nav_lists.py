"""The navigation's lists are well formed for every role, with every module and with the
pilot's core modules only: each <li> sits directly in a <ul> or <ol>, whatever the role may
see (a screen reader announces a broken list as text; axe calls it serious)."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

import pytest

from ifm.conftest import client_for
from ifm.orgs.modules import organization_modules_set
from ifm.tenancy import modules

pytestmark = pytest.mark.django_db

VOID = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
}


class ListChecker(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "li" and (not self.stack or self.stack[-1] not in ("ul", "ol")):
            self.problems.append(f"<li> inside <{self.stack[-1] if self.stack else 'nothing'}>")
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.stack:
            while self.stack and self.stack.pop() != tag:
                pass

    def handle_data(self, data: str) -> None:
        if data.strip() and self.stack and self.stack[-1] in ("ul", "ol"):
            self.problems.append(f"text {data.strip()[:30]!r} directly in a list")


def problems_of(html: str) -> list[str]:
    checker = ListChecker()
    checker.feed(html)
    return checker.problems


@pytest.mark.parametrize("core_only", [False, True])
def test_every_roles_navigation_is_made_of_whole_lists(
    cast: dict[str, Any], org_a: Any, core_only: bool
) -> None:
    if core_only:
        organization_modules_set(organization=org_a, module_keys=modules.core_module_keys())
    for role in ("admin", "finance", "fundraising", "staff", "volunteer_coordinator", "viewer"):
        html = client_for(cast[role]).get(f"/o/{org_a.slug}/").content.decode()
        assert problems_of(html) == [], role


def test_no_template_comment_spans_lines() -> None:
    """Django's {# #} ends at the line's end: a comment over two lines is printed as text."""
    from pathlib import Path

    import ifm

    split = [
        f"{path.relative_to(Path(ifm.__file__).parent)}:{n}"
        for path in Path(ifm.__file__).parent.rglob("templates/**/*.html")
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if line.count("{#") > line.count("#}")
    ]
    assert split == []
