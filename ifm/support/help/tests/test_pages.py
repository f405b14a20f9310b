"""The help pages: public articles, search, hidden modules, the "?" link of every page, the
feedback form and the platform staff's counts."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from ifm.conftest import client_for, make_user
from ifm.core.org_context import all_organizations
from ifm.orgs.modules import organization_modules_set
from ifm.support.help.models import ArticleFeedback
from ifm.support.help.services import article_feedback_set

_HELP_LINK = re.compile(
    r'<a class="nav-link help-link" href="([^"]+)" id="help-link" aria-label="([^"]+)"'
)


def _help_link(html: str) -> tuple[str, str]:
    found = _HELP_LINK.search(html)
    assert found, "no help link in the page header"
    return found.group(1), found.group(2)


def test_the_index_lists_articles_by_module_for_anyone(db: Any) -> None:
    response = Client().get("/help/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Getting started" in html
    assert 'href="/help/record-a-donation/"' in html
    assert 'href="/help/reconcile-the-bank/"' in html


def test_an_article_is_public_and_anonymous_readers_are_asked_to_sign_in(db: Any) -> None:
    response = Client().get("/help/issue-a-receipt/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1" in html
    assert "Issue a receipt" in html
    assert "Sign in</a> to tell us" in html


def test_a_missing_article_is_404(db: Any) -> None:
    assert Client().get("/help/no-such-article/").status_code == 404


def test_search_shows_results_and_what_to_try_when_none(db: Any) -> None:
    found = Client().get("/help/", {"q": "reconcile"}).content.decode()
    assert 'id="help-results"' in found
    assert 'href="/help/reconcile-the-bank/"' in found
    empty = Client().get("/help/", {"q": "qwertyuiop"}).content.decode()
    assert "No article has all of these words" in empty
    assert "Try fewer words" in empty
    assert "/help/?q=donation" in empty


def test_hostile_search_text_is_escaped_and_long_text_cut(db: Any) -> None:
    response = Client().get("/help/", {"q": "<script>alert(1)</script>" + "x" * 1000})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;" in html


def test_articles_of_a_disabled_module_are_hidden(cast: dict[str, Any], org_a: Any) -> None:
    organization_modules_set(organization=org_a, module_keys=["ledger", "donors", "reports"])
    client = client_for(cast["admin"])
    assert client.get(f"/o/{org_a.slug}/").status_code == 200  # remembers the organization
    index = client.get("/help/").content.decode()
    assert "/help/record-a-donation/" in index
    assert "/help/volunteers/" not in index
    assert "/help/reconcile-the-bank/" not in index
    assert client.get("/help/volunteers/").status_code == 404
    assert "/help/volunteers/" not in client.get("/help/", {"q": "kiosk"}).content.decode()
    # Someone signed in to no organization, or not signed in, sees every article.
    assert Client().get("/help/volunteers/").status_code == 200


@pytest.mark.parametrize(
    ("path", "target", "label"),
    [
        ("/o/alpha/donors/donations/new/", "/help/record-a-donation/", "Help: Record a donation"),
        ("/o/alpha/donors/receipts/year-end/", "/help/year-end-statements/", None),
        ("/o/alpha/expenses/queue/", "/help/submit-and-approve-an-expense/", None),
        ("/o/alpha/banking/reconciliations/", "/help/reconcile-the-bank/", None),
        ("/o/alpha/reports/", "/help/run-reports/", None),
        ("/o/alpha/volunteers/shifts/", "/help/volunteers/", None),
        ("/o/alpha/", "/help/getting-started/", "Help: Getting started with IFM"),
        ("/o/alpha/audit/", "/help/", "Help center"),
    ],
)
def test_the_question_mark_goes_to_the_pages_article(
    cast: dict[str, Any], path: str, target: str, label: str | None
) -> None:
    response = client_for(cast["admin"]).get(path)
    assert response.status_code == 200, path
    href, aria = _help_link(response.content.decode())
    assert href == target
    if label:
        assert aria == label


def test_the_question_mark_is_on_help_pages_too_and_goes_to_the_index(
    cast: dict[str, Any],
) -> None:
    href, aria = _help_link(client_for(cast["staff"]).get("/help/budgets/").content.decode())
    assert (href, aria) == ("/help/", "Help center")


def test_feedback_is_one_per_person_and_changes(cast: dict[str, Any], org_a: Any) -> None:
    client = client_for(cast["staff"])
    client.get(f"/o/{org_a.slug}/")
    url = reverse("help:article_feedback", kwargs={"slug": "run-reports"})
    response = client.post(url, {"helpful": "no", "comment": "Which report is the 990?"})
    assert response.status_code == 302
    assert response["Location"] == "/help/run-reports/#feedback"
    client.post(url, {"helpful": "yes", "comment": ""})
    with all_organizations():
        rows = list(ArticleFeedback.objects.filter(article_slug="run-reports"))
    assert len(rows) == 1
    assert rows[0].helpful is True
    assert rows[0].comment == ""
    assert rows[0].user == cast["staff"]
    assert rows[0].organization == org_a
    page = client.get("/help/run-reports/").content.decode()
    assert "You answered Yes" in page


def test_feedback_over_htmx_answers_the_fragment(cast: dict[str, Any]) -> None:
    client = client_for(cast["viewer"])
    url = reverse("help:article_feedback", kwargs={"slug": "budgets"})
    response = client.post(url, {"helpful": "yes"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "Thank you: your answer is saved." in response.content.decode()
    bad = client.post(url, {"helpful": "maybe"}, headers={"HX-Request": "true"})
    assert bad.status_code == 422
    assert "Choose Yes or No." in bad.content.decode()
    long = client.post(
        url, {"helpful": "no", "comment": "x" * 2001}, headers={"HX-Request": "true"}
    )
    assert long.status_code == 422
    assert "at most 2000 characters" in long.content.decode()


def test_feedback_needs_a_signed_in_person(db: Any) -> None:
    response = Client().post("/help/budgets/feedback/", {"helpful": "yes"})
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    with all_organizations():
        assert not ArticleFeedback.objects.exists()


def test_platform_staff_see_the_counts_and_others_a_404(cast: dict[str, Any], org_a: Any) -> None:
    article_feedback_set(slug="budgets", actor=cast["staff"], helpful=False, comment="Too short")
    article_feedback_set(slug="budgets", actor=cast["viewer"], helpful=True, organization=org_a)
    assert client_for(cast["admin"]).get("/platform/help/").status_code == 404
    staff = make_user("help-staff@ifm.test", is_platform_staff=True)
    response = client_for(staff).get("/platform/help/")
    assert response.status_code == 200
    html = response.content.decode()
    cells = r'\s*<td class="text-end">(\d+)</td>'
    row = re.search(r'href="/help/budgets/">Budgets</a></td>' + cells + cells, html)
    assert row
    assert row.groups() == ("1", "1")
    assert "Too short" in html
