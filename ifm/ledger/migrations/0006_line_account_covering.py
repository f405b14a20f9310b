"""The index on (organization, account, date) covers debit and credit on PostgreSQL; the new
one is built before the old one goes, so reads never lose it."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0005_monthly_balances"),
        ("tenancy", "0002_app_role"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="journalline",
            index=models.Index(
                fields=["organization", "account", "date"],
                include=("debit", "credit"),
                name="ledger_line_account_date",
            ),
        ),
        migrations.RemoveIndex(
            model_name="journalline",
            name="ledger_jour_organiz_1e8566_idx",
        ),
    ]
