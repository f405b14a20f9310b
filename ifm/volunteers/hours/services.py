"""Hours: logged by a coordinator or by the volunteer, changed while they wait, approved or
rejected with a reason. Only approved hours count (reports, milestones, the dashboard).

Hours from a kiosk check-in and check-out are made by `signups.services.check_out`, also waiting
for approval; from then on they are reviewed here like any other entry.
"""

from __future__ import annotations

from datetime import date as date_type
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone

from ifm.audit.services import audit_record
from ifm.core.errors import ServiceError
from ifm.core.lookups import as_id
from ifm.tenancy.models import Organization
from ifm.tenancy.permissions import Access, org_service, require_perm
from ifm.volunteers.models import (
    HoursEntry,
    HoursSource,
    HoursStatus,
    Opportunity,
    Shift,
    Volunteer,
    VolunteerSettings,
)

MAX_HOURS = Decimal("24")
CENT = Decimal("0.01")
DESCRIPTION_MAX = 500
REASON_MAX = 500
MAX_HOURLY_VALUE = Decimal("999999.99")
# A log is about work done: a date in the future is a typo; one before this is one too.
EARLIEST = date_type(1901, 1, 1)


def clean_hours(value: Any) -> Decimal:
    """Hours as given (a Decimal, or text such as "2.5"): above 0, at most 24, two places."""
    try:
        hours = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ServiceError("Give the hours as a number, such as 2.5.", field="hours") from None
    if not hours.is_finite():
        raise ServiceError("Give the hours as a number, such as 2.5.", field="hours")
    if hours <= 0 or hours > MAX_HOURS:
        raise ServiceError("Hours must be above 0 and at most 24 for one day.", field="hours")
    if hours != hours.quantize(CENT):
        raise ServiceError("Give the hours with at most two decimals.", field="hours")
    return hours.quantize(CENT)


def org_today(organization: Organization) -> date_type:
    return timezone.now().astimezone(ZoneInfo(organization.time_zone)).date()


def _clean_date(organization: Organization, day: Any) -> date_type:
    if not isinstance(day, date_type):
        raise ServiceError("Give the date the hours were given.", field="date")
    if day > org_today(organization):
        raise ServiceError(
            "Hours are logged for a day that has come: not a future date.", field="date"
        )
    if day < EARLIEST:
        raise ServiceError("The date is too far in the past.", field="date")
    return day


def _clean_text(text: Any, limit: int, field: str, what: str) -> str:
    value = (text or "").strip()
    if len(value) > limit:
        raise ServiceError(f"{what} is at most {limit} characters.", field=field)
    return value


def _own(organization: Organization, row: Any, model: Any, field: str, what: str) -> Any:
    """The row of this organization `row` names (an object or an id): another organization's
    is the same as a missing one."""
    if row is None:
        return None
    pk = as_id(row)
    found = model.objects.filter(pk=pk, organization_id=organization.pk).first() if pk else None
    if found is None:
        raise ServiceError(f"No such {what}.", field=field)
    return found


def _opportunity_of(
    organization: Organization, opportunity: Any, shift: Any
) -> tuple[Opportunity | None, Shift | None]:
    opp = _own(organization, opportunity, Opportunity, "opportunity_id", "opportunity")
    on = _own(organization, shift, Shift, "shift_id", "shift")
    if on is not None:
        if opp is not None and on.opportunity_id != opp.pk:
            raise ServiceError("That shift belongs to another opportunity.", field="shift_id")
        opp = Opportunity.objects.get(pk=on.opportunity_id)
    return opp, on


@org_service(None)
def hours_log(
    *,
    organization: Organization,
    access: Access | None = None,
    actor: Any = None,
    volunteer: Volunteer | int,
    date: date_type,
    hours: Decimal | str,
    description: str = "",
    opportunity: Opportunity | int | None = None,
    shift: Shift | int | None = None,
    source: str = HoursSource.COORDINATOR,
) -> HoursEntry:
    """Log hours given on a day, waiting for approval.

    A coordinator (`source="coordinator"`, needs volunteers.manage) logs for any volunteer; a
    volunteer (`source="volunteer"`) logs their own through their signed link: the public page
    has proved who they are before it calls this, so no access is asked for then. A shift, when
    named, sets the opportunity."""
    if source == HoursSource.COORDINATOR:
        require_perm(access, "volunteers.manage")
    elif source != HoursSource.VOLUNTEER:
        raise ServiceError("Hours are logged by a coordinator or by the volunteer.", field="source")
    person = _own(organization, volunteer, Volunteer, "volunteer_id", "volunteer")
    if person is None:
        raise ServiceError("Choose the volunteer.", field="volunteer_id")
    opp, on = _opportunity_of(organization, opportunity, shift)
    entry = HoursEntry.objects.create(
        organization=organization,
        volunteer=person,
        opportunity=opp,
        date=_clean_date(organization, date),
        hours=clean_hours(hours),
        description=_clean_text(description, DESCRIPTION_MAX, "description", "The description"),
        source=source,
        status=HoursStatus.PENDING,
        logged_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit_record(
        action="volunteer_hours.log",
        actor=actor,
        organization=organization,
        obj=entry,
        actor_label="" if entry.logged_by_id else f"volunteer {person.reference}",
        changes={
            "hours": str(entry.hours),
            "date": entry.date.isoformat(),
            "source": source,
            "shift": on.pk if on else None,
        },
    )
    return entry


def _locked(organization: Organization, entry: HoursEntry | int) -> HoursEntry:
    pk = as_id(entry)
    found = (
        HoursEntry.objects.select_for_update(of=("self",))
        .filter(pk=pk, organization_id=organization.pk)
        .select_related("volunteer")
        .first()
        if pk
        else None
    )
    if found is None:
        raise ServiceError("No such hours entry.", field="hours_id")
    return found


def _must_be_pending(entry: HoursEntry, doing: str) -> None:
    if entry.status != HoursStatus.PENDING:
        raise ServiceError(
            f"{entry.hours} h of {entry.volunteer.name} on {entry.date} "
            f"{'were' if entry.status == HoursStatus.APPROVED else 'was'} already "
            f"{entry.get_status_display().lower()}: only hours waiting for approval can be "
            f"{doing}."
        )


@org_service("volunteers.manage")
def hours_update(
    *,
    organization: Organization,
    access: Access | None,
    actor: Any = None,
    entry: HoursEntry | int,
    expected_version: int,
    date: date_type | None = None,
    hours: Decimal | str | None = None,
    description: str | None = None,
    opportunity: Opportunity | int | None = None,
    clear_opportunity: bool = False,
) -> HoursEntry:
    """Correct hours that wait for approval (a stale version is a 409)."""
    row = _locked(organization, entry)
    _must_be_pending(row, "changed")
    before = {
        "date": row.date.isoformat(),
        "hours": str(row.hours),
        "description": row.description,
        "opportunity": row.opportunity_id,
    }
    fields: list[str] = []
    if date is not None:
        row.date = _clean_date(organization, date)
        fields.append("date")
    if hours is not None:
        row.hours = clean_hours(hours)
        fields.append("hours")
    if description is not None:
        row.description = _clean_text(
            description, DESCRIPTION_MAX, "description", "The description"
        )
        fields.append("description")
    if opportunity is not None or clear_opportunity:
        opp, _ = _opportunity_of(organization, opportunity, None)
        row.opportunity = opp
        fields.append("opportunity")
    row.save_versioned(expected_version=expected_version, user=actor, fields=fields)
    after = {
        "date": row.date.isoformat(),
        "hours": str(row.hours),
        "description": row.description,
        "opportunity": row.opportunity_id,
    }
    audit_record(
        action="volunteer_hours.update",
        actor=actor,
        organization=organization,
        obj=row,
        changes={
            k: {"before": before[k], "after": after[k]} for k in before if before[k] != after[k]
        },
    )
    return row


def _decide(
    organization: Organization, actor: Any, row: HoursEntry, status: str, reason: str = ""
) -> HoursEntry:
    row.status = status
    row.rejection_reason = reason
    row.reviewed_by = actor if getattr(actor, "is_authenticated", False) else None
    row.reviewed_at = timezone.now()
    row.save_versioned(
        expected_version=row.version,
        user=row.reviewed_by,
        fields=["status", "rejection_reason", "reviewed_by", "reviewed_at"],
    )
    changes: dict[str, Any] = {"status": {"before": "pending", "after": status}}
    if reason:
        changes["reason"] = reason
    audit_record(
        action=f"volunteer_hours.{'approve' if status == HoursStatus.APPROVED else 'reject'}",
        actor=actor,
        organization=organization,
        obj=row,
        changes=changes,
    )
    return row


@org_service("volunteers.approve_hours")
def hours_approve(
    *, organization: Organization, access: Access | None, actor: Any = None, entry: HoursEntry | int
) -> HoursEntry:
    """Approve hours waiting for approval: from now on they count."""
    row = _locked(organization, entry)
    _must_be_pending(row, "approved")
    return _decide(organization, actor, row, HoursStatus.APPROVED)


@org_service("volunteers.approve_hours")
def hours_approve_many(
    *,
    organization: Organization,
    access: Access | None,
    actor: Any = None,
    entry_ids: list[int],
) -> list[HoursEntry]:
    """Approve several entries, all or nothing: one that cannot be approved refuses the batch
    with a message naming it."""
    ids = list(dict.fromkeys(i for i in entry_ids if as_id(i)))
    if not ids:
        raise ServiceError("Tick the hours to approve.", field="entry_ids")
    rows = []
    errors = []
    for index, pk in enumerate(ids):
        try:
            row = _locked(organization, pk)
            _must_be_pending(row, "approved")
        except ServiceError as exc:
            errors.append({"field": f"entry_ids.{index}", "message": exc.message})
            continue
        rows.append(row)
    if errors:
        raise ServiceError(
            "Nothing was approved: " + " ".join(e["message"] for e in errors), errors=errors
        )
    return [_decide(organization, actor, row, HoursStatus.APPROVED) for row in rows]


@org_service("volunteers.approve_hours")
def hours_reject(
    *,
    organization: Organization,
    access: Access | None,
    actor: Any = None,
    entry: HoursEntry | int,
    reason: str,
) -> HoursEntry:
    """Reject hours waiting for approval, saying why: they never count."""
    text = _clean_text(reason, REASON_MAX, "reason", "The reason")
    if not text:
        raise ServiceError("Say why the hours are rejected.", field="reason")
    row = _locked(organization, entry)
    _must_be_pending(row, "rejected")
    return _decide(organization, actor, row, HoursStatus.REJECTED, text)


# --- Settings: the value of an hour ---------------------------------------------------------------


def settings_for(organization: Organization) -> VolunteerSettings:
    """The organization's volunteer settings (made with the defaults on first use)."""
    row = VolunteerSettings.objects.filter(organization_id=organization.pk).first()
    if row is None:
        row, _ = VolunteerSettings.objects.get_or_create(organization=organization)
    return row


@org_service("volunteers.manage")
def hourly_value_set(
    *,
    organization: Organization,
    access: Access | None,
    actor: Any = None,
    hourly_value: Decimal | str,
    expected_version: int,
) -> VolunteerSettings:
    """Set the value of an hour of volunteer time (reports only; nothing is posted)."""
    try:
        value = Decimal(str(hourly_value).strip())
    except (InvalidOperation, ValueError):
        raise ServiceError(
            "Give the value as an amount, such as 34.79.", field="hourly_value"
        ) from None
    if not value.is_finite() or value < 0 or value > MAX_HOURLY_VALUE:
        raise ServiceError("Give an amount from 0 to 999999.99.", field="hourly_value")
    if value != value.quantize(CENT):
        raise ServiceError("Give the value with at most two decimals.", field="hourly_value")
    row = settings_for(organization)
    before = str(row.hourly_value)
    row.hourly_value = value.quantize(CENT)
    row.save_versioned(expected_version=expected_version, user=actor, fields=["hourly_value"])
    audit_record(
        action="volunteer_settings.hourly_value",
        actor=actor,
        organization=organization,
        obj=row,
        changes={"hourly_value": {"before": before, "after": str(row.hourly_value)}},
    )
    return row
