"""On PostgreSQL: the balance check names its objects by schema instead of setting search_path."""

from pathlib import Path
from typing import Any

from django.db import migrations

from ifm.tenancy.db import sql_file_operation

SQL = Path(__file__).resolve().parent.parent / "sql" / "ledger_balance_check_qualified.sql"


def _schema(connection: Any) -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_schema()")
        (schema,) = cursor.fetchone()
    return {"schema": connection.ops.quote_name(schema)}


class Migration(migrations.Migration):
    dependencies = [("ledger", "0002_database_invariants")]

    operations = [sql_file_operation(SQL, _schema)]
