"""The base of every IFM ModelAdmin (the admin pages themselves live in each app's admin.py).

Tenant models' default manager refuses to run without a current organization, and on
PostgreSQL row-level security hides other organizations' rows. The admin works across
organizations, so every admin view runs inside `all_organizations()` on the `all_orgs`
manager, and writes go through the same services as the pages (checked and audited).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect

from ifm.core.errors import ServiceError
from ifm.core.org_context import all_organizations


class AllOrganizationsAdmin(admin.ModelAdmin):
    """Base of every IFM ModelAdmin: cross-organization reads, service errors as messages."""

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        manager = getattr(self.model, "all_orgs", self.model._default_manager)
        qs = manager.get_queryset()
        ordering = self.get_ordering(request)
        if ordering:
            qs = qs.order_by(*ordering)
        return qs

    def _across_organizations(
        self, view: Callable[..., HttpResponse], request: HttpRequest, *args: Any, **kwargs: Any
    ) -> HttpResponse:
        # Template responses render lazily; render inside the block so their queries see every row.
        try:
            with all_organizations():
                response = view(request, *args, **kwargs)
                render = getattr(response, "render", None)
                if render is not None and not getattr(response, "is_rendered", True):
                    render()
        except ServiceError as exc:
            messages.error(request, exc.message)
            return HttpResponseRedirect(request.get_full_path())
        return response

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        return self._across_organizations(super().changelist_view, request, extra_context)

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: Any = None,
    ) -> HttpResponse:
        return self._across_organizations(
            super().changeform_view, request, object_id, form_url, extra_context
        )

    def delete_view(
        self, request: HttpRequest, object_id: str, extra_context: Any = None
    ) -> HttpResponse:
        return self._across_organizations(super().delete_view, request, object_id, extra_context)

    def history_view(
        self, request: HttpRequest, object_id: str, extra_context: Any = None
    ) -> HttpResponse:
        return self._across_organizations(super().history_view, request, object_id, extra_context)
