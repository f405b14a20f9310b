"""Django admin for IFM staff (is_staff): organizations, memberships, platform access grants.

Tenant models' default manager refuses to run without a current organization, and on
PostgreSQL row-level security hides other organizations' rows. The admin works across
organizations, so every admin view runs inside `all_organizations()` on the `all_orgs`
manager, and writes go through the same services as the pages (checked and audited).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from ifm.accounts import services as account_services
from ifm.accounts.http import signed_in_user
from ifm.core.org_context import org_context
from ifm.orgs import services
from ifm.tenancy.admin import AllOrganizationsAdmin
from ifm.tenancy.models import Membership, Organization, PlatformAccessGrant


class TenantAdminForm(forms.ModelForm):
    """Uniqueness and constraint checks use the default (scoped) manager: run them in the
    organization of the row being edited."""

    def _post_clean(self) -> None:
        org = self.cleaned_data.get("organization") or getattr(
            self.instance, "organization_id", None
        )
        with org_context(org):
            super()._post_clean()  # type: ignore[misc]


class ReadOnlyAfterCreateMixin:
    """Rows that change only through their own actions: view after creating, never delete."""

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def get_readonly_fields(self, request: HttpRequest, obj: Model | None = None) -> Any:
        if obj is None:
            return super().get_readonly_fields(request, obj)  # type: ignore[misc]
        return [f.name for f in obj._meta.concrete_fields]


# --- Organizations -----------------------------------------------------------------------------


class OrganizationCreateForm(forms.ModelForm):
    class Meta:
        model = Organization
        fields = [
            "slug",
            "name",
            "legal_name",
            "ein",
            "currency",
            "fiscal_year_start_month",
            "time_zone",
        ]


@admin.register(Organization)
class OrganizationAdmin(ReadOnlyAfterCreateMixin, AllOrganizationsAdmin):
    """Created here (through the service); settings are the organization admins' own page."""

    list_display = ["name", "slug", "ein", "currency", "is_active", "created_at"]
    list_filter = ["is_active", "currency"]
    search_fields = ["name", "slug", "legal_name", "ein"]
    ordering = ["name"]

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        if obj is None:
            kwargs["form"] = OrganizationCreateForm
        return super().get_form(request, obj, change, **kwargs)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return OrganizationCreateForm.Meta.fields
        return super().get_fields(request, obj)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        data = form.cleaned_data
        created = services.organization_create(
            actor=signed_in_user(request),
            **{f: data[f] for f in OrganizationCreateForm.Meta.fields},
        )
        obj.pk = created.pk
        obj._state.adding = False


# --- Memberships -------------------------------------------------------------------------------


class MembershipAdminForm(TenantAdminForm):
    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Membership
        fields = ["organization", "user", "role", "is_active"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["expected_version"].initial = self.instance.version


@admin.register(Membership)
class MembershipAdmin(AllOrganizationsAdmin):
    form = MembershipAdminForm
    list_display = ["user", "organization", "role", "is_active", "created_at"]
    list_filter = ["role", "is_active", "organization"]
    list_select_related = ["user", "organization"]
    search_fields = ["user__email", "user__full_name", "organization__name", "organization__slug"]
    autocomplete_fields = ["user", "organization"]
    ordering = ["organization__name", "user__email"]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ["organization", "user", "role"]
        return [
            "organization",
            "user",
            "role",
            "is_active",
            "expected_version",
            "version",
            "updated_at",
            "updated_by",
            "created_at",
        ]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return []
        return ["organization", "user", "version", "updated_at", "updated_by", "created_at"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # deactivate instead: the audit log keeps pointing at the person

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        data = form.cleaned_data
        if not change:
            created = account_services.membership_set(
                organization=data["organization"],
                user=data["user"],
                role=data["role"],
                actor=signed_in_user(request),
            )
            obj.pk = created.pk
            obj._state.adding = False
            return
        current = Membership.all_orgs.select_related("organization").get(pk=obj.pk)
        services.membership_update(
            organization=current.organization,
            membership=current,
            actor=signed_in_user(request),
            expected_version=data.get("expected_version") or current.version,
            role=data["role"],
            is_active=data["is_active"],
        )


# --- Platform access grants --------------------------------------------------------------------


class PlatformAccessGrantCreateForm(TenantAdminForm):
    hours = forms.IntegerField(
        min_value=1,
        max_value=services.PLATFORM_GRANT_MAX_HOURS,
        initial=8,
        help_text="How long the access lasts.",
    )

    class Meta:
        model = PlatformAccessGrant
        fields = ["organization", "user", "role", "reason"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        user_field: Any = self.fields["user"]
        user_field.queryset = user_field.queryset.filter(is_platform_staff=True, is_active=True)


@admin.register(PlatformAccessGrant)
class PlatformAccessGrantAdmin(ReadOnlyAfterCreateMixin, AllOrganizationsAdmin):
    list_display = [
        "user",
        "organization",
        "role",
        "created_at",
        "expires_at",
        "revoked_at",
        "granted_by",
    ]
    list_filter = ["role", "organization"]
    list_select_related = ["user", "organization", "granted_by"]
    search_fields = ["user__email", "organization__name", "reason"]
    ordering = ["-created_at"]
    actions = ["revoke"]

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        if obj is None:
            kwargs["form"] = PlatformAccessGrantCreateForm
        return super().get_form(request, obj, change, **kwargs)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ["organization", "user", "role", "reason", "hours"]
        return super().get_fields(request, obj)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        data = form.cleaned_data
        grant = services.platform_access_grant(
            organization=data["organization"],
            user=data["user"],
            role=data["role"],
            reason=data["reason"],
            hours=data["hours"],
            actor=signed_in_user(request),
        )
        obj.pk = grant.pk
        obj._state.adding = False

    @admin.action(description="Revoke the selected grants now")
    def revoke(self, request: HttpRequest, queryset: QuerySet[PlatformAccessGrant]) -> None:
        revoked = 0
        for grant in queryset.filter(revoked_at__isnull=True).select_related("organization"):
            services.platform_access_revoke(grant=grant, actor=signed_in_user(request))
            revoked += 1
        self.message_user(request, f"Revoked {revoked} grant{'s' if revoked != 1 else ''}.")
