"""Donor search through a per-organization search table and a SECURITY DEFINER function.

Replaces the trigram index on donors_donor and textlike's LEAKPROOF mark (migration 0001):
see ifm/donors/sql/donor_search_table.sql and docs/adr/0006-donor-search.md. Needs no
superuser; back-fills every existing donor.
"""

from pathlib import Path

from django.db import migrations

from ifm.tenancy.db import sql_file_operation

SEARCH_TABLE_SQL = Path(__file__).resolve().parent.parent / "sql" / "donor_search_table.sql"


class Migration(migrations.Migration):
    dependencies = [
        ("donors", "0010_pledge_cancel_reason_overpayment"),
    ]

    operations = [
        sql_file_operation(SEARCH_TABLE_SQL),
    ]
