"""A covering index of active gifts by amount (with the date), for the median gift of a period:
its middle gifts are read by walking the index to the middle instead of sorting every gift.
Built CONCURRENTLY on PostgreSQL, so gifts can be written while it is built."""

from typing import Any

from django.contrib.postgres import operations as postgres
from django.db import migrations, models


class AddIndexConcurrently(postgres.AddIndexConcurrently):
    """CREATE INDEX CONCURRENTLY on PostgreSQL; a plain index on SQLite, which has no such
    thing (and no concurrent writers to wait)."""

    def database_forwards(self, app_label: str, schema_editor: Any, *states: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, *states)
        else:
            migrations.AddIndex.database_forwards(self, app_label, schema_editor, *states)

    def database_backwards(self, app_label: str, schema_editor: Any, *states: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, *states)
        else:
            migrations.AddIndex.database_backwards(self, app_label, schema_editor, *states)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("donors", "0018_giving_rollup"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="donation",
            index=models.Index(
                condition=models.Q(("status", "active")),
                fields=["organization", "amount"],
                include=("date",),
                name="donors_donation_giving_amount",
            ),
        ),
    ]
