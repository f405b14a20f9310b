"""`flush`, run as the table owner: the audit log refuses TRUNCATE from the app role.

Django's TransactionTestCase empties the test database with this command between tests.
"""

from __future__ import annotations

from typing import Any

from django.core.management.commands.flush import Command as FlushCommand

from ifm.tenancy.db import owner_role


class Command(FlushCommand):
    def handle(self, **options: Any) -> Any:
        with owner_role(options["database"]):
            return super().handle(**options)
