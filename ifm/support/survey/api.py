"""/api/v1/support/survey: the in-app survey's twin for API clients (a mobile app, say): whether
to ask now, answer (1-5 and a comment), or dismiss; the same services and rules as the pages."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Field, Router, Schema
from ninja.responses import Status as HttpStatus

from ifm.accounts.http import OrgRequest, service_args
from ifm.core.api import InputSchema
from ifm.support.survey.selectors import survey_due, survey_last, survey_next_at
from ifm.support.survey.services import survey_respond

router = Router(tags=["support"])


class SurveyIn(InputSchema):
    score: int = Field(..., ge=1, le=5, description="1 (very dissatisfied) to 5 (very satisfied).")
    comment: str = Field("", max_length=2000)


class SurveyOut(Schema):
    id: int
    score: int | None = Field(..., description="Empty when the survey was dismissed.")
    comment: str
    created_at: datetime


class SurveyStateOut(Schema):
    due: bool = Field(..., description="Ask now (docs/support.md: who is asked, and when).")
    last: SurveyOut | None = Field(..., description="The latest answer or dismissal here.")
    next_at: datetime | None = Field(..., description="When it may be answered again.")


@router.get(
    "/support/survey",
    response=SurveyStateOut,
    summary="Whether the satisfaction survey is due for the caller, and their last answer",
)
def survey_state(request: OrgRequest) -> Any:
    last = survey_last(user=request.user)
    return {
        "due": survey_due(user=request.user, access=request.access),
        "last": last,
        "next_at": survey_next_at(last),
    }


@router.post(
    "/support/survey",
    response={201: SurveyOut},
    summary="Answer the satisfaction survey, 1 to 5 (once in 30 days; 409 before)",
)
def survey_answer(request: OrgRequest, payload: SurveyIn) -> Any:
    response = survey_respond(**service_args(request), score=payload.score, comment=payload.comment)
    return HttpStatus(201, response)


@router.post(
    "/support/survey/dismiss",
    response={201: SurveyOut},
    summary="Dismiss the satisfaction survey for 30 days (409 when answered or dismissed already)",
)
def survey_dismiss(request: OrgRequest) -> Any:
    return HttpStatus(201, survey_respond(**service_args(request), score=None))
