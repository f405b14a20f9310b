"""Monthly balances per account, fund, program and function, kept by triggers on the journal
line table (both engines) and filled from the lines already posted."""

import django.db.models.deletion
import django.db.models.functions.comparison
import django.db.models.manager
from django.db import migrations, models

from ifm.ledger.balances.stored import install_triggers, rebuild_months


def _install(apps, schema_editor):  # noqa: ANN001, ANN202
    install_triggers(schema_editor.connection)
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT id FROM tenancy_organization ORDER BY id")
        organizations = [row[0] for row in cursor.fetchall()]
    for organization_id in organizations:
        rebuild_months(organization_id, schema_editor.connection)


def _uninstall(apps, schema_editor):  # noqa: ANN001, ANN202
    install_triggers(schema_editor.connection, reverse=True)


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0004_account_is_cash_deposit_source"),
        ("tenancy", "0002_app_role"),
    ]

    operations = [
        migrations.CreateModel(
            name="MonthlyBalance",
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
                ("month", models.DateField()),
                ("closing", models.BooleanField(default=False)),
                ("debit", models.DecimalField(decimal_places=2, default=0, max_digits=18)),
                ("credit", models.DecimalField(decimal_places=2, default=0, max_digits=18)),
                (
                    "account",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="ledger.account",
                    ),
                ),
                (
                    "fund",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="ledger.fund",
                    ),
                ),
                (
                    "organization",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="tenancy.organization",
                    ),
                ),
                (
                    "program",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="ledger.program",
                    ),
                ),
            ],
            options={
                "ordering": ["month", "account_id", "fund_id"],
                "base_manager_name": "all_orgs",
                "indexes": [
                    models.Index(
                        fields=["organization", "month"], name="ledger_mont_organiz_cc0563_idx"
                    )
                ],
                "constraints": [
                    models.UniqueConstraint(
                        models.F("organization"),
                        models.F("account"),
                        models.F("fund"),
                        django.db.models.functions.comparison.Coalesce("program", models.Value(0)),
                        models.F("function"),
                        models.F("month"),
                        models.F("closing"),
                        name="ledger_monthlybalance_key",
                    )
                ],
            },
            managers=[
                ("objects", django.db.models.manager.Manager()),
                ("all_orgs", django.db.models.manager.Manager()),
            ],
        ),
        migrations.RunPython(_install, _uninstall),
    ]
