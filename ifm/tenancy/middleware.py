"""Wall one: resolve the organization once per request, check access, set request.org; and
the organization's enabled modules: a page of a module it has not enabled is a 404."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse

from ifm.core import org_context
from ifm.tenancy import http, modules
from ifm.tenancy.models import Organization
from ifm.tenancy.selectors import access_for, organizations_for_user


def public_page(view: Callable[..., Any]) -> Callable[..., Any]:
    """Mark a view under an organization's slug that anyone may open, signed in or not (a
    public sign-up page): the middleware neither checks a membership nor sets the
    organization; the view resolves the organization itself and scopes what it shows."""
    vars(view)["tenancy_public_page"] = True
    return view


def require_module(request: HttpRequest, org: Organization) -> None:
    """404 (the ordinary page) when the page resolved for this request belongs to a module the
    organization has not enabled. The middleware calls it for members' pages; a public page
    calls it once it has resolved its organization (`public_page`)."""
    match = request.resolver_match
    module = modules.module_for_namespace(match.namespace if match else None)
    if module is not None and not modules.is_module_enabled(org, module.key):
        raise Http404(modules.not_enabled_message(module, org))


class TenantMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        http.enter(request, None, None)
        vars(request)["user_orgs"] = []
        with org_context.org_context(None):
            return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: Any,
        view_kwargs: dict[str, Any],
    ) -> None:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            vars(request)["user_orgs"] = organizations_for_user(user)
        slug = view_kwargs.get("org_slug")
        if slug is None or getattr(view_func, "tenancy_public_page", False):
            return
        if user is None or not user.is_authenticated:
            return  # the view's login_required sends them to sign in
        org, access = access_for(user, slug)
        if org is None or access is None:
            # Missing and not-yours give the same answer.
            raise Http404("No such organization.")
        require_module(request, org)
        http.enter(request, org, access)
        org_context.set_current_org(org)
        if hasattr(request, "session"):
            request.session["org_slug"] = org.slug
