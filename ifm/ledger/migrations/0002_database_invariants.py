"""On PostgreSQL: entries balance per fund at commit; posted lines and entries never change."""

from pathlib import Path

from django.db import migrations

from ifm.tenancy.db import sql_file_operation

SQL = Path(__file__).resolve().parent.parent / "sql" / "ledger_invariants.sql"


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial")]

    operations = [sql_file_operation(SQL)]
