"""System checks that keep tenancy's rules from drifting as models are added.

ifm.E001: every concrete model built on TenantModel (ifm.core.models), in any app, has a
TenantManager as its default manager.
The default manager is what `Model.objects`, related lookups, forms' querysets, the admin and
`get_object_or_404` use; a plain `models.Manager()` declared first on a subclass would quietly
make them see every organization's rows (on SQLite, where no row-level security backs it up).
"""

from __future__ import annotations

from typing import Any

from django.apps import apps as django_apps
from django.apps.registry import Apps
from django.core import checks

from ifm.core.models import TenantModel
from ifm.core.org_context import TenantManager


def tenant_models_keep_tenant_manager(
    app_configs: Any = None, *, apps: Apps | None = None, **kwargs: Any
) -> list[checks.CheckMessage]:
    """ifm.E001 for each concrete TenantModel subclass whose default manager is not a TenantManager.

    `apps` is the registry to look in (the project's by default; tests pass an isolated one).
    """
    registry = apps or django_apps
    if app_configs is None:
        models = registry.get_models()
    else:
        models = [m for config in app_configs for m in config.get_models()]
    errors: list[checks.CheckMessage] = []
    for model in models:
        if not issubclass(model, TenantModel) or model._meta.abstract or model._meta.proxy:
            continue
        manager = model._default_manager
        if not isinstance(manager, TenantManager):
            errors.append(
                checks.Error(
                    f"{model._meta.label}'s default manager {manager.name!r} is a "
                    f"{type(manager).__name__}, not a TenantManager: it would not be scoped "
                    "to the current organization.",
                    hint=(
                        "Declare a TenantManager (or subclass) as the first manager, or leave "
                        "`objects` as TenantModel declares it; keep unscoped managers after it."
                    ),
                    obj=model,
                    id="ifm.E001",
                )
            )
    return errors
