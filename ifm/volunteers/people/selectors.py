"""Reads of volunteers and their qualifications: search, duplicate candidates, donors with the
same email, qualifications expiring soon, and a volunteer's approved hours."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, Model, OuterRef, Q, QuerySet, Sum

from ifm.core.forms import today_in
from ifm.volunteers.models import (
    HoursEntry,
    HoursStatus,
    Qualification,
    QualificationType,
    Volunteer,
)
from ifm.volunteers.people import normalize

MAX_QUERY = 200
PHONE_LIKE = re.compile(r"[0-9()+.\- ]+")
EXPIRING_DAYS = 30
ZERO_HOURS = Decimal("0.00")


def org_today(organization: Any) -> date:
    """Today's date in the organization's time zone (the day a minor's age is judged on)."""
    return today_in(organization.time_zone)


# --- Volunteers --------------------------------------------------------------------------------


def volunteer_search(q: str = "") -> QuerySet[Volunteer]:
    """Volunteers whose name, email or phone contains every word of `q` (case ignored); a
    phone number however it is typed matches by its digits."""
    qs = Volunteer.objects.all()
    text = (q or "")[:MAX_QUERY].strip()
    if PHONE_LIKE.fullmatch(text) and sum(c.isdigit() for c in text) >= 3:
        digits = re.sub(r"\D", "", text)
        if len(digits) == 11 and digits.startswith("1"):
            digits = digits[1:]
        return qs.filter(phone_norm__contains=digits)
    for word in text.lower().split()[:8]:
        qs = qs.filter(search_text__contains=word)
    return qs


def volunteer_filter(
    q: str = "",
    *,
    status: str = "",
    minor: str = "",
    skill: str = "",
    today: date | None = None,
) -> QuerySet[Volunteer]:
    """The list's filters: words, a status, minors only ("yes") or adults and unknown ("no"),
    and a word in the skills or interests."""
    qs = volunteer_search(q)
    if status:
        qs = qs.filter(status=status)
    if minor and today is not None:
        adult_born_by = _years_before(today, 18)
        cond = Q(date_of_birth__gt=adult_born_by)
        qs = qs.filter(cond) if minor == "yes" else qs.exclude(cond)
    for word in (skill or "")[:MAX_QUERY].split()[:4]:
        qs = qs.filter(Q(skills__icontains=word) | Q(interests__icontains=word))
    return qs


def _years_before(day: date, years: int) -> date:
    """The date `years` years before `day` (29 February becomes the 28th)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def volunteer_duplicates(
    *,
    email: str = "",
    phone: str = "",
    first_name: str = "",
    last_name: str = "",
    exclude_id: int | None = None,
) -> list[Volunteer]:
    """Volunteers who are probably the same person: the same email, the same phone number, or
    the same name (each compared in its normal form)."""
    e, p, n = (
        normalize.email(email),
        normalize.phone(phone),
        normalize.name(first_name, last_name),
    )
    cond = Q()
    if e:
        cond |= Q(email_norm=e)
    if p:
        cond |= Q(phone_norm=p)
    # A name alone matches only when it is a full one (two words or more).
    if n and " " in n:
        cond |= Q(name_norm=n)
    if not cond:
        return []
    qs = Volunteer.objects.filter(cond)
    if exclude_id is not None:
        qs = qs.exclude(pk=exclude_id)
    return list(qs.order_by("pk")[:20])


def duplicate_reasons(volunteer: Volunteer, values: dict[str, Any]) -> list[str]:
    """Why `volunteer` matched these field values, to show beside the match."""
    reasons = []
    e = normalize.email(values.get("email", ""))
    if e and volunteer.email_norm == e:
        reasons.append("same email")
    p = normalize.phone(values.get("phone", ""))
    if p and volunteer.phone_norm == p:
        reasons.append("same phone")
    n = normalize.name(values.get("first_name", ""), values.get("last_name", ""))
    if n and volunteer.name_norm == n:
        reasons.append("same name")
    return reasons


def duplicate_groups(limit: int = 200) -> list[dict[str, Any]]:
    """Groups of volunteers who share an email, a phone or a full name: what a coordinator
    checks on the duplicates page. Each group: {"reason", "value", "volunteers"}."""
    groups: list[dict[str, Any]] = []
    for column, reason in (
        ("email_norm", "same email"),
        ("phone_norm", "same phone"),
        ("name_norm", "same name"),
    ):
        values = (
            Volunteer.objects.exclude(**{column: ""})
            .values(column)
            .annotate(n=Count("id"))
            .filter(n__gt=1)
            .order_by(column)
            .values_list(column, flat=True)[:limit]
        )
        for value in values:
            if column == "name_norm" and " " not in value:
                continue
            people = list(Volunteer.objects.filter(**{column: value}).order_by("pk")[:20])
            groups.append({"reason": reason, "value": value, "volunteers": people})
    return groups[:limit]


# --- The donor of the same person ----------------------------------------------------------------


def donor_model() -> type[Model]:
    """The donor model, reached through the volunteer's `donor` field: the volunteers app reads
    donor rows (to offer a link) without importing the donors app."""
    model = Volunteer._meta.get_field("donor").related_model
    assert isinstance(model, type)
    return model


def donor_get(donor_id: int) -> Any:
    """The organization's (unmerged) donor with this id, or None."""
    return donor_model().objects.filter(pk=donor_id, merged_into__isnull=True).first()  # type: ignore[attr-defined]


def donor_matches(volunteer: Volunteer) -> list[Any]:
    """Donors with the volunteer's email (primary or not) not yet linked: what the volunteer's
    page offers to link. Never linked without a person choosing to."""
    e = normalize.email(volunteer.email)
    if not e:
        return []
    donors = donor_model().objects.filter(  # type: ignore[attr-defined]
        Q(email_norm=e) | Q(emails__email_norm=e), merged_into__isnull=True
    )
    if volunteer.donor_id:
        donors = donors.exclude(pk=volunteer.donor_id)
    return list(donors.distinct().order_by("pk")[:5])


def linked_donor(volunteer: Volunteer) -> Any:
    """The donor the volunteer is linked to; when that donor was merged since, the donor it was
    merged into (the record that stays)."""
    if not volunteer.donor_id:
        return None
    donor = donor_model().objects.filter(pk=volunteer.donor_id).first()  # type: ignore[attr-defined]
    if donor is not None and donor.merged_into_id:
        return donor_get(donor.merged_into_id)
    return donor


def volunteer_for_donor(donor_id: int) -> Volunteer | None:
    """The volunteer linked to this donor, or to a donor merged into it (the first, if several
    were linked)."""
    return (
        Volunteer.objects.filter(Q(donor_id=donor_id) | Q(donor__merged_into_id=donor_id))
        .order_by("pk")
        .first()
    )


# --- Hours -------------------------------------------------------------------------------------


def approved_hours(volunteer: Volunteer) -> Decimal:
    """The sum of the volunteer's approved hours (only approved hours count)."""
    total = HoursEntry.objects.filter(volunteer=volunteer, status=HoursStatus.APPROVED).aggregate(
        total=Sum("hours")
    )["total"]
    return Decimal(total or ZERO_HOURS).quantize(Decimal("0.01"))


# --- Qualifications ----------------------------------------------------------------------------


def qualification_types(*, include_archived: bool = False) -> QuerySet[QualificationType]:
    qs = QualificationType.objects.all()
    if not include_archived:
        qs = qs.filter(is_archived=False)
    return qs.order_by("name", "id")


def qualifications_of(volunteer: Volunteer) -> list[Qualification]:
    return list(
        Qualification.objects.filter(volunteer=volunteer)
        .select_related("type")
        .order_by("type__name", "-issued_on", "id")
    )


def qualification_list(
    *,
    volunteer_id: int | None = None,
    expiring_within_days: int | None = None,
    today: date | None = None,
    include_expired: bool = False,
) -> QuerySet[Qualification]:
    """Qualifications, optionally of one volunteer, optionally those whose expiry date falls
    within the next `expiring_within_days` days (from `today`; with `include_expired`, also
    those already expired)."""
    qs = Qualification.objects.select_related("type", "volunteer")
    if volunteer_id is not None:
        qs = qs.filter(volunteer_id=volunteer_id)
    if expiring_within_days is not None:
        day = today or date.today()
        qs = qs.filter(expires_on__lte=day + timedelta(days=expiring_within_days))
        if not include_expired:
            qs = qs.filter(expires_on__gte=day)
        # One renewed since (a later one of the same type that lasts longer) is no concern.
        renewed = Qualification.objects.filter(
            volunteer_id=OuterRef("volunteer_id"), type_id=OuterRef("type_id")
        ).filter(Q(expires_on__isnull=True) | Q(expires_on__gt=OuterRef("expires_on")))
        qs = qs.exclude(Exists(renewed))
    return qs.order_by("expires_on", "volunteer__last_name", "volunteer__first_name", "id")


def expiring_count(today: date, days: int = EXPIRING_DAYS) -> int:
    """Qualifications expiring from today to `days` days ahead (not those already expired)."""
    return qualification_list(expiring_within_days=days, today=today).count()
