"""The background jobs' tile of the admin section (registered in OpsConfig.ready(), see
ifm/orgs/dashboard.py): jobs of the organization that failed for good."""

from __future__ import annotations

from collections.abc import Iterator

from ifm.ops import selectors
from ifm.orgs.dashboard import DashboardContext, Tile


def admin_tiles(ctx: DashboardContext) -> Iterator[Tile]:
    failed = selectors.job_list(status="failed", organization_id=ctx.organization.pk).count()
    yield Tile(
        key="ops.failed_jobs",
        title="Failed jobs",
        value=failed,
        detail="Out of retries: retry or look into them",
        attention=failed > 0,
        url=ctx.url("ops:org_jobs", {"status": "failed"}),
    )
