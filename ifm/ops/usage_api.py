"""GET /api/v1/platform/usage: the usage page's twin for IFM platform staff (any of their
tokens; the organization a token names plays no part), from the same selector."""

from __future__ import annotations

from datetime import date
from typing import Any

from ninja import Query, Router

from ifm.accounts.http import OrgRequest
from ifm.core.api import ApiError
from ifm.core.api_types import EARLIEST_DATE, LATEST_DATE
from ifm.ops.services import require_platform_staff
from ifm.ops.usage_metrics import usage_metrics, window
from ifm.tenancy.models import Organization

router = Router(tags=["platform"])

# Ninja reads an alias (`from` is a Python keyword) only from the default.
FROM = Query(None, alias="from", ge=EARLIEST_DATE, le=LATEST_DATE, description="First day.")
TO = Query(None, alias="to", ge=EARLIEST_DATE, le=LATEST_DATE, description="Last day.")
ORG = Query(None, max_length=100, description="An organization's slug.")


@router.get(
    "/platform/usage",
    summary="The rollout metrics from counted usage, per organization and overall (IFM "
    "platform staff)",
    description=(
        "Adoption (daily active users and users active in the window over active members), "
        "feature usage, task completion, error rate, API p95 and real users' page-load p75 "
        "(LCP) over `from`..`to` (both included; the last 30 days by default, at most 731). "
        "Each ratio has `value` (null: no data), `part` and `whole`. `org` limits it to one "
        "organization (its slug)."
    ),
)
def platform_usage(
    request: OrgRequest,
    date_from: date | None = FROM,
    date_to: date | None = TO,
    org: str | None = ORG,
) -> Any:
    require_platform_staff(request.user)
    try:
        start, end = window(date_from, date_to)
    except ValueError as exc:
        raise ApiError(422, str(exc), errors=[{"field": "from", "message": str(exc)}]) from None
    ids = None
    if org:
        found = Organization.objects.filter(slug=org).values_list("pk", flat=True).first()
        if found is None:
            raise ApiError(404, f"No organization {org!r}.")
        ids = [int(found)]
    return usage_metrics(organization_ids=ids, start=start, end=end)
