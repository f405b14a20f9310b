"""Kept for migrations: ifm/donors/migrations name `ifm.donors.storage.private_storage`.

The private-file storage itself is `ifm.core.storage`; this module re-exports the same function,
so the old migrations load and the autodetector sees no change. New code imports ifm.core.storage.
"""

from __future__ import annotations

from ifm.core.storage import PrivateStorage, private_storage

__all__ = ["PrivateStorage", "private_storage"]
