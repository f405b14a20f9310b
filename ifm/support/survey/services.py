"""The survey's writes: a member answers (1-5, an optional comment) or dismisses it. Either one
keeps it away for 30 days; a second answer within them is refused (409)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone

from ifm.accounts.models import User
from ifm.audit.services import audit_record
from ifm.core.errors import ServiceError
from ifm.support.models import SurveyResponse
from ifm.support.services import StateError
from ifm.support.survey.selectors import SURVEY_EVERY, survey_last
from ifm.tenancy.models import Membership, Organization
from ifm.tenancy.permissions import Access, org_service

MAX_COMMENT = 2000


def _score(score: Any) -> int | None:
    if score is None:
        return None
    if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5:
        raise ServiceError(
            "Answer from 1 (very dissatisfied) to 5 (very satisfied).", field="score"
        )
    return score


@org_service("support.open")
def survey_respond(
    *,
    organization: Organization,
    actor: User,
    access: Access | None,
    score: int | None,
    comment: str = "",
    now: datetime | None = None,
) -> SurveyResponse:
    """Record the member's answer, or (score None) that they dismissed the survey."""
    now = now or timezone.now()
    score = _score(score)
    comment = (comment or "").strip() if score is not None else ""
    if len(comment) > MAX_COMMENT:
        raise ServiceError(
            f"The comment may be at most {MAX_COMMENT:,} characters.", field="comment"
        )
    # Two answers sent at once (a double click, two tabs): the member's row orders them.
    Membership.objects.select_for_update().filter(organization=organization, user=actor).first()
    last = survey_last(user=actor)
    if last is not None and last.created_at > now - SURVEY_EVERY:
        what = "answered" if last.score is not None else "put aside"
        raise StateError(
            f"You {what} the survey on {last.created_at:%Y-%m-%d}; "
            f"it asks again after {last.created_at + SURVEY_EVERY:%Y-%m-%d}.",
            field="score",
        )
    response = SurveyResponse.objects.create(
        organization=organization, user=actor, score=score, comment=comment, created_at=now
    )
    audit_record(
        action="support.survey_answer" if score is not None else "support.survey_dismiss",
        actor=actor,
        organization=organization,
        obj=response,
        object_repr=str(response),
        changes={"score": score} if score is not None else {},
    )
    return response
