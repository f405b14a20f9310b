"""Quarter and year balances per account, fund, program and function, kept by triggers on the
journal line table (both engines) and filled from the lines already posted. The indexes on the
monthly balances and on the lines by date cover what a read needs (PostgreSQL); each is built
before the one it replaces goes. The balances' keys have no index of their own: the unique key
and the covering index serve every read, and fewer indexes are written as each entry updates
its rows."""

import django.db.models.deletion
import django.db.models.functions.comparison
import django.db.models.manager
from django.db import migrations, models

from ifm.ledger.balances.stored import install_period_triggers, install_triggers, rebuild_periods


def _monthly_triggers_off(apps, schema_editor):  # noqa: ANN001, ANN202
    # SQLite rebuilds a table to change its columns, and refuses while a trigger on another
    # table names it: the monthly balances' triggers go for the while and come back below.
    if schema_editor.connection.vendor == "sqlite":
        install_triggers(schema_editor.connection, reverse=True)


def _monthly_triggers_on(apps, schema_editor):  # noqa: ANN001, ANN202
    if schema_editor.connection.vendor == "sqlite":
        install_triggers(schema_editor.connection)


def _install(apps, schema_editor):  # noqa: ANN001, ANN202
    install_period_triggers(schema_editor.connection)
    if schema_editor.connection.vendor == "postgresql":
        # Lines are only ever inserted: vacuum them every 1% or so (not the default 20%), so
        # the pages of recent lines are marked all-visible and read from the covering index.
        schema_editor.execute(
            "ALTER TABLE ledger_journalline SET (autovacuum_vacuum_insert_scale_factor = 0.01)"
        )
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT id FROM tenancy_organization ORDER BY id")
        organizations = [row[0] for row in cursor.fetchall()]
    for organization_id in organizations:
        rebuild_periods(organization_id, schema_editor.connection)


def _uninstall(apps, schema_editor):  # noqa: ANN001, ANN202
    install_period_triggers(schema_editor.connection, reverse=True)


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0006_line_account_covering"),
        ("tenancy", "0002_app_role"),
    ]

    operations = [
        migrations.RunPython(_monthly_triggers_off, _monthly_triggers_on),
        migrations.CreateModel(
            name="PeriodBalance",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "function",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("program", "Program services"),
                            ("management", "Management and general"),
                            ("fundraising", "Fundraising"),
                        ],
                        max_length=20,
                    ),
                ),
                (
                    "span",
                    models.CharField(
                        choices=[("quarter", "Quarter"), ("year", "Year")], max_length=10
                    ),
                ),
                ("start", models.DateField()),
                ("closing", models.BooleanField(default=False)),
                ("debit", models.DecimalField(decimal_places=2, default=0, max_digits=18)),
                ("credit", models.DecimalField(decimal_places=2, default=0, max_digits=18)),
            ],
            options={
                "ordering": ["span", "start", "account_id", "fund_id"],
                "base_manager_name": "all_orgs",
            },
            managers=[
                ("objects", django.db.models.manager.Manager()),
                ("all_orgs", django.db.models.manager.Manager()),
            ],
        ),
        migrations.AlterField(
            model_name="monthlybalance",
            name="account",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="ledger.account",
            ),
        ),
        migrations.AlterField(
            model_name="monthlybalance",
            name="fund",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="ledger.fund",
            ),
        ),
        migrations.AlterField(
            model_name="monthlybalance",
            name="organization",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="tenancy.organization",
            ),
        ),
        migrations.AlterField(
            model_name="monthlybalance",
            name="program",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="ledger.program",
            ),
        ),
        migrations.AddIndex(
            model_name="journalline",
            index=models.Index(
                fields=["organization", "date"],
                include=("account", "fund", "program", "function", "debit", "credit", "entry"),
                name="ledger_line_date",
            ),
        ),
        migrations.AddIndex(
            model_name="monthlybalance",
            index=models.Index(
                fields=["organization", "month", "account"],
                include=("closing", "fund", "program", "function", "debit", "credit"),
                name="ledger_monthlybalance_months",
            ),
        ),
        migrations.AddField(
            model_name="periodbalance",
            name="account",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="ledger.account",
            ),
        ),
        migrations.AddField(
            model_name="periodbalance",
            name="fund",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="ledger.fund",
            ),
        ),
        migrations.AddField(
            model_name="periodbalance",
            name="organization",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="tenancy.organization",
            ),
        ),
        migrations.AddField(
            model_name="periodbalance",
            name="program",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="ledger.program",
            ),
        ),
        migrations.AddIndex(
            model_name="periodbalance",
            index=models.Index(
                fields=["organization", "span", "start", "account"],
                include=("closing", "fund", "program", "function", "debit", "credit"),
                name="ledger_periodbalance_spans",
            ),
        ),
        migrations.AddConstraint(
            model_name="periodbalance",
            constraint=models.UniqueConstraint(
                models.F("organization"),
                models.F("account"),
                models.F("fund"),
                django.db.models.functions.comparison.Coalesce("program", models.Value(0)),
                models.F("function"),
                models.F("span"),
                models.F("start"),
                models.F("closing"),
                name="ledger_periodbalance_key",
            ),
        ),
        migrations.AddConstraint(
            model_name="periodbalance",
            constraint=models.CheckConstraint(
                condition=models.Q(("span__in", ["quarter", "year"])),
                name="ledger_periodbalance_span",
            ),
        ),
        migrations.RemoveIndex(
            model_name="journalline",
            name="ledger_jour_organiz_b985fd_idx",
        ),
        migrations.RemoveIndex(
            model_name="monthlybalance",
            name="ledger_mont_organiz_cc0563_idx",
        ),
        migrations.RunPython(_monthly_triggers_on, _monthly_triggers_off),
        migrations.RunPython(_install, _uninstall),
    ]
