"""The survey's reads: whether to ask a member now, and their last answer."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from ifm.support.models import SurveyResponse
from ifm.tenancy.models import Membership
from ifm.tenancy.permissions import Access

# At most one answer (or dismissal) in this time, per member and organization.
SURVEY_EVERY = timedelta(days=30)
# Nobody is asked in their first week: they have not seen enough of the platform yet.
ASK_AFTER = timedelta(days=7)


def survey_last(*, user: Any) -> SurveyResponse | None:
    """The member's latest answer or dismissal in the current organization."""
    return SurveyResponse.objects.filter(user=user).order_by("-created_at", "-id").first()


def survey_may_ask(*, user: Any, access: Access | None, now: datetime | None = None) -> bool:
    """Whether the member is one the survey asks: an active member (not platform staff on an
    access grant, nor platform staff at all) who joined at least a week ago. No query."""
    now = now or timezone.now()
    if getattr(user, "is_platform_staff", False):
        return False
    if not isinstance(access, Membership) or not access.is_active:
        return False
    return access.created_at <= now - ASK_AFTER


def survey_due(*, user: Any, access: Access | None, now: datetime | None = None) -> bool:
    """Ask now: a member the survey asks who has neither answered nor dismissed it here in the
    last 30 days. One query, on the (organization, user, created_at) index."""
    now = now or timezone.now()
    if not survey_may_ask(user=user, access=access, now=now):
        return False
    return not SurveyResponse.objects.filter(user=user, created_at__gt=now - SURVEY_EVERY).exists()


def survey_next_at(last: SurveyResponse | None) -> datetime | None:
    return last.created_at + SURVEY_EVERY if last is not None else None
