"""Whether the layout shows the survey's prompt on this request, checked cheaply: the answer
"due or not" is kept in the session for the rest of the day, per organization, so pages ask the
database at most once a day per member and organization."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from ifm.support.survey.selectors import survey_due

SESSION_KEY = "support_survey_due"


def remember(request: Any, org_id: int, due: bool) -> None:
    """Keep today's answer for this organization in the session (the form's view sets it to
    "not due" once answered or dismissed)."""
    session = getattr(request, "session", None)
    if session is None:
        return
    cached = dict(session.get(SESSION_KEY) or {})
    cached[str(org_id)] = [timezone.localdate().isoformat(), due]
    session[SESSION_KEY] = cached


def due_now(request: Any) -> bool:
    org = getattr(request, "org", None)
    user = getattr(request, "user", None)
    if org is None or user is None or not user.is_authenticated:
        return False
    session = getattr(request, "session", None)
    cached = (session.get(SESSION_KEY) or {}).get(str(org.pk)) if session is not None else None
    if cached and cached[0] == timezone.localdate().isoformat():
        return bool(cached[1])
    due = survey_due(user=user, access=getattr(request, "access", None))
    remember(request, org.pk, due)
    return due
