"""What the database and the host say about load: connections in use, the longest running
query, sessions waiting on a lock, CPU load. Read by /metrics and by the alerts.

PostgreSQL answers from pg_stat_activity and pg_locks (only this database's sessions,
excluding our own); SQLite has no such views, so those values are None there and the
metrics leave them out. CPU load comes from /proc/loadavg where the host has it (Linux),
divided by the number of cores: 1.0 means every core busy.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from django.db import connection


@dataclass(frozen=True)
class DatabaseLoad:
    connections: int | None
    active_queries: int | None
    longest_query_seconds: float | None
    lock_waits: int | None
    cpu_load_per_core: float | None


_ACTIVITY_SQL = """
SELECT count(*),
       count(*) FILTER (WHERE state = 'active'),
       coalesce(max(extract(epoch FROM now() - query_start))
                FILTER (WHERE state = 'active'), 0)
FROM pg_stat_activity
WHERE datname = current_database() AND pid <> pg_backend_pid()
"""
_LOCK_WAITS_SQL = """
SELECT count(DISTINCT l.pid) FROM pg_locks l
JOIN pg_stat_activity a ON a.pid = l.pid
WHERE NOT l.granted AND a.datname = current_database()
"""


def cpu_load_per_core(loadavg: Path = Path("/proc/loadavg")) -> float | None:
    """The one-minute load average per core, or None where the host does not say."""
    try:
        one_minute = float(loadavg.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None
    return one_minute / (os.cpu_count() or 1)


def database_load() -> DatabaseLoad:
    cpu = cpu_load_per_core()
    if connection.vendor != "postgresql":
        return DatabaseLoad(None, None, None, None, cpu)
    with connection.cursor() as cursor:
        cursor.execute(_ACTIVITY_SQL)
        total, active, longest = cursor.fetchone()
        cursor.execute(_LOCK_WAITS_SQL)
        (waits,) = cursor.fetchone()
    # Our own session counts as a connection in use (it is one), not as a query to watch.
    return DatabaseLoad(int(total) + 1, int(active), float(longest), int(waits), cpu)
