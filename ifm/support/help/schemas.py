from __future__ import annotations

from datetime import datetime

from ninja import Field, Schema

from ifm.core.api import InputSchema
from ifm.support.help.models import COMMENT_MAX


class HelpArticleSummaryOut(Schema):
    slug: str
    title: str
    module: str = Field(..., description='A module key of the registry, or "general".')
    summary: str
    url: str = Field(..., description="The article's page.")


class HelpArticlePageOut(Schema):
    items: list[HelpArticleSummaryOut]
    next: str | None = Field(None, description="Pass as `cursor` for the next page.")


class HelpArticleOut(HelpArticleSummaryOut):
    keywords: list[str]
    html: str = Field(..., description="The body as sanitized HTML.")


class HelpFeedbackIn(InputSchema):
    helpful: bool
    comment: str = Field("", max_length=COMMENT_MAX)


class HelpFeedbackOut(Schema):
    article: str
    helpful: bool
    comment: str
    updated_at: datetime
