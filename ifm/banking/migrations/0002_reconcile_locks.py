"""Reconciliation figures kept when finished, and the locks of reconciled data (PostgreSQL
triggers from ifm/banking/sql/reconcile_locks.sql; the check constraint holds on both)."""

from pathlib import Path
from typing import Any

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from ifm.tenancy.db import sql_file_operation

SQL = Path(__file__).resolve().parent.parent / "sql" / "reconcile_locks.sql"


def _schema(connection: Any) -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_schema()")
        (schema,) = cursor.fetchone()
    return {"schema": connection.ops.quote_name(schema)}


class Migration(migrations.Migration):
    dependencies = [
        ("banking", "0001_initial"),
        ("tenancy", "0002_app_role"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="reconciliation",
            name="books_from",
            field=models.DateField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="reconciliation",
            name="deposits_in_transit",
            field=models.DecimalField(blank=True, decimal_places=2, max_digits=14, null=True),
        ),
        migrations.AddField(
            model_name="reconciliation",
            name="ledger_watermark",
            field=models.PositiveBigIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="reconciliation",
            name="outstanding_line_ids",
            field=models.JSONField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="reconciliation",
            name="outstanding_payments",
            field=models.DecimalField(blank=True, decimal_places=2, max_digits=14, null=True),
        ),
        migrations.AddField(
            model_name="reconciliation",
            name="reopen_reason",
            field=models.CharField(blank=True, max_length=500),
        ),
        migrations.AddField(
            model_name="reconciliation",
            name="reopened_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="reconciliation",
            name="reopened_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="reconciliation",
            name="uncleared_bank_line_ids",
            field=models.JSONField(blank=True, null=True),
        ),
        migrations.AddConstraint(
            model_name="banktransaction",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(
                        ("status", "reconciled"),
                        ("reconciliation__isnull", False),
                        ("match__isnull", False),
                    ),
                    models.Q(
                        models.Q(("status", "reconciled"), _negated=True),
                        ("reconciliation__isnull", True),
                    ),
                    _connector="OR",
                ),
                name="banking_line_reconciled_has_reconciliation",
            ),
        ),
        sql_file_operation(SQL, _schema),
    ]
