"""Writes of opportunities, shifts (one-off and weekly series) and their roles.

Times are entered in the organization's time zone: a naive datetime (or a date and a time of a
weekly pattern) is read there and stored in UTC. A shift's capacity never goes below the
sign-ups it has confirmed: the change locks the shift's row, as the sign-up service does, and
counts under the lock; a larger capacity fills places from the waitlist in the same
transaction. Signing up, cancelling and checking in are `ifm.volunteers.signups.services`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone

from ifm.audit.services import audit_record
from ifm.core.errors import ServiceError
from ifm.core.lookups import resolve
from ifm.ledger.chart.selectors import active_programs
from ifm.tenancy.models import Membership, Organization
from ifm.tenancy.permissions import Access, org_service
from ifm.volunteers.models import (
    Opportunity,
    OpportunityQualification,
    QualificationType,
    Shift,
    ShiftRole,
    ShiftSeries,
    SignUp,
    SignUpStatus,
)
from ifm.volunteers.signals import send_after_commit, signup_cancelled
from ifm.volunteers.signups.services import fill_from_waitlist

# A weekly pattern makes its shifts as rows: more than this is almost certainly a wrong date.
MAX_SERIES_SHIFTS = 500
MAX_CAPACITY = 10_000
MAX_SHIFT_LENGTH = timedelta(hours=24)
MAX_AGE = 120
# Shifts are dated within these years: beyond them a time zone's offset could leave the range
# Python and the database can hold.
FIRST_YEAR, LAST_YEAR = 2000, 2199


class _Unset:
    """An argument that was not given (None may be a value)."""


UNSET: Any = _Unset()


@dataclass(frozen=True)
class RoleSpec:
    """A role to make on a new shift (or on every shift of a series)."""

    name: str
    capacity: int


# --- Checks ------------------------------------------------------------------------------------


def _collect(what: str, checks: dict[str, Any]) -> dict[str, Any]:
    """Run each (field -> thunk) check and report every error at once, each naming its field."""
    cleaned: dict[str, Any] = {}
    errors: list[dict[str, str]] = []
    for name, check in checks.items():
        try:
            cleaned[name] = check()
        except ServiceError as exc:
            errors.extend(exc.errors or [{"field": name, "message": exc.message}])
    if errors:
        raise ServiceError(
            f"The {what} has errors: " + "; ".join(e["message"] for e in errors), errors=errors
        )
    return cleaned


def _text(
    value: Any, field: str, *, limit: int, required: str = "", keep_lines: bool = False
) -> str:
    raw = str(value or "")
    text = raw.strip() if keep_lines else " ".join(raw.split())
    if required and not text:
        raise ServiceError(required, field=field)
    if len(text) > limit:
        raise ServiceError(f"At most {limit} characters.", field=field)
    return text


def _capacity(value: Any, field: str = "capacity") -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_CAPACITY:
        raise ServiceError(f"Give the number of places, from 1 to {MAX_CAPACITY:,}.", field=field)
    return value


def _program(value: Any) -> Any:
    if value is None or value == "":
        return None
    return resolve(active_programs(), value, "program", "Choose an active program.")


def _coordinator(value: Any) -> Any:
    if value is None or value == "":
        return None
    user_id = value.pk if hasattr(value, "pk") else value
    member = (
        Membership.objects.filter(user_id=user_id, is_active=True).select_related("user").first()
        if isinstance(user_id, int) and not isinstance(user_id, bool)
        else None
    )
    if member is None:
        raise ServiceError(
            "Choose the coordinator among the organization's members.", field="coordinator"
        )
    return member.user


def _qualification_types(values: Any) -> list[QualificationType]:
    ids = []
    for value in values or []:
        pk = value.pk if hasattr(value, "pk") else value
        if isinstance(pk, bool) or not isinstance(pk, int):
            raise ServiceError(
                "Choose qualification types of this organization.", field="qualifications"
            )
        ids.append(pk)
    found = list(QualificationType.objects.filter(pk__in=ids))
    if len(found) != len(set(ids)):
        raise ServiceError(
            "Choose qualification types of this organization.", field="qualifications"
        )
    return found


def _minimum_age(value: Any) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_AGE:
        raise ServiceError(f"A minimum age is from 1 to {MAX_AGE}, or none.", field="minimum_age")
    return value


def _opportunity_checks(values: dict[str, Any]) -> dict[str, Any]:
    checks: dict[str, Any] = {
        "title": lambda: _text(
            values["title"], "title", limit=200, required="Give the opportunity a title."
        ),
        "description": lambda: _text(
            values["description"], "description", limit=10_000, keep_lines=True
        ),
        "program": lambda: _program(values["program"]),
        "location": lambda: _text(values["location"], "location", limit=200),
        "coordinator": lambda: _coordinator(values["coordinator"]),
        "qualifications": lambda: _qualification_types(values["qualifications"]),
        "minimum_age": lambda: _minimum_age(values["minimum_age"]),
        "is_public": lambda: bool(values["is_public"]),
    }
    return _collect("opportunity", {k: v for k, v in checks.items() if values[k] is not UNSET})


def _json(value: Any) -> Any:
    if value is None or isinstance(value, str | int | bool):
        return value
    if isinstance(value, list):
        return [_json(v) for v in value]
    if hasattr(value, "pk"):
        return value.pk
    return str(value)


def _set_qualifications(opportunity: Opportunity, kinds: list[QualificationType]) -> None:
    wanted = {k.pk for k in kinds}
    OpportunityQualification.objects.filter(opportunity=opportunity).exclude(
        qualification_type_id__in=wanted
    ).delete()
    have = set(
        OpportunityQualification.objects.filter(opportunity=opportunity).values_list(
            "qualification_type_id", flat=True
        )
    )
    OpportunityQualification.objects.bulk_create(
        OpportunityQualification(
            organization_id=opportunity.organization_id,
            opportunity=opportunity,
            qualification_type_id=pk,
        )
        for pk in sorted(wanted - have)
    )


# --- Opportunities -----------------------------------------------------------------------------


@org_service("volunteers.manage")
def opportunity_create(
    *,
    organization: Organization,
    access: Access | None,
    actor: Any = None,
    title: str,
    description: str = "",
    program: Any = None,
    location: str = "",
    coordinator: Any = None,
    qualifications: Sequence[Any] = (),
    minimum_age: int | None = None,
    is_public: bool = True,
) -> Opportunity:
    values = _opportunity_checks(
        {
            "title": title,
            "description": description,
            "program": program,
            "location": location,
            "coordinator": coordinator,
            "qualifications": qualifications,
            "minimum_age": minimum_age,
            "is_public": is_public,
        }
    )
    kinds = values.pop("qualifications")
    opportunity = Opportunity.objects.create(organization=organization, updated_by=actor, **values)
    _set_qualifications(opportunity, kinds)
    audit_record(
        action="volunteer_opportunity.create",
        actor=actor,
        organization=organization,
        obj=opportunity,
        changes={
            **{k: {"before": None, "after": _json(v)} for k, v in values.items()},
            "qualifications": {"before": [], "after": sorted(k.pk for k in kinds)},
        },
    )
    return opportunity


@org_service("volunteers.manage")
def opportunity_update(
    *,
    organization: Organization,
    access: Access | None,
    actor: Any = None,
    opportunity: Opportunity,
    version: int,
    title: Any = UNSET,
    description: Any = UNSET,
    program: Any = UNSET,
    location: Any = UNSET,
    coordinator: Any = UNSET,
    qualifications: Any = UNSET,
    minimum_age: Any = UNSET,
    is_public: Any = UNSET,
) -> Opportunity:
    values = _opportunity_checks(
        {
            "title": title,
            "description": description,
            "program": program,
            "location": location,
            "coordinator": coordinator,
            "qualifications": qualifications,
            "minimum_age": minimum_age,
            "is_public": is_public,
        }
    )
    changes: dict[str, Any] = {}
    kinds = values.pop("qualifications", None)
    if kinds is not None:
        before = sorted(
            OpportunityQualification.objects.filter(opportunity=opportunity).values_list(
                "qualification_type_id", flat=True
            )
        )
        after = sorted(k.pk for k in kinds)
        if before != after:
            changes["qualifications"] = {"before": before, "after": after}
    for name, value in values.items():
        old = getattr(opportunity, name)
        if _json(old) != _json(value):
            changes[name] = {"before": _json(old), "after": _json(value)}
        setattr(opportunity, name, value)
    opportunity.save_versioned(expected_version=version, user=actor, fields=list(values))
    if kinds is not None:
        _set_qualifications(opportunity, kinds)
    if changes:
        audit_record(
            action="volunteer_opportunity.update",
            actor=actor,
            organization=organization,
            obj=opportunity,
            changes=changes,
        )
    return opportunity


@org_service("volunteers.manage")
def opportunity_archive(
    *,
    organization: Organization,
    access: Access | None,
    actor: Any = None,
    opportunity: Opportunity,
    archived: bool = True,
) -> Opportunity:
    """Archived, an opportunity leaves the lists and the public page; its shifts and sign-ups
    stay as they are (cancel the shifts to tell the volunteers)."""
    if opportunity.is_archived == archived:
        return opportunity
    opportunity.is_archived = archived
    opportunity.save_versioned(
        expected_version=opportunity.version, user=actor, fields=["is_archived"]
    )
    audit_record(
        action="volunteer_opportunity.archive" if archived else "volunteer_opportunity.restore",
        actor=actor,
        organization=organization,
        obj=opportunity,
        changes={"is_archived": {"before": not archived, "after": archived}},
    )
    return opportunity


# --- Shifts ------------------------------------------------------------------------------------


def zone_of(organization: Organization) -> ZoneInfo:
    return ZoneInfo(organization.time_zone)


def as_utc(organization: Organization, moment: datetime) -> datetime:
    """A time the organization's people entered (naive: their clock) as an aware UTC time."""
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=zone_of(organization))
    return moment.astimezone(ZoneInfo("UTC"))


def _in_years(day: date, field: str) -> None:
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise ServiceError(f"Give a date from {FIRST_YEAR} to {LAST_YEAR}.", field=field)


def _times(organization: Organization, starts_at: Any, ends_at: Any) -> tuple[datetime, datetime]:
    if not isinstance(starts_at, datetime):
        raise ServiceError("Give the start of the shift.", field="starts_at")
    if not isinstance(ends_at, datetime):
        raise ServiceError("Give the end of the shift.", field="ends_at")
    _in_years(starts_at, "starts_at")
    _in_years(ends_at, "ends_at")
    start, end = as_utc(organization, starts_at), as_utc(organization, ends_at)
    if end <= start:
        raise ServiceError("The shift must end after it starts.", field="ends_at")
    if end - start > MAX_SHIFT_LENGTH:
        raise ServiceError("A shift lasts at most 24 hours.", field="ends_at")
    return start, end


def _roles(specs: Iterable[Any], capacity: int) -> list[RoleSpec]:
    roles: list[RoleSpec] = []
    seen: set[str] = set()
    for spec in specs or []:
        name = _text(getattr(spec, "name", ""), "roles", limit=100, required="Name each role.")
        places = _capacity(getattr(spec, "capacity", None), "roles")
        if places > capacity:
            raise ServiceError(
                f"The role {name} has more places ({places}) than the shift ({capacity}).",
                field="roles",
            )
        if name.lower() in seen:
            raise ServiceError(f"The role {name} is given twice.", field="roles")
        seen.add(name.lower())
        roles.append(RoleSpec(name, places))
    return roles


def _open_opportunity(opportunity: Opportunity) -> None:
    if opportunity.is_archived:
        raise ServiceError(
            "This opportunity is archived: bring it back before adding shifts.",
            field="opportunity",
        )


def _make_roles(organization: Organization, shifts: Sequence[Shift], roles: list[RoleSpec]) -> None:
    ShiftRole.objects.bulk_create(
        ShiftRole(organization=organization, shift=s, name=r.name, capacity=r.capacity)
        for s in shifts
        for r in roles
    )


@org_service("volunteers.manage")
def shift_create(
    *,
    organization: Organization,
    access: Access | None,
    actor: Any = None,
    opportunity: Opportunity,
    starts_at: datetime,
    ends_at: datetime,
    capacity: int,
    notes: str = "",
    roles: Sequence[Any] = (),
) -> Shift:
    """A one-off shift; naive times are the organization's clock."""
    _open_opportunity(opportunity)
    values = _collect(
        "shift",
        {
            "times": lambda: _times(organization, starts_at, ends_at),
            "capacity": lambda: _capacity(capacity),
            "notes": lambda: _text(notes, "notes", limit=500),
        },
    )
    role_specs = _roles(roles, values["capacity"])
    start, end = values["times"]
    shift = Shift.objects.create(
        organization=organization,
        opportunity=opportunity,
        starts_at=start,
        ends_at=end,
        capacity=values["capacity"],
        notes=values["notes"],
        updated_by=actor,
    )
    _make_roles(organization, [shift], role_specs)
    audit_record(
        action="volunteer_shift.create",
        actor=actor,
        organization=organization,
        obj=shift,
        changes={
            "starts_at": {"before": None, "after": start.isoformat()},
            "ends_at": {"before": None, "after": end.isoformat()},
            "capacity": {"before": None, "after": values["capacity"]},
            "roles": [r.name for r in role_specs],
        },
    )
    return shift


def _weekdays(values: Any) -> list[int]:
    days = sorted(set(values or []))
    if not days or any(
        isinstance(d, bool) or not isinstance(d, int) or not 1 <= d <= 7 for d in days
    ):
        raise ServiceError("Choose the days of the week (Monday 1 to Sunday 7).", field="weekdays")
    return days


def series_dates(weekdays: Sequence[int], first_date: date, until: date) -> list[date]:
    """Every date from `first_date` to `until` (both included) on one of the ISO weekdays."""
    wanted = set(weekdays)
    days = (until - first_date).days + 1
    return [
        first_date + timedelta(days=i)
        for i in range(max(days, 0))
        if (first_date + timedelta(days=i)).isoweekday() in wanted
    ]


@dataclass
class SeriesMade:
    series: ShiftSeries
    shifts: list[Shift]


@org_service("volunteers.manage")
def shift_series_create(
    *,
    organization: Organization,
    access: Access | None,
    actor: Any = None,
    opportunity: Opportunity,
    weekdays: Sequence[int],
    start_time: time,
    end_time: time,
    first_date: date,
    until: date,
    capacity: int,
    notes: str = "",
    roles: Sequence[Any] = (),
) -> SeriesMade:
    """A weekly pattern and its shifts, one row each, on the organization's clock (a shift at
    9:00 stays at 9:00 across a change of daylight saving time)."""
    _open_opportunity(opportunity)

    def check_dates() -> list[date]:
        if not isinstance(first_date, date) or not isinstance(until, date):
            raise ServiceError("Give the first date and the last.", field="until")
        _in_years(first_date, "first_date")
        _in_years(until, "until")
        if until < first_date:
            raise ServiceError("The last date must be on or after the first.", field="until")
        if (until - first_date).days > 7 * MAX_SERIES_SHIFTS:
            raise ServiceError(
                f"At most {MAX_SERIES_SHIFTS} shifts at once: choose a nearer last date.",
                field="until",
            )
        return []

    def check_times() -> tuple[time, time]:
        if not isinstance(start_time, time) or not isinstance(end_time, time):
            raise ServiceError("Give the start and end times.", field="end_time")
        if end_time <= start_time:
            raise ServiceError(
                "The shift must end after it starts (on the same day).", field="end_time"
            )
        return start_time, end_time

    values = _collect(
        "weekly pattern",
        {
            "weekdays": lambda: _weekdays(weekdays),
            "dates": check_dates,
            "times": check_times,
            "capacity": lambda: _capacity(capacity),
            "notes": lambda: _text(notes, "notes", limit=500),
        },
    )
    role_specs = _roles(roles, values["capacity"])
    dates = series_dates(values["weekdays"], first_date, until)
    if not dates:
        raise ServiceError(
            "No day between the first date and the last falls on the days chosen.",
            field="weekdays",
        )
    if len(dates) > MAX_SERIES_SHIFTS:
        raise ServiceError(
            f"This pattern makes {len(dates)} shifts; at most {MAX_SERIES_SHIFTS} at once: "
            "choose a nearer last date or fewer days.",
            field="until",
        )
    zone = zone_of(organization)
    series = ShiftSeries.objects.create(
        organization=organization,
        opportunity=opportunity,
        weekdays=",".join(str(d) for d in values["weekdays"]),
        start_time=start_time,
        end_time=end_time,
        first_date=first_date,
        until=until,
        capacity=values["capacity"],
    )
    shifts = Shift.objects.bulk_create(
        Shift(
            organization=organization,
            opportunity=opportunity,
            series=series,
            starts_at=datetime.combine(day, start_time, zone).astimezone(ZoneInfo("UTC")),
            ends_at=datetime.combine(day, end_time, zone).astimezone(ZoneInfo("UTC")),
            capacity=values["capacity"],
            notes=values["notes"],
            updated_by=actor,
        )
        for day in dates
    )
    if role_specs:
        # bulk_create sets primary keys on PostgreSQL and SQLite alike (RETURNING).
        _make_roles(organization, shifts, role_specs)
    audit_record(
        action="volunteer_shift_series.create",
        actor=actor,
        organization=organization,
        obj=series,
        changes={
            "weekdays": series.weekdays,
            "first_date": first_date.isoformat(),
            "until": until.isoformat(),
            "start_time": start_time.isoformat(),
            "end_time": end_time.isoformat(),
            "capacity": values["capacity"],
            "shifts": len(shifts),
            "roles": [r.name for r in role_specs],
        },
    )
    return SeriesMade(series, shifts)


def _lock(shift: Shift) -> Shift:
    """The shift's row, locked until the transaction ends: sign-ups of it queue behind."""
    return (
        Shift.objects.select_for_update(of=("self",))
        .select_related("opportunity", "organization")
        .get(pk=shift.pk)
    )


def _confirmed(shift: Shift) -> int:
    return SignUp.objects.filter(shift_id=shift.pk, status=SignUpStatus.CONFIRMED).count()


def _update_checks(
    organization: Organization,
    locked: Shift,
    starts_at: Any,
    ends_at: Any,
    capacity: Any,
    notes: Any,
) -> dict[str, Any]:
    checks: dict[str, Any] = {}
    if starts_at is not UNSET or ends_at is not UNSET:
        checks["times"] = lambda: _times(
            organization,
            locked.starts_at if starts_at is UNSET else starts_at,
            locked.ends_at if ends_at is UNSET else ends_at,
        )
    if capacity is not UNSET:
        checks["capacity"] = lambda: _capacity(capacity)
    if notes is not UNSET:
        checks["notes"] = lambda: _text(notes, "notes", limit=500)
    values = _collect("shift", checks)
    if "capacity" in values:
        confirmed = _confirmed(locked)
        if values["capacity"] < confirmed:
            raise ServiceError(
                f"{confirmed} volunteers are confirmed on this shift: the capacity cannot be "
                f"less than {confirmed}. Cancel sign-ups first to make it smaller.",
                field="capacity",
            )
    return values


@org_service("volunteers.manage")
def shift_update(
    *,
    organization: Organization,
    access: Access | None,
    actor: Any = None,
    shift: Shift,
    version: int,
    starts_at: Any = UNSET,
    ends_at: Any = UNSET,
    capacity: Any = UNSET,
    notes: Any = UNSET,
) -> Shift:
    """Change a shift's times, places or notes. Fewer places than it has confirmed is refused;
    more places are filled from the waitlist at once."""
    locked = _lock(shift)
    if locked.is_cancelled:
        raise ServiceError("This shift was cancelled: it cannot be changed.")
    values = _update_checks(organization, locked, starts_at, ends_at, capacity, notes)
    changes: dict[str, Any] = {}
    fields: list[str] = []
    if "times" in values:
        start, end = values.pop("times")
        values["starts_at"], values["ends_at"] = start, end
    for name, value in values.items():
        old = getattr(locked, name)
        if old != value:
            changes[name] = {"before": _json(old), "after": _json(value)}
        setattr(locked, name, value)
        fields.append(name)
    locked.save_versioned(expected_version=version, user=actor, fields=fields)
    promoted: list[SignUp] = []
    if "capacity" in changes and changes["capacity"]["after"] > changes["capacity"]["before"]:
        promoted = fill_from_waitlist(organization, locked)
    if changes:
        if promoted:
            changes["promoted"] = [s.pk for s in promoted]
        audit_record(
            action="volunteer_shift.update",
            actor=actor,
            organization=organization,
            obj=locked,
            changes=changes,
        )
    return locked


@org_service("volunteers.manage")
def shift_cancel(
    *,
    organization: Organization,
    access: Access | None,
    actor: Any = None,
    shift: Shift,
) -> list[SignUp]:
    """Cancel a shift and every sign-up on it (each volunteer is told, once this commits).
    Returns the sign-ups cancelled. A shift someone has checked in to cannot be cancelled."""
    locked = _lock(shift)
    if locked.is_cancelled:
        raise ServiceError("This shift is already cancelled.")
    if SignUp.objects.filter(shift_id=locked.pk, checked_in_at__isnull=False).exists():
        raise ServiceError("Volunteers have checked in to this shift: it cannot be cancelled.")
    locked.is_cancelled = True
    locked.save_versioned(expected_version=locked.version, user=actor, fields=["is_cancelled"])
    now = timezone.now()
    signups = list(
        SignUp.objects.filter(shift_id=locked.pk)
        .exclude(status=SignUpStatus.CANCELLED)
        .select_related("volunteer")
    )
    for signup in signups:
        signup.status = SignUpStatus.CANCELLED
        signup.cancelled_at = now
    SignUp.objects.bulk_update(signups, ["status", "cancelled_at"])
    for signup in signups:
        send_after_commit(signup_cancelled, signup=signup, organization=organization)
    audit_record(
        action="volunteer_shift.cancel",
        actor=actor,
        organization=organization,
        obj=locked,
        changes={
            "is_cancelled": {"before": False, "after": True},
            "signups_cancelled": [s.pk for s in signups],
        },
    )
    return signups


@org_service("volunteers.manage")
def shift_role_create(
    *,
    organization: Organization,
    access: Access | None,
    actor: Any = None,
    shift: Shift,
    name: str,
    capacity: int,
) -> ShiftRole:
    """Add a role to a shift. A shift that has sign-ups without a role cannot take roles (they
    would be left out of every role's places)."""
    locked = _lock(shift)
    if locked.is_cancelled:
        raise ServiceError("This shift was cancelled.")
    spec = _roles([RoleSpec(name, capacity)], locked.capacity)[0]
    if ShiftRole.objects.filter(shift_id=locked.pk, name__iexact=spec.name).exists():
        raise ServiceError(f"This shift already has a role named {spec.name}.", field="name")
    roleless = (
        SignUp.objects.filter(shift_id=locked.pk, role__isnull=True)
        .exclude(status=SignUpStatus.CANCELLED)
        .exists()
    )
    if roleless:
        raise ServiceError(
            "Volunteers are signed up on this shift without a role: roles must be set up "
            "before anyone signs up."
        )
    role = ShiftRole.objects.create(
        organization=organization, shift=locked, name=spec.name, capacity=spec.capacity
    )
    audit_record(
        action="volunteer_shift_role.create",
        actor=actor,
        organization=organization,
        obj=role,
        changes={"name": spec.name, "capacity": spec.capacity, "shift": locked.pk},
    )
    return role
