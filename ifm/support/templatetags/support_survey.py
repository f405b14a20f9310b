"""`{% satisfaction_survey %}` in the base layout: the in-app survey's prompt, on an
organization's pages, when the member is due to be asked (ifm.support.survey)."""

from __future__ import annotations

from typing import Any

from django import template

from ifm.support.survey.forms import SurveyForm
from ifm.support.survey.prompt import due_now

register = template.Library()


@register.inclusion_tag("support/_survey.html", takes_context=True)
def satisfaction_survey(context: Any) -> dict[str, Any]:
    request = context.get("request")
    if request is None or getattr(request, "htmx", False) or not due_now(request):
        return {"show": False}
    return {
        "show": True,
        "org": request.org,
        "form": SurveyForm(),
        "next": request.get_full_path(),
        "csrf_token": context.get("csrf_token"),
    }
