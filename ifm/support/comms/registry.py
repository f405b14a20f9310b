"""What a message can say and who it can go to: merge fields and audiences, registered by
the apps that own the data.

Communications knows organizations and users; the rollout knows phases, waves and their dates.
Since `ifm.rollout` imports `ifm.support` and never the reverse, the rollout registers its
audiences ("by phase", "by wave") and its merge fields (phase name, dates, metrics summary)
here from its AppConfig.ready() (ifm/rollout/comms_sources.py). The built-in ones are below.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from ifm.core.errors import ServiceError
from ifm.ops.maintenance.state import read as maintenance_state
from ifm.support import sla
from ifm.tenancy.models import Organization


@dataclass(frozen=True)
class MergeField:
    key: str
    label: str
    help: str = ""


@dataclass(frozen=True)
class SendContext:
    """What one send knows besides the organization and the user."""

    sender_name: str = ""
    message: str = ""
    today: date | None = None


# (organization, the keys wanted, the send) -> {key: value or None when it has none}
OrgValues = Callable[[Organization, frozenset[str], SendContext], Mapping[str, str | None]]

_FIELDS: dict[str, MergeField] = {}
_PROVIDERS: list[tuple[frozenset[str], OrgValues]] = []
USER_FIELDS = ("first_name", "full_name", "email")


def register_merge_fields(fields: Sequence[MergeField], values: OrgValues) -> None:
    """Add merge fields and the function that gives their values for an organization. A key
    already registered is replaced (a reload registers again)."""
    keys = frozenset(f.key for f in fields)
    for f in fields:
        _FIELDS[f.key] = f
    _PROVIDERS[:] = [(k, v) for k, v in _PROVIDERS if not (k & keys)]
    _PROVIDERS.append((keys, values))


def merge_fields() -> list[MergeField]:
    return list(_FIELDS.values())


def field_keys() -> list[str]:
    return list(_FIELDS)


def field_labels() -> dict[str, str]:
    return {k: f.label for k, f in _FIELDS.items()}


def organization_values(
    organization: Organization, keys: Iterable[str], context: SendContext
) -> dict[str, str | None]:
    """The values of the organization-wide fields among `keys` (each provider asked once)."""
    ordered = [k for k in dict.fromkeys(keys) if k not in USER_FIELDS]
    wanted = frozenset(ordered)
    out: dict[str, str | None] = {}
    for provided, provider in _PROVIDERS:
        asked = wanted & provided
        if asked:
            given = provider(organization, asked, context)
            out.update({k: given.get(k) for k in asked})
    return {k: out[k] for k in ordered if k in out}


def user_values(user: Any) -> dict[str, str | None]:
    """The recipient's fields; one who gave no name is greeted by their address."""
    full = (getattr(user, "full_name", "") or "").strip()
    email = getattr(user, "email", "") or None
    return {
        "first_name": full.split(" ")[0] if full else email,
        "full_name": full or None,
        "email": email,
    }


# --- Formatting shared with the providers -----------------------------------------------------


def long_date(value: date | None) -> str | None:
    """ "Monday, May 4, 2026" (None stays None: the field has no value)."""
    if value is None:
        return None
    return f"{value:%A}, {value:%B} {value.day}, {value.year}"


def long_datetime(value: datetime | None) -> str | None:
    if value is None:
        return None
    utc = value.astimezone(UTC)
    return f"{long_date(utc.date())}, {utc:%H:%M} UTC"


def site_url(path: str) -> str:
    return str(getattr(settings, "SITE_URL", "") or "").rstrip("/") + path


# --- Built-in fields --------------------------------------------------------------------------

BUILT_IN = [
    MergeField("organization_name", "Organization name", "The organization's name."),
    MergeField("first_name", "First name", "The recipient's first name."),
    MergeField("full_name", "Full name", "The recipient's full name."),
    MergeField("email", "Email address", "The recipient's sign-in address."),
    MergeField("support_email", "Support email", "Where to write to IFM support."),
    MergeField("support_hours", "Support hours", "When support answers (business hours)."),
    MergeField(
        "getting_started_url", "Getting started guide", "The help center's getting-started page."
    ),
    MergeField("help_center_url", "Help center", "The help center's address."),
    MergeField("sign_in_url", "Sign-in page", "Where to sign in."),
    MergeField("sender_name", "Sender name", "The platform staff member who sends it."),
    MergeField("today", "Today's date", "The day it is sent."),
    MergeField("message", "Message", "Text written on the send form for this one send."),
    MergeField("maintenance_start", "Maintenance start", "The planned maintenance window's start."),
    MergeField("maintenance_end", "Maintenance end", "The planned maintenance window's end."),
]


def support_hours() -> str:
    opens, closes = sla.DAY_OPENS, sla.DAY_CLOSES
    return (
        f"Monday to Friday, {opens:%H:%M}-{closes:%H:%M} Pacific time "
        "(critical issues around the clock)"
    )


def _built_in(
    organization: Organization, keys: frozenset[str], context: SendContext
) -> dict[str, str | None]:
    out: dict[str, str | None] = {
        "organization_name": organization.name,
        "support_email": str(getattr(settings, "SUPPORT_EMAIL", "") or "") or None,
        "support_hours": support_hours(),
        "getting_started_url": site_url(reverse("help:article", args=["getting-started"])),
        "help_center_url": site_url(reverse("help:index")),
        "sign_in_url": site_url(reverse("account_login")),
        "sender_name": context.sender_name or None,
        "today": long_date(context.today or timezone.localdate()),
        "message": context.message.strip() or None,
    }
    if keys & {"maintenance_start", "maintenance_end"}:
        window = maintenance_state()
        out["maintenance_start"] = long_datetime(window.window_starts_at)
        out["maintenance_end"] = long_datetime(window.window_ends_at)
    return out


# The user's own fields are filled per recipient (user_values); listed here so templates may
# name them, and valued by user_values.
register_merge_fields(BUILT_IN, _built_in)


# --- Audiences --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Audience:
    key: str
    label: str
    # [(value, label)] to choose from; `multiple`: several may be chosen.
    choices: Callable[[], list[tuple[str, str]]]
    # The chosen values -> organization ids; ServiceError (field "values") for an unknown one.
    resolve: Callable[[list[str]], list[int]]
    multiple: bool = False


_AUDIENCES: dict[str, Audience] = {}


def register_audience(
    key: str,
    label: str,
    *,
    choices: Callable[[], list[tuple[str, str]]],
    resolve: Callable[[list[str]], list[int]],
    multiple: bool = False,
) -> None:
    _AUDIENCES[key] = Audience(key, label, choices, resolve, multiple)


def audiences() -> list[Audience]:
    return list(_AUDIENCES.values())


def audience_get(key: str) -> Audience | None:
    return _AUDIENCES.get(key)


def _organization_choices() -> list[tuple[str, str]]:
    return list(
        Organization.objects.filter(is_active=True).order_by("name").values_list("slug", "name")
    )


def _organizations_resolve(values: list[str]) -> list[int]:
    found = dict(
        Organization.objects.filter(slug__in=values, is_active=True).values_list("slug", "pk")
    )
    unknown = [v for v in values if v not in found]
    if unknown:
        raise ServiceError(f"No such organization: {', '.join(unknown)}.", field="values")
    return [found[v] for v in values]


register_audience(
    "organizations",
    "Organizations",
    choices=_organization_choices,
    resolve=_organizations_resolve,
    multiple=True,
)
