"""/api/v1/help: the pages' twin."""

from __future__ import annotations

from typing import Any

import pytest

from ifm.core.org_context import all_organizations
from ifm.core.tests.api_helpers import api_client_for, assert_problem, send_json
from ifm.orgs.modules import organization_modules_set
from ifm.support.help.articles import load_articles
from ifm.support.help.models import ArticleFeedback


@pytest.fixture
def api(cast: dict[str, Any], org_a: Any) -> Any:
    return api_client_for(cast["staff"], org_a)


def test_list_and_search(api: Any) -> None:
    everything = api.get("/api/v1/help/articles").json()
    assert [a["slug"] for a in everything["items"]] == [a.slug for a in load_articles()]
    assert everything["next"] is None
    found = api.get("/api/v1/help/articles", {"q": "year-end"}).json()["items"]
    assert found[0]["slug"] == "year-end-statements"
    assert found[0]["url"] == "/help/year-end-statements/"
    assert api.get("/api/v1/help/articles", {"q": "zzyzx"}).json() == {"items": [], "next": None}


def test_pages_of_the_list_cover_every_article_once(api: Any) -> None:
    seen: list[str] = []
    cursor = ""
    while True:
        page = api.get("/api/v1/help/articles", {"limit": 3, "cursor": cursor}).json()
        seen += [a["slug"] for a in page["items"]]
        if page["next"] is None:
            break
        cursor = page["next"]
    assert seen == [a.slug for a in load_articles()]
    assert_problem(api.get("/api/v1/help/articles", {"cursor": "abc"}), 400)


def test_get_an_article(api: Any) -> None:
    body = api.get("/api/v1/help/articles/issue-a-receipt").json()
    assert body["title"] == "Issue a receipt"
    assert body["module"] == "donors"
    assert "<h2>" in body["html"]
    assert "<script" not in body["html"]
    assert_problem(api.get("/api/v1/help/articles/no-such-thing"), 404)
    assert_problem(api.get("/api/v1/help/articles/Not%20A%20Slug"), 422)


def test_a_disabled_modules_article_is_404(api: Any, org_a: Any) -> None:
    organization_modules_set(organization=org_a, module_keys=["ledger", "donors"])
    assert_problem(api.get("/api/v1/help/articles/volunteers"), 404)
    slugs = [a["slug"] for a in api.get("/api/v1/help/articles").json()["items"]]
    assert "volunteers" not in slugs
    assert "record-a-donation" in slugs


def test_feedback_one_per_person(api: Any, cast: dict[str, Any], org_a: Any) -> None:
    url = "/api/v1/help/articles/budgets/feedback"
    first = send_json(api, "POST", url, {"helpful": False, "comment": "Where is the grid?"})
    assert first.status_code == 200, first.content
    assert first.json()["helpful"] is False
    again = send_json(api, "POST", url, {"helpful": True})
    assert again.json() == again.json() | {"article": "budgets", "helpful": True, "comment": ""}
    with all_organizations():
        rows = list(ArticleFeedback.objects.filter(user=cast["staff"]))
    assert [(r.article_slug, r.helpful, r.organization_id) for r in rows] == [
        ("budgets", True, org_a.pk)
    ]


def test_hostile_feedback_is_a_clear_4xx(api: Any) -> None:
    url = "/api/v1/help/articles/budgets/feedback"
    assert_problem(send_json(api, "POST", url, {"helpful": "perhaps"}), 422)
    assert_problem(send_json(api, "POST", url, {"helpful": True, "comment": "x" * 2001}), 422)
    assert_problem(send_json(api, "POST", url, {"helpful": True, "extra": 1}), 422)
    assert_problem(send_json(api, "POST", url, "{not json"), 400)
    assert_problem(
        send_json(api, "POST", "/api/v1/help/articles/nope/feedback", {"helpful": True}), 404
    )


def test_the_api_needs_a_token_or_session(db: Any) -> None:
    from django.test import Client

    assert_problem(Client().get("/api/v1/help/articles"), 401)
