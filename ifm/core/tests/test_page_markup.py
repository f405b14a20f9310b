"""Markup every page shares, checked without a browser: ids are unique on the key pages (a
label or an aria reference to a repeated id may name the wrong field), every scrolling table
wrapper can take the keyboard focus and has a name, and the icon the pages link answers.

The browser suite (e2e/test_accessibility.py) runs axe-core on every page; these run in the
unit suite, in seconds."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

import ifm
from ifm.conftest import client_for
from ifm.core.org_context import org_context
from ifm.donors.imports.mapping import suggest_mapping
from ifm.donors.imports.uploads import import_upload_create, import_upload_map
from ifm.donors.models import Donation, Donor
from ifm.expenses.models import Expense
from ifm.ledger.models import JournalEntry
from ifm.orgs.demo import seed_organization
from ifm.tenancy.models import Membership

pytestmark = pytest.mark.django_db

ICON_LINK = re.compile(r'<link rel="icon" href="(?P<href>[^"]+)"')
TABLE_WRAPPER = re.compile(r"<div\b[^>]*\bclass=\"[^\"]*\btable-responsive\b[^\"]*\"[^>]*>")


class _Ids(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: Counter[str] = Counter()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name == "id" and value:
                self.ids[value] += 1


def duplicate_ids(html: str) -> dict[str, int]:
    parser = _Ids()
    parser.feed(html)
    return {name: count for name, count in parser.ids.items() if count > 1}


def test_duplicate_ids_are_found() -> None:
    html = '<form><select id="id_role"></select></form><form><select id="id_role"></form>'
    assert duplicate_ids(html) == {"id_role": 2}
    assert duplicate_ids('<p id="a"></p><p id="b"></p>') == {}


def _first_pk(model: Any) -> int:
    row = model.objects.order_by("pk").first()
    assert row is not None, f"the demo data has no {model.__name__}"
    return int(row.pk)


@pytest.fixture
def seeded(cast: dict[str, Any], org_a: Any) -> dict[str, str]:
    """Organization A with the demo data and a dry run with a problem: the key pages' URLs."""
    seed_organization(org_a, cast, donors=4, today=date.today())
    admin = cast["admin"]
    with org_context(org_a):
        access = Membership.objects.get(organization=org_a, user=admin)
        upload = import_upload_create(
            organization=org_a,
            actor=admin,
            access=access,
            kind="donors",
            data=b"First Name,Last Name,Email\r\nAna,Reyes,ana@example.org\r\nBen,,nope\r\n",
            filename="people.csv",
        )
        import_upload_map(
            organization=org_a,
            actor=admin,
            access=access,
            upload=upload,
            mapping=suggest_mapping("donors", ["First Name", "Last Name", "Email"]),
        )
        o = f"/o/{org_a.slug}"
        return {
            "dashboard": f"{o}/",
            "members": f"{o}/members/",
            "settings": f"{o}/settings/",
            "donors": f"{o}/donors/",
            "donor": f"{o}/donors/{_first_pk(Donor)}/",
            "donation": f"{o}/donors/donations/{_first_pk(Donation)}/",
            "donation_new": f"{o}/donors/donations/new/",
            "dry_run": f"{o}/donors/imports/uploads/{upload.pk}/check/",
            "expenses": f"{o}/expenses/?scope=all",
            "expense_queue": f"{o}/expenses/queue/",
            "expense_to_pay": f"{o}/expenses/to-pay/",
            "expense_new": f"{o}/expenses/new/",
            "expense": f"{o}/expenses/{_first_pk(Expense)}/",
            "journal_new": f"{o}/ledger/entries/new/",
            "entry": f"{o}/ledger/entries/{_first_pk(JournalEntry)}/",
            "periods": f"{o}/ledger/periods/",
            "profile": "/accounts/profile/",
        }


def test_key_pages_have_unique_ids(cast: dict[str, Any], seeded: dict[str, str]) -> None:
    client = client_for(cast["admin"])
    found = {}
    for name, url in seeded.items():
        response = client.get(url)
        assert response.status_code == 200, (name, url, response.status_code)
        duplicates = duplicate_ids(response.content.decode())
        if duplicates:
            found[name] = duplicates
    assert found == {}


def test_sign_in_page_has_unique_ids(db: Any) -> None:
    response = Client().get("/accounts/login/")
    assert response.status_code == 200
    assert duplicate_ids(response.content.decode()) == {}


def test_members_page_keeps_each_role_label_on_its_own_field(admin_client_a: Client) -> None:
    html = admin_client_a.get("/o/alpha/members/").content.decode()
    # The filter's role and the invitation's role: two fields, two ids, each label on its own.
    assert html.count('id="id_role"') == 1
    assert html.count('id="invite_role"') == 1
    assert 'for="invite_role"' in html


def test_every_page_links_an_icon_that_answers(db: Any) -> None:
    client = Client()
    html = client.get("/accounts/login/").content.decode()
    match = ICON_LINK.search(html)
    assert match, "the base template links no icon"
    icon = client.get(match["href"])
    assert icon.status_code == 200
    assert icon["Content-Type"] == "image/svg+xml"
    # Browsers still ask for /favicon.ico where a page names no icon (files, JSON, errors).
    legacy = client.get("/favicon.ico", follow=True)
    assert legacy.status_code == 200
    assert legacy.redirect_chain[-1][0] == match["href"]


def test_every_scrolling_table_can_take_the_focus_and_has_a_name() -> None:
    """A .table-responsive wrapper scrolls sideways on a phone: the keyboard reaches it only
    when it is focusable, and a screen reader announces it only when it is a named region."""
    missing = []
    for template in Path(ifm.__file__).parent.rglob("templates/**/*.html"):
        text = template.read_text(encoding="utf-8")
        for tag in TABLE_WRAPPER.findall(text):
            named = "aria-label=" in tag or "aria-labelledby=" in tag
            if 'tabindex="0"' not in tag or 'role="region"' not in tag or not named:
                missing.append(f"{template.relative_to(Path(ifm.__file__).parent)}: {tag}")
    assert missing == [], "\n".join(missing)
