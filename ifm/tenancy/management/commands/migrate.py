"""`migrate`, run as the connecting role that owns the tables, not as the app role.

Schema changes need the owner; the app role (see ifm.tenancy.db) may only read and write rows.
Django's test database creation calls this command too.
"""

from __future__ import annotations

from typing import Any

from django.core.management.commands.migrate import Command as MigrateCommand

from ifm.tenancy.db import owner_role


class Command(MigrateCommand):
    def handle(self, *args: Any, **options: Any) -> Any:
        with owner_role(options["database"]):
            return super().handle(*args, **options)
