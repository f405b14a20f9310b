from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from ifm.tenancy.models import Organization

COMMENT_MAX = 2000


class ArticleFeedback(models.Model):
    """One person's answer to "Was this helpful?" under one article; answering again changes it.

    Not a TenantModel: articles belong to no organization and platform staff read the votes
    across organizations. The organization the person was working in is kept for context
    (none when they read the article outside one); on PostgreSQL row-level security still
    applies to it, so the services read and write inside `all_organizations()`.
    """

    article_slug = models.SlugField(max_length=100)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    helpful = models.BooleanField()
    comment = models.TextField(blank=True, max_length=COMMENT_MAX)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["article_slug", "user"], name="help_feedback_one_per_user_and_article"
            )
        ]
        indexes = [models.Index(fields=["organization", "article_slug"])]

    def __str__(self) -> str:
        return f"{self.article_slug}: {'yes' if self.helpful else 'no'}"
