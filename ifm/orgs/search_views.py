"""The search page (``/o/<org>/search/?q=``) and its typeahead fragment for the top bar: the
same service as ``GET /api/v1/search`` (ifm.orgs.search.search_run)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers

from ifm.accounts.http import OrgRequest, service_args
from ifm.core.errors import ServiceError
from ifm.core.pages import is_htmx_partial
from ifm.orgs.search import DEFAULT_LIMIT, MAX_QUERY, MIN_QUERY, SearchGroup, search_run

PAGE_LIMIT = 10


@login_required
def search(request: OrgRequest, org_slug: str) -> HttpResponse:
    q = request.GET.get("q", "")
    partial = is_htmx_partial(request)
    groups: list[SearchGroup] = []
    error = ""
    status = 200
    if q.strip():
        try:
            groups = search_run(
                **service_args(request), q=q, limit=DEFAULT_LIMIT if partial else PAGE_LIMIT
            )
        except ServiceError as exc:
            # The page answers 400; the typeahead shows the message in place (htmx would not
            # swap in a 4xx answer, leaving the previous results under the box).
            error, status = exc.message, 200 if partial else 400
    context = {
        "q": q[: MAX_QUERY * 2],
        "groups": groups,
        "found": sum(len(g.hits) for g in groups),
        "error": error,
        "searched": bool(q.strip()) and not error,
        "min_query": MIN_QUERY,
        "max_query": MAX_QUERY,
    }
    template = "orgs/search/_results.html" if partial else "orgs/search/page.html"
    response = render(request, template, context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response
