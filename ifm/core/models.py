from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from ifm.core.errors import ConflictError


class VersionedModel(models.Model):
    """An editable record: saves carry the version they were read at and never overwrite a newer one."""

    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        abstract = True

    def save_versioned(self, *, expected_version: int, user: Any, fields: list[str]) -> None:
        """UPDATE ... WHERE version = expected: zero rows means someone saved first (409)."""
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
