from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from ifm.core.errors import ConflictError, ServiceError
from ifm.core.org_context import TenantManager

# The version column is a 32-bit integer and a save writes version + 1 (ifm.core.api_types).
MAX_VERSION = 2**31 - 2


class VersionedModel(models.Model):
    """An editable record: a save carries the version it read and never overwrites a newer one."""

    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        abstract = True

    def save_versioned(self, *, expected_version: int, user: Any, fields: list[str]) -> None:
        """UPDATE ... WHERE version = expected: zero rows means someone saved first (409).

        A version outside the column's range (the next one must fit too) is a 422 naming
        `version`, never a database error.
        """
        if not 1 <= expected_version <= MAX_VERSION:
            raise ServiceError(
                f"The version must be from 1 to {MAX_VERSION}: send the version you read.",
                field="version",
            )
        now = timezone.now()
        values = {f: getattr(self, f) for f in fields}
        values.update(version=expected_version + 1, updated_at=now, updated_by=user)
        manager = type(self)._base_manager
        updated = manager.filter(pk=self.pk, version=expected_version).update(**values)
        if updated == 0:
            current = manager.filter(pk=self.pk).select_related("updated_by").first()
            raise ConflictError(
                changed_by=str(current.updated_by) if current and current.updated_by else None,
                changed_at=current.updated_at if current else None,
            )
        self.version = expected_version + 1
        self.updated_at = now
        self.updated_by = user


class TenantModel(models.Model):
    """Base of every tenant-owned table: non-null organization, scoped default manager.

    The organization is named by its label ("tenancy.Organization"), so this ground-floor module
    imports no app above it; `tenancy.checks` makes sure every subclass keeps the scoped manager.
    """

    organization = models.ForeignKey(
        "tenancy.Organization", on_delete=models.PROTECT, related_name="+"
    )

    objects = TenantManager()
    # Cross-organization access: rollout, ops, admin, migrations only. (ruff takes the manager
    # for a field; the default manager must stay the first one declared.)
    all_orgs = models.Manager()  # noqa: DJ012

    class Meta:
        abstract = True
        base_manager_name = "all_orgs"


class IdempotencyRecord(TenantModel):
    """A creating API request made with an Idempotency-Key, and the response it got.

    A retry with the same key and body gets the stored response; kept 24 hours
    (`ifm purge_idempotency_keys` deletes older ones).
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    request_hash = models.CharField(max_length=64)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.TextField(blank=True)
    response_headers = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        base_manager_name = "all_orgs"
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "user", "key"], name="idempotency_org_user_key_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.method} {self.path} key={self.key}"
