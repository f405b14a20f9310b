"""The audit log in the Django admin: read-only, for IFM staff."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from ifm.audit.models import AuditEvent
from ifm.tenancy.admin import AllOrganizationsAdmin


@admin.register(AuditEvent)
class AuditEventAdmin(AllOrganizationsAdmin):
    list_display = [
        "created_at",
        "organization",
        "actor_label",
        "action",
        "object_type",
        "object_id",
        "object_repr",
        "ip_address",
    ]
    list_select_related = ["organization", "actor"]
    search_fields = [
        "action",
        "actor_label",
        "object_repr",
        "object_id",
        "request_id",
        "organization__name",
    ]
    date_hierarchy = "created_at"
    ordering = ["-created_at", "-id"]
    show_full_result_count = False  # a COUNT(*) of the whole log on every page is wasted work

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in AuditEvent._meta.concrete_fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
