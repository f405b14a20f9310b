"""Django admin for people (email sign-in, no username) and API tokens (read-only, revocable)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from ifm.accounts.http import signed_in_user
from ifm.accounts.models import ApiToken, User
from ifm.audit.services import audit_record, diff
from ifm.tenancy.admin import AllOrganizationsAdmin

# Changes to these are recorded in the audit log (sign-in rights and admin rights).
AUDITED_USER_FIELDS = [
    "email",
    "full_name",
    "is_active",
    "is_staff",
    "is_superuser",
    "is_platform_staff",
]


class UserCreateForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "full_name")


class UserEditForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"
        field_classes: dict[str, Any] = {}


@admin.register(User)
class UserAdmin(DjangoUserAdmin, AllOrganizationsAdmin):
    form = UserEditForm
    add_form = UserCreateForm
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Person", {"fields": ("full_name",)}),
        (
            "Rights",
            {
                "fields": (
                    "is_active",
                    "is_staff",
                    "is_platform_staff",
                    "is_superuser",
                    "groups",
                    "user_permissions",
                )
            },
        ),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "full_name", "usable_password", "password1", "password2"),
            },
        ),
    )
    list_display = [
        "email",
        "full_name",
        "is_active",
        "is_staff",
        "is_platform_staff",
        "last_login",
    ]
    list_filter = ["is_active", "is_staff", "is_platform_staff", "is_superuser"]
    search_fields = ["email", "full_name"]
    ordering = ["email"]
    readonly_fields = ["last_login", "date_joined"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        before = {}
        if change:
            previous = User.objects.get(pk=obj.pk)
            before = {f: getattr(previous, f) for f in AUDITED_USER_FIELDS}
        super().save_model(request, obj, form, change)
        after = {f: getattr(obj, f) for f in AUDITED_USER_FIELDS}
        changes = diff(before, after) if change else {f: after[f] for f in AUDITED_USER_FIELDS}
        if changes:
            audit_record(
                action="user.update" if change else "user.create",
                actor=signed_in_user(request),
                obj=obj,
                changes=changes,
            )

    def user_change_password(
        self, request: HttpRequest, id: str, form_url: str = ""
    ) -> HttpResponse:
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:
            user = User.objects.get(pk=id)
            audit_record(
                action="user.password_set_by_admin",
                actor=signed_in_user(request),
                obj=user,
                changes={"usable_password": user.has_usable_password()},
            )
        return response


@admin.register(ApiToken)
class ApiTokenAdmin(AllOrganizationsAdmin):
    """Read-only: tokens are created by their owners. Staff may revoke one, e.g. when it leaked."""

    list_display = [
        "name",
        "prefix",
        "user",
        "organization",
        "created_at",
        "last_used_at",
        "revoked_at",
    ]
    list_filter = ["organization"]
    list_select_related = ["user", "organization"]
    search_fields = ["name", "prefix", "user__email", "organization__name"]
    ordering = ["-created_at"]
    fields = ("name", "prefix", "user", "organization", "created_at", "last_used_at", "revoked_at")
    readonly_fields = fields
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description="Revoke the selected tokens now")
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        # Staff act outside any membership, so not through api_token_revoke (which checks one);
        # the revocation is recorded in the token's organization like any other.
        revoked = 0
        with transaction.atomic():
            for token in queryset.filter(revoked_at__isnull=True).select_related("organization"):
                token.revoked_at = timezone.now()
                token.save(update_fields=["revoked_at"])
                audit_record(
                    action="api_token.revoke",
                    actor=signed_in_user(request),
                    organization=token.organization,
                    obj=token,
                    changes={
                        "revoked_at": {"before": None, "after": token.revoked_at},
                        "by": "IFM staff (admin)",
                    },
                )
                revoked += 1
        self.message_user(request, f"Revoked {revoked} token{'s' if revoked != 1 else ''}.")
