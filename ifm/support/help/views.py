"""The help center's pages: the index with search, an article with its "Was this helpful?"
form, and the feedback counts for platform staff. The articles are public (they hold no
organization's data); answering needs a signed-in person."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from ifm.accounts.http import UserRequest
from ifm.core.errors import ServiceError
from ifm.ops.services import require_platform_staff
from ifm.support.help import selectors, services
from ifm.support.help.models import COMMENT_MAX
from ifm.tenancy.models import Organization

QUERY_MAX = 200


def current_org(request: HttpRequest) -> Organization | None:
    """The organization the person is working in: the page's own, else the last one they
    opened (the session remembers it) if they are still a member of it."""
    org = getattr(request, "org", None)
    if org is not None:
        return org
    slug = request.session.get("org_slug") if hasattr(request, "session") else None
    return next((o for o in getattr(request, "user_orgs", []) if o.slug == slug), None)


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    org = current_org(request)
    query = request.GET.get("q", "").strip()[:QUERY_MAX]
    context: dict[str, Any] = {
        "query": query,
        "sections": selectors.article_sections(org=org),
        "suggestions": selectors.SUGGESTIONS,
    }
    if query:
        context["results"] = selectors.article_search(query=query, org=org)
    return render(request, "help/index.html", context)


def _article_or_404(request: HttpRequest, slug: str) -> Any:
    article = selectors.article_get(slug=slug, org=current_org(request))
    if article is None:
        raise Http404("No such help article.")
    return article


def _article_context(request: HttpRequest, article: Any, **extra: Any) -> dict[str, Any]:
    return {
        "article": article,
        "feedback": selectors.feedback_get(slug=article.slug, user=request.user),
        "comment_max": COMMENT_MAX,
        **extra,
    }


@require_GET
def article(request: HttpRequest, slug: str) -> HttpResponse:
    found = _article_or_404(request, slug)
    return render(request, "help/article.html", _article_context(request, found))


@login_required
@require_POST
def article_feedback(request: UserRequest, slug: str) -> HttpResponse:
    found = _article_or_404(request, slug)
    answer = request.POST.get("helpful", "")
    error = ""
    if answer not in {"yes", "no"}:
        error = "Choose Yes or No."
    else:
        try:
            services.article_feedback_set(
                slug=found.slug,
                actor=request.user,
                helpful=answer == "yes",
                comment=request.POST.get("comment", ""),
                organization=current_org(request),
            )
        except ServiceError as exc:
            error = exc.message
    if request.htmx:
        context = _article_context(request, found, error=error, thanked=not error)
        return render(request, "help/_feedback.html", context, status=422 if error else 200)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, "Thank you: your answer is saved.")
    return redirect(reverse("help:article", kwargs={"slug": found.slug}) + "#feedback")


@login_required
@require_GET
def platform_feedback(request: HttpRequest) -> HttpResponse:
    try:
        require_platform_staff(request.user)
    except PermissionDenied:
        raise Http404("No such page.") from None
    return render(
        request,
        "help/platform_feedback.html",
        {"summaries": selectors.feedback_summary()},
    )
