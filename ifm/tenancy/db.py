"""PostgreSQL side of tenancy: the app's own role and the per-organization setting.

Filled in by the row-level security work; on SQLite nothing here runs.
"""
