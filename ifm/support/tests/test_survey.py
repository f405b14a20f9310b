"""The periodic in-app survey: who is asked and when, answering and dismissing by a plain form
and by htmx, the API twin, the once-in-30-days rule, and how answers feed satisfaction."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ifm.conftest import client_for, make_user
from ifm.core.org_context import org_context
from ifm.core.tests.api_helpers import api_client_for, assert_problem, send_json
from ifm.support import selectors
from ifm.support.models import SurveyResponse
from ifm.support.survey.services import survey_respond
from ifm.support.tests import factories
from ifm.support.tests.conftest import member
from ifm.tenancy.models import Membership

pytestmark = pytest.mark.django_db
SURVEY = "/api/v1/support/survey"
PROMPT = 'id="satisfaction-survey"'


def joined(org: Any, user: Any, days_ago: int) -> None:
    with org_context(org):
        Membership.objects.filter(organization=org, user=user).update(
            created_at=timezone.now() - timedelta(days=days_ago)
        )


def answers(org: Any) -> list[tuple[str, int | None, str]]:
    with org_context(org):
        return [
            (r.user.email, r.score, r.comment)
            for r in SurveyResponse.objects.select_related("user").order_by("id")
        ]


def dashboard(org: Any) -> str:
    return f"/o/{org.slug}/"


def survey_queries(captured: CaptureQueriesContext) -> int:
    return sum("support_surveyresponse" in q["sql"] for q in captured.captured_queries)


def test_a_member_of_a_week_is_asked_once_a_day_checked_with_one_query(
    org_a: Any, cast: dict[str, Any]
) -> None:
    joined(org_a, cast["staff"], days_ago=8)
    client = client_for(cast["staff"])
    with CaptureQueriesContext(connection) as first:
        page = client.get(dashboard(org_a))
    assert PROMPT in page.content.decode()
    assert "How satisfied are you with the platform?" in page.content.decode()
    assert "<script" not in page.content.decode().split(PROMPT)[1].split("</section>")[0]
    assert survey_queries(first) == 1
    # The rest of the day the session remembers: no query at all.
    with CaptureQueriesContext(connection) as second:
        again = client.get(f"/o/{org_a.slug}/support/")
    assert PROMPT in again.content.decode()
    assert survey_queries(second) == 0


def test_new_members_platform_staff_and_pages_outside_an_organization_are_not_asked(
    org_a: Any, cast: dict[str, Any]
) -> None:
    joined(org_a, cast["viewer"], days_ago=6)
    assert PROMPT not in client_for(cast["viewer"]).get(dashboard(org_a)).content.decode()
    staff = make_user("desk@ifm.test", is_platform_staff=True)
    from ifm.accounts.services import membership_set
    from ifm.tenancy.roles import Role

    membership_set(organization=org_a, user=staff, role=Role.ADMIN)
    joined(org_a, staff, days_ago=60)
    assert PROMPT not in client_for(staff).get(dashboard(org_a)).content.decode()
    joined(org_a, cast["staff"], days_ago=60)
    assert PROMPT not in client_for(cast["staff"]).get("/help/").content.decode()


def test_answering_by_the_plain_form_goes_back_to_the_page_and_stops_asking(
    org_a: Any, cast: dict[str, Any]
) -> None:
    joined(org_a, cast["staff"], days_ago=30)
    client = client_for(cast["staff"])
    assert PROMPT in client.get(dashboard(org_a)).content.decode()
    response = client.post(
        f"/o/{org_a.slug}/support/survey",
        {"score": "4", "comment": " Quick to learn. ", "action": "answer", "next": "/o/alpha/"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/o/alpha/"
    assert answers(org_a) == [("staff@alpha.test", 4, "Quick to learn.")]
    followed = client.get(dashboard(org_a)).content.decode()
    assert PROMPT not in followed
    assert "Thank you for telling us how satisfied you are." in followed
    # A fresh session finds the answer in the database: still not asked.
    assert PROMPT not in client_for(cast["staff"]).get(dashboard(org_a)).content.decode()


def test_htmx_dismissal_swaps_the_prompt_away_and_asks_again_after_30_days(
    org_a: Any, cast: dict[str, Any]
) -> None:
    joined(org_a, cast["staff"], days_ago=90)
    client = client_for(cast["staff"])
    dismissed = client.post(
        f"/o/{org_a.slug}/support/survey",
        {"action": "dismiss", "comment": "ignored", "next": "/o/alpha/"},
        headers={"HX-Request": "true"},
    )
    assert dismissed.status_code == 200
    assert dismissed.content.decode().strip() == ""
    assert answers(org_a) == [("staff@alpha.test", None, "")]
    assert PROMPT not in client.get(dashboard(org_a)).content.decode()
    # 31 days later (a new day, so the session asks the database again) it is back.
    with org_context(org_a):
        SurveyResponse.objects.update(created_at=timezone.now() - timedelta(days=31))
    assert PROMPT in client_for(cast["staff"]).get(dashboard(org_a)).content.decode()


def test_htmx_answer_without_a_score_returns_the_form_with_the_error(
    org_a: Any, cast: dict[str, Any]
) -> None:
    joined(org_a, cast["staff"], days_ago=30)
    client = client_for(cast["staff"])
    url = f"/o/{org_a.slug}/support/survey"
    response = client.post(url, {"action": "answer"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.content.decode()
    assert PROMPT in html
    assert "Choose a score from 1 to 5" in html
    assert answers(org_a) == []
    thanks = client.post(url, {"action": "answer", "score": "5"}, headers={"HX-Request": "true"})
    assert 'id="survey-thanks"' in thanks.content.decode()
    # Out of range, or a hostile "next": refused or ignored, never a 500 or a redirect away.
    joined(org_a, cast["admin"], days_ago=30)
    admin = client_for(cast["admin"])
    bad = admin.post(url, {"action": "answer", "score": "9", "next": "//evil.example/"})
    assert bad.status_code == 302
    assert bad["Location"] == "/o/alpha/"
    assert answers(org_a) == [("staff@alpha.test", 5, "")]


def test_the_api_reports_answers_and_dismisses_once_in_30_days(
    org_a: Any, cast: dict[str, Any]
) -> None:
    joined(org_a, cast["staff"], days_ago=10)
    api = api_client_for(cast["staff"], org_a)
    state = api.get(SURVEY).json()
    assert state == {"due": True, "last": None, "next_at": None}
    created = send_json(api, "POST", SURVEY, {"score": 3, "comment": "Reports are slow."})
    assert created.status_code == 201, created.content
    assert (created.json()["score"], created.json()["comment"]) == (3, "Reports are slow.")
    state = api.get(SURVEY).json()
    assert state["due"] is False
    assert state["last"]["score"] == 3
    assert state["next_at"] is not None
    problem = assert_problem(send_json(api, "POST", SURVEY, {"score": 5}), 409)
    assert "asks again after" in problem["detail"]
    assert_problem(api.post(f"{SURVEY}/dismiss"), 409)
    for bad in ({"score": 0}, {"score": 6}, {"score": "x"}, {"score": 4, "extra": 1}, {}):
        assert send_json(api, "POST", SURVEY, bad).status_code in (400, 422)
    other = api_client_for(cast["admin"], org_a)
    dismissed = other.post(f"{SURVEY}/dismiss")
    assert dismissed.status_code == 201
    assert dismissed.json()["score"] is None


def test_each_organization_asks_its_own_members(
    org_a: Any, org_b: Any, cast: dict[str, Any]
) -> None:
    survey_respond(**member(org_b, cast["other_admin"]), score=2)
    assert answers(org_a) == []
    assert answers(org_b) == [("admin@beta.test", 2, "")]


def test_satisfaction_combines_ratings_and_survey_answers(
    org_a: Any, org_b: Any, cast: dict[str, Any]
) -> None:
    today = timezone.localdate()
    empty = selectors.support_metrics(organization=org_a, start=today, end=today)
    assert empty["satisfaction"]["average"] is None
    factories.rating(org_a)  # a ticket rated 4
    survey_respond(**member(org_a, cast["staff"]), score=5)
    survey_respond(**member(org_a, cast["admin"]), score=2)
    survey_respond(**member(org_a, cast["viewer"]), score=None)  # dismissed: not counted
    survey_respond(**member(org_b, cast["other_admin"]), score=1)
    alpha = selectors.support_metrics(organization=org_a, start=today, end=today)
    assert alpha["satisfaction"] == {
        "average": 3.67,
        "count": 3,
        "total": 11,
        "ratings": {"average": 4.0, "count": 1, "total": 4},
        "survey": {"average": 3.5, "count": 2, "total": 7},
    }
    everyone = selectors.support_metrics(start=today, end=today)
    assert everyone["satisfaction"]["survey"] == {"average": 2.67, "count": 3, "total": 8}
    yesterday = today - timedelta(days=1)
    before = selectors.support_metrics(organization=org_a, start=yesterday, end=yesterday)
    assert before["satisfaction"]["count"] == 0
