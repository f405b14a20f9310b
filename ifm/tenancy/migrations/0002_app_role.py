"""The database role the application runs as on PostgreSQL; nothing on SQLite.

The row-level security policies themselves are (re)applied after every migrate by
ifm.tenancy.db, so tables added by later migrations are covered without new code.
"""

from django.db import migrations

from ifm.tenancy.db import role_params, sql_file_operation


class Migration(migrations.Migration):
    dependencies = [("tenancy", "0001_initial")]

    operations = [
        sql_file_operation("app_role.sql", role_params),
        sql_file_operation("app_role_grants.sql", role_params),
    ]
