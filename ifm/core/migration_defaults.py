"""Rows a migration writes as defaults (the rollout plan's phases, the default message templates)
and Django's `flush`: it empties every table, those rows included, and then sends `post_migrate`
without `apps` (a migration sends it with them, having made the defaults itself). An app whose
migration writes defaults hands its `ensure_...` function here, so a flushed database holds what
a migrated one does, and a deploy's `migrate` leaves staff's changes to them as they are."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def remake_after_flush(app_config: AppConfig, ensure: Callable[[], object]) -> None:
    """Call `ensure()` after each flush of the database (not after a migration)."""

    def after_migrate(sender: Any, apps: Any = None, **kwargs: Any) -> None:
        if apps is None:
            ensure()

    post_migrate.connect(
        after_migrate,
        sender=app_config,
        weak=False,
        dispatch_uid=f"ifm.core.migration_defaults.{app_config.label}.{ensure.__name__}",
    )
