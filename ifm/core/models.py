from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from ifm.core.errors import ConflictError, ServiceError
from ifm.tenancy.managers import TenantManager

# The version column is a 32-bit integer on PostgreSQL; a save writes expected + 1.
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

        A version no record can have (beyond the column) is a 422 on `version`, never a
        database overflow."""
        if expected_version > MAX_VERSION:
            raise ServiceError(
                f"version {expected_version} is not a version this record has had: send the "
                "version you read.",
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


class IdempotencyRecord(models.Model):
    """A creating API request made with an Idempotency-Key, and the response it got.

    A retry with the same key and body gets the stored response; kept 24 hours
    (`ifm purge_idempotency_keys` deletes older ones).

    Tenant-owned exactly like a TenantModel (organization FK, scoped fail-closed default
    manager, `all_orgs`, row-level security), spelled out rather than inherited because
    tenancy.models imports this module (VersionedModel) and Django may load either first.
    """

    organization = models.ForeignKey(
        "tenancy.Organization", on_delete=models.PROTECT, related_name="+"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    request_hash = models.CharField(max_length=64)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.TextField(blank=True)
    response_headers = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = TenantManager()
    all_orgs = models.Manager()  # noqa: DJ012  (objects must stay the default manager)

    class Meta:
        base_manager_name = "all_orgs"
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "user", "key"], name="idempotency_org_user_key_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.method} {self.path} key={self.key}"
