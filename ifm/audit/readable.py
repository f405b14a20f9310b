"""The audit log in sentences: "Ana Ruiz changed Jamie Lee's role from Staff to Approver".

An event records an action code (`membership.update`), the object's type and id, and the changed
fields with raw values, foreign keys as ids. `describe_events` turns a page of events into
sentences with people's and records' names, in a fixed number of queries whatever the page
size: the records behind the page are read with one query per type, and the ids in the changes
with one query per related model.

The audit app sits below the domain apps and imports none of them: it reads models through
Django's app registry. An app can say more about its records with `register_label` (how a
record is named) and `register_link` (the page a record has); without that, a record is named
by `str()`, with its description and amount when it has them, and linked by convention to the
page `<app_label>:..._detail` (or any page route ending in `<int:<model_name>_id>/`).
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from ifm.audit.models import AuditEvent
from ifm.audit.selectors import change_rows

# How the last part of an action code reads as a verb. Anything else: its words ("did x").
VERBS = {
    "create": "created",
    "add": "added",
    "update": "changed",
    "delete": "deleted",
    "remove": "removed",
    "approve": "approved",
    "approve_first": "gave the first approval to",
    "reject": "rejected",
    "submit": "submitted",
    "withdraw": "withdrew",
    "pay": "recorded the payment of",
    "void": "voided",
    "close": "closed",
    "reopen": "reopened",
    "revoke": "revoked",
    "accept": "accepted",
    "post": "posted",
    "post_many": "posted entries in",
    "record": "recorded",
    "import": "imported",
    "issue": "issued",
    "correct": "issued a corrected",
    "send": "sent",
    "email": "emailed",
    "print": "printed",
    "unlock": "unlocked",
    "grant": "granted",
    "cancel": "cancelled",
    "merge": "merged",
    "note_add": "added a note to",
    "receipt_add": "added a receipt to",
    "receipt_remove": "removed a receipt from",
    "retry": "retried",
    "start": "started",
    "status": "changed the status of",
    "members": "changed the members of",
    "set_primary": "set the primary contact of",
    "sign_in": "signed in",
    "sign_out": "signed out",
    "sign_in_failed": "failed to sign in",
    "mfa_failed": "failed a two-factor check",
    "mfa_enabled": "turned on two-factor sign-in",
    "mfa_disabled": "turned off two-factor sign-in",
    "locked_out": "was locked out",
    "address_unlock": "unlocked an address",
    "recovery_codes_generated": "generated recovery codes",
    "password_set_by_admin": "set the password of",
}

Label = Callable[[Any], str]


@dataclass(frozen=True)
class _Describer:
    label: Label | None = None
    select_related: tuple[str, ...] = ()
    noun: bool = True  # whether the type ("expense") is said before the record's name


_DESCRIBERS: dict[str, _Describer] = {}
_LINKS: dict[str, tuple[str, str]] = {}


def register_label(
    object_type: str, label: Label, *, select_related: Iterable[str] = (), noun: bool = True
) -> None:
    """How records of `object_type` ("tenancy.membership") are named in sentences. With
    `noun=False` the name stands alone ("Jamie Lee's role"), else after the type ("fund GEN")."""
    _DESCRIBERS[object_type] = _Describer(label, tuple(select_related), noun)


def register_link(object_type: str, url_name: str, id_kwarg: str) -> None:
    """The page of a record of `object_type`: `url_name` takes org_slug and `id_kwarg`."""
    _LINKS[object_type] = (url_name, id_kwarg)


@dataclass
class ReadableEvent:
    event: AuditEvent
    actor: str
    sentence: SafeString
    details: list[dict[str, Any]] = field(default_factory=list)
    url: str = ""


def describe_events(
    events: Iterable[AuditEvent], *, organization: Any = None, links: bool = True
) -> list[ReadableEvent]:
    """Sentences for a page of events (read in the caller's organization scope)."""
    events = list(events)
    # One organization's log reads through the scoped managers; the platform log (no
    # organization, inside all_organizations()) through the cross-organization ones.
    manager = "_default_manager" if organization is not None else "_base_manager"
    records = _records(events, manager)
    refs = _referenced(events, manager)
    currency = getattr(organization, "currency", "") if organization is not None else ""
    rows = []
    for event in events:
        model = _model(event.object_type)
        record = records.get((event.object_type, event.object_id))
        url = ""
        if links and organization is not None and record is not None:
            url = _url(event.object_type, event.object_id, organization.slug)
        phrase = _object_phrase(event, model, record, currency)
        changes = _changes(event, model, refs)
        rows.append(
            ReadableEvent(
                event=event,
                actor=actor_name(event),
                sentence=_sentence(event, phrase, url, changes),
                details=changes,
                url=url,
            )
        )
    return rows


def actor_name(event: AuditEvent) -> str:
    if event.actor is not None:
        return event.actor.full_name or event.actor.email
    return event.actor_label or "System"


# --- The sentence --------------------------------------------------------------------------


def action_label(action: str) -> str:
    """An action code for a list of choices: "membership.update" reads "Membership: changed"."""
    head, _, _last = action.rpartition(".")
    subject = head.rsplit(".", 1)[-1].replace("_", " ") if head else ""
    verb = _verb(action)
    return f"{subject.capitalize()}: {verb}" if subject else verb.capitalize()


def _verb(action: str) -> str:
    last = action.rsplit(".", 1)[-1]
    return VERBS.get(last) or last.replace("_", " ")


def _sentence(
    event: AuditEvent, phrase: str, url: str, changes: list[dict[str, Any]]
) -> SafeString:
    actor = format_html('<span class="fw-semibold">{}</span>', actor_name(event))
    verb = _verb(event.action)
    if not phrase:
        return format_html("{} {}", actor, verb)
    target = format_html('<a href="{}">{}</a>', url, phrase) if url else format_html("{}", phrase)
    with_before = [c for c in changes if c["has_before"]]
    if verb == "changed" and len(changes) == 1 and with_before:
        change = changes[0]
        return format_html(
            "{} changed {}'s {} from {} to {}",
            actor,
            target,
            change["label"],
            _value(change["before"]),
            _value(change["after"]),
        )
    sentence = format_html("{} {} {}", actor, verb, target)
    if verb == "changed" and changes:
        parts = format_html_join(
            "; ",
            "{} {}",
            (
                (c["label"], format_html("from {} to {}", _value(c["before"]), _value(c["after"])))
                if c["has_before"] and c["before"] not in (None, "")
                else (c["label"], format_html("set to {}", _value(c["after"])))
                for c in changes
            ),
        )
        sentence = format_html("{}: {}", sentence, parts)
    return sentence


def _value(value: Any) -> SafeString:
    if value is None or value == "":
        return mark_safe('<span class="text-body-secondary">(empty)</span>')
    if isinstance(value, bool):
        return format_html("{}", "yes" if value else "no")
    if isinstance(value, list | dict):
        return format_html("{}", json.dumps(value, ensure_ascii=False, default=str))
    return format_html("{}", value)


# --- Naming records ------------------------------------------------------------------------


@cache
def _model(object_type: str) -> type[models.Model] | None:
    if not object_type or "." not in object_type:
        return None
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def _records(events: list[AuditEvent], manager: str) -> dict[tuple[str, str], Any]:
    """The records behind the events, one query per type."""
    wanted: dict[str, set[int]] = defaultdict(set)
    for event in events:
        if _model(event.object_type) is not None and event.object_id.isdigit():
            wanted[event.object_type].add(int(event.object_id))
    found: dict[tuple[str, str], Any] = {}
    for object_type, ids in wanted.items():
        model = _model(object_type)
        assert model is not None
        qs = getattr(model, manager).filter(pk__in=ids)
        related = _DESCRIBERS.get(object_type, _Describer()).select_related
        if related:
            qs = qs.select_related(*related)
        for record in qs:
            found[(object_type, str(record.pk))] = record
    return found


def _object_phrase(
    event: AuditEvent, model: type[models.Model] | None, record: Any, currency: str
) -> str:
    describer = _DESCRIBERS.get(event.object_type)
    if record is not None and describer is not None and describer.label is not None:
        name = describer.label(record)
        if not describer.noun:
            return name
    elif record is not None:
        name = _generic_label(record, currency)
    else:
        name = event.object_repr or (f"#{event.object_id}" if event.object_id else "")
    if not name:
        return ""
    noun = str(model._meta.verbose_name) if model is not None else ""
    if not noun and event.object_type:
        noun = event.object_type.rsplit(".", 1)[-1].replace("_", " ")
    return f"{noun} {name}".strip()


def _generic_label(record: Any, currency: str) -> str:
    """`#42 “Office chairs” ($120.00)` for a record with a description and an amount, else
    its own name."""
    description = str(getattr(record, "description", "") or "").strip()
    name = f"#{record.pk} “{_short(description)}”" if description else str(record)
    amount = getattr(record, "amount", None)
    if isinstance(amount, Decimal):
        name = f"{name} ({money_text(amount, currency)})"
    return name


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


SYMBOLS = {"USD": "$", "CAD": "$", "AUD": "$", "NZD": "$", "EUR": "€", "GBP": "£", "JPY": "¥"}


def money_text(amount: Decimal, currency: str = "") -> str:
    symbol = SYMBOLS.get(currency.upper(), "")
    text = f"{amount:,.2f}"
    if symbol:
        return f"-{symbol}{text[1:]}" if text.startswith("-") else f"{symbol}{text}"
    return f"{text} {currency}".strip()


# --- Changes: field labels, choices, foreign keys to names ----------------------------------


def _field(model: type[models.Model] | None, name: str) -> models.Field[Any, Any] | None:
    if model is None:
        return None
    for candidate in (name, name.removesuffix("_id")):
        try:
            found = model._meta.get_field(candidate)
        except FieldDoesNotExist:
            continue
        if isinstance(found, models.Field):
            return found
    return None


def _as_id(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit() and len(value) < 19:
        return int(value)
    return None


def _referenced(events: list[AuditEvent], manager: str) -> dict[type[models.Model], dict[int, str]]:
    """Names of every record the events' changes point to by id, one query per model."""
    wanted: dict[type[models.Model], set[int]] = defaultdict(set)
    for event in events:
        model = _model(event.object_type)
        for row in change_rows(event.changes):
            found = _field(model, row["field"])
            if found is None or not found.is_relation or found.related_model is None:
                continue
            related = found.related_model
            if not isinstance(related, type):
                continue
            for value in (row["before"], row["after"]):
                pk = _as_id(value)
                if pk is not None:
                    wanted[related].add(pk)
    names: dict[type[models.Model], dict[int, str]] = {}
    for related, ids in wanted.items():
        rows = getattr(related, manager).filter(pk__in=ids)
        names[related] = {obj.pk: str(obj) for obj in rows}
    return names


def _changes(
    event: AuditEvent,
    model: type[models.Model] | None,
    refs: dict[type[models.Model], dict[int, str]],
) -> list[dict[str, Any]]:
    rows = []
    for row in change_rows(event.changes):
        found = _field(model, row["field"])
        label = str(found.verbose_name) if found is not None else row["field"].replace("_", " ")
        before, after = row["before"], row["after"]
        if found is not None and found.is_relation and isinstance(found.related_model, type):
            names = refs.get(found.related_model, {})
            before, after = (_ref(v, names) for v in (before, after))
        elif found is not None and found.choices:
            choices = {str(k): str(v) for k, v in found.flatchoices}
            before, after = (
                choices.get(str(v), v) if v is not None else v for v in (before, after)
            )
        rows.append({**row, "label": label, "before": before, "after": after})
    return rows


def _ref(value: Any, names: dict[int, str]) -> Any:
    pk = _as_id(value)
    if pk is None:
        return value
    return names.get(pk, f"#{pk} (deleted)")


# --- Links to records ----------------------------------------------------------------------

_ID_AT_END = re.compile(r"<int:(\w+)_id>/$")


@cache
def _detail_routes() -> dict[tuple[str, str], tuple[str, str]]:
    """Page routes under /o/<org_slug>/ whose path ends with one record's id, as
    {(app namespace, model name): (url name, id kwarg)}, `..._detail` names preferred."""
    found: dict[tuple[str, str], tuple[str, str]] = {}

    def walk(patterns: list[Any], prefix: str, namespace: str) -> None:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                inner = pattern.namespace or ""
                walk(pattern.url_patterns, route, f"{namespace}:{inner}".strip(":"))
            elif isinstance(pattern, URLPattern) and pattern.name and "<slug:org_slug>" in route:
                match = _ID_AT_END.search(route)
                if not match or not namespace:
                    continue
                stem = match.group(1).replace("_", "")
                key = (namespace.split(":")[0], stem)
                name = f"{namespace}:{pattern.name}"
                if key not in found or pattern.name.endswith("_detail"):
                    found[key] = (name, f"{match.group(1)}_id")

    walk(get_resolver().url_patterns, "", "")
    return found


def _url(object_type: str, object_id: str, org_slug: str) -> str:
    target = _LINKS.get(object_type)
    if target is None:
        app_label, _, model_name = object_type.partition(".")
        target = _detail_routes().get((app_label, model_name))
    if target is None:
        return ""
    url_name, kwarg = target
    try:
        return reverse(url_name, kwargs={"org_slug": org_slug, kwarg: int(object_id)})
    except (NoReverseMatch, ValueError):
        return ""
