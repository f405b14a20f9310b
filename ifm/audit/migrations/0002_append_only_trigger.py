"""On PostgreSQL, a trigger refuses UPDATE, DELETE and (for the app role) TRUNCATE of audit events."""

from pathlib import Path

from django.db import migrations

from ifm.tenancy.db import sql_file_operation

SQL = Path(__file__).resolve().parent.parent / "sql" / "append_only.sql"


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [sql_file_operation(SQL)]
