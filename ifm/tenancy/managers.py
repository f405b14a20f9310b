from __future__ import annotations

from typing import Any, TypeVar

from django.db import models

from ifm.tenancy.context import require_org_id

M = TypeVar("M", bound=models.Model)


class TenantQuerySet(models.QuerySet[M]):
    pass


class TenantManager(models.Manager[M]):
    """Default manager of tenant-owned models: scoped to the current organization, fails closed."""

    def get_queryset(self) -> models.QuerySet[M]:
        return super().get_queryset().filter(organization_id=require_org_id())

    def create(self, **kwargs: Any) -> M:
        org_id = require_org_id()
        given = kwargs.get("organization_id") or getattr(kwargs.get("organization"), "pk", None)
        if given is not None and given != org_id:
            raise ValueError(
                "Refusing to create a row for another organization than the current one."
            )
        if given is None:
            kwargs["organization_id"] = org_id
        return super().create(**kwargs)
