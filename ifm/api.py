"""The /api/v1 Ninja API. Each app plugs in its router here."""

from __future__ import annotations

from ninja import NinjaAPI

api = NinjaAPI(
    title="IFM platform API",
    version="1.0.0",
    urls_namespace="api",
    description="Organization-scoped API. Authenticate with `Authorization: Bearer <token>`.",
)
