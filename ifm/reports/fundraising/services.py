"""The fundraising reports' one write: the organization's own gift ranges, which the gift range
report uses when a request names none. Pages and API save them through `gift_ranges_save`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ifm.audit.services import audit_record
from ifm.core.errors import ConflictError, ServiceError
from ifm.reports.fundraising.models import GiftRangeSettings
from ifm.reports.fundraising.selectors import (
    DEFAULT_RANGES,
    gift_range_settings_get,
    parse_ranges,
    range_starts,
)
from ifm.tenancy.models import Organization
from ifm.tenancy.permissions import org_service

PERM = "ledger.manage"


@org_service(PERM)
def gift_ranges_save(
    *,
    organization: Organization,
    access: Any,
    actor: Any,
    ranges: str | Sequence[str],
    expected_version: int | None,
) -> GiftRangeSettings | None:
    """Save the organization's gift ranges: where each range starts ("100, 250, 1000" or
    ["100", "250", "1000"]; a range from 0.01 is added below the smallest). None named goes
    back to the built-in ranges (and returns None). Changing saved ranges needs the version
    that was read; a stale one is a 409."""
    try:
        lows = parse_ranges(ranges, default=()) if isinstance(ranges, str) else range_starts(ranges)
    except ValueError as error:
        raise ServiceError(str(error), field="ranges") from None
    saved = gift_range_settings_get()
    if saved is None and not lows:
        return None  # the built-in ranges already
    before = saved.starts if saved is not None else [str(low) for low in DEFAULT_RANGES]
    after = [str(low) for low in (lows or DEFAULT_RANGES)]
    if saved is None:
        saved = GiftRangeSettings.objects.create(
            organization=organization, starts=after, updated_by=actor
        )
    else:
        if expected_version is None:
            raise ConflictError(
                message="The gift ranges are saved already: send the version you read "
                f"({saved.version}) to change them."
            )
        saved.starts = after
        saved.save_versioned(expected_version=expected_version, user=actor, fields=["starts"])
    audit_record(
        action="gift_ranges.save",
        actor=actor,
        organization=organization,
        obj=saved,
        changes={"starts": {"before": before, "after": after}},
    )
    if not lows:
        # Back to the built-in ranges: the row goes, once it is known to be the one read.
        saved.delete()
        return None
    return saved
