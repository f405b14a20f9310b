"""The statement import's and the reconciliation's tables, both after 0001."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("banking", "0002_reconcile_locks"),
        ("banking", "0002_statement_import"),
    ]

    operations: list[migrations.operations.base.Operation] = []
