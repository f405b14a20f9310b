"""The one write of the help center: a person's answer to "Was this helpful?"."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from ifm.core.errors import ServiceError
from ifm.core.org_context import all_organizations
from ifm.support.help.articles import load_articles
from ifm.support.help.models import COMMENT_MAX, ArticleFeedback


@transaction.atomic
def article_feedback_set(
    *, slug: str, actor: Any, helpful: bool, comment: str = "", organization: Any = None
) -> ArticleFeedback:
    """Record or change the actor's vote on an article: one per person and article, the
    latest answer (and comment) replacing the earlier one. `organization` is the one the
    person is working in, if any, kept for context."""
    if not getattr(actor, "is_authenticated", False):
        raise ServiceError("Sign in to say whether an article helped.")
    if slug not in {a.slug for a in load_articles()}:
        raise ServiceError(f"There is no help article {slug!r}.")
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX:
        raise ServiceError(f"A comment is at most {COMMENT_MAX} characters.")
    now = timezone.now()
    # The row may carry any organization (or none): read and write it across them.
    with all_organizations():
        feedback = (
            ArticleFeedback.objects.select_for_update()
            .filter(article_slug=slug, user=actor)
            .first()
        )
        if feedback is None:
            return ArticleFeedback.objects.create(
                article_slug=slug,
                user=actor,
                organization=organization,
                helpful=helpful,
                comment=comment,
                created_at=now,
                updated_at=now,
            )
        feedback.helpful = helpful
        feedback.comment = comment
        feedback.organization = organization
        feedback.updated_at = now
        feedback.save(update_fields=["helpful", "comment", "organization", "updated_at"])
        return feedback
