"""Merge fields: `{{ field }}` in a template's subject and body, filled from a fixed list.

Deliberately not Django's template engine: a template edited in a browser must not reach
settings, objects or tags. The only syntax is `{{ name }}` with a name from the registry
(registry.py); anything else that looks like template code is refused when the template is
saved, naming what was found. Rendering is one pass (a value that itself contains `{{ x }}`
stays text) and refuses to produce a message with any field left empty.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ifm.core.errors import ServiceError

FIELD = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")
NAME = re.compile(r"^[a-z][a-z0-9_]{0,49}$")
TAG = re.compile(r"\{%.*?%\}|\{#.*?#\}|\{%|\{#", re.DOTALL)
# The seed's placeholders ("[Date]", "[Phase Name]"...): pasted text that would go out unfilled.
SEED_PLACEHOLDERS = {
    "[date]": "kickoff_date, training_date or go_live_date",
    "[date/time]": "training_date",
    "[phase name]": "phase_name",
    "[nonprofit name]": "organization_name",
    "[hours]": "support_hours",
    "[email/phone]": "support_email",
    "[name]": "first_name",
}
BRACKETED = re.compile(r"\[[A-Za-z][A-Za-z /]{0,30}\]")


class MergeError(ServiceError):
    """A template that cannot be saved or a message that cannot be rendered."""


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str


def fields_used(*texts: str) -> list[str]:
    """The merge fields the texts use, each once, in order of first use."""
    seen: dict[str, None] = {}
    for text in texts:
        for match in FIELD.finditer(text or ""):
            seen.setdefault(match.group(1), None)
    return list(seen)


def validate(text: str, *, known: Iterable[str], field: str) -> list[str]:
    """The fields `text` uses; MergeError (on `field`) for unknown fields, template tags,
    stray braces or a seed placeholder left in."""
    known = set(known)
    if TAG.search(text):
        found = TAG.search(text)
        shown = found.group(0)[:40] if found else "{%"
        raise MergeError(
            f"Template code such as {shown} is not allowed: use merge fields like "
            "{{ organization_name }}.",
            field=field,
        )
    used = fields_used(text)
    unknown = [name for name in used if name not in known]
    if unknown:
        names = ", ".join("{{ " + name + " }}" for name in unknown)
        raise MergeError(
            f"Unknown merge field {names}. The fields are: {', '.join(sorted(known))}.",
            field=field,
        )
    leftover = FIELD.sub("", text)
    if "{{" in leftover or "}}" in leftover:
        raise MergeError(
            "A merge field is written {{ name }}: a brace is open or closed alone.", field=field
        )
    for match in BRACKETED.finditer(text):
        use = SEED_PLACEHOLDERS.get(match.group(0).lower())
        if use:
            raise MergeError(
                f"{match.group(0)} would go out unfilled: use the merge field {{{{ {use} }}}} "
                "instead.",
                field=field,
            )
    return used


def substitute(text: str, values: Mapping[str, str | None]) -> tuple[str, list[str]]:
    """`text` with each field replaced in one pass, and the fields that had no value."""
    missing: list[str] = []

    def fill(match: re.Match[str]) -> str:
        value = values.get(match.group(1))
        if value is None or not str(value).strip():
            if match.group(1) not in missing:
                missing.append(match.group(1))
            return match.group(0)
        return str(value)

    return FIELD.sub(fill, text), missing


def render(
    subject: str, body: str, values: Mapping[str, str | None], *, labels: Mapping[str, str]
) -> Rendered:
    """The message for one recipient; MergeError naming each field without a value."""
    out_subject, missing = substitute(subject, values)
    out_body, missing_body = substitute(body, values)
    missing += [m for m in missing_body if m not in missing]
    if missing:
        names = ", ".join(labels.get(m, m) for m in missing)
        raise MergeError(f"No value for {names}.", field="template")
    # A subject is one line: a value with a line break must not add mail headers.
    return Rendered(subject=" ".join(out_subject.split()), body=out_body)
