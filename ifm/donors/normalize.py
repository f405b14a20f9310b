"""Normal forms of donor contact data, for duplicate matching and search."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import Any

_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_NON_DIGIT = re.compile(r"\D+")
_SUFFIXES = {"jr", "sr", "ii", "iii", "iv", "mr", "mrs", "ms", "dr", "inc", "llc", "the"}


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in text if not unicodedata.combining(c)).lower()


def email(value: str) -> str:
    return (value or "").strip().lower()


def phone(value: str) -> str:
    """The last ten digits (a US number without its country code); shorter numbers as they are."""
    digits = _NON_DIGIT.sub("", value or "")
    return digits[-10:] if len(digits) >= 7 else ""


def name(*parts: str) -> str:
    """Lowercase, accents and punctuation removed, titles and suffixes dropped, one space apart."""
    words = _NON_ALNUM.sub(" ", _fold(" ".join(p for p in parts if p))).split()
    return " ".join(w for w in words if w not in _SUFFIXES)


def postal(value: str) -> str:
    """US ZIP+4 reduced to the five-digit ZIP; other codes upper-case without spaces."""
    text = re.sub(r"\s+", "", (value or "")).upper()
    if re.fullmatch(r"\d{5}(-?\d{4})?", text):
        return text[:5]
    return text


def donor_fields(
    values: dict[str, Any], *, emails: Iterable[str] = (), phones: Iterable[str] = ()
) -> dict[str, str]:
    """The *_norm and search_text columns of a donor with these field values. `emails` and
    `phones` are the donor's other (secondary) ones: search finds the donor by them too."""
    kind = values.get("kind") or "individual"
    if kind == "organization":
        full = name(values.get("organization_name", ""))
    else:
        full = name(values.get("first_name", ""), values.get("last_name", ""))
    e, p, z = (
        email(values.get("email", "")),
        phone(values.get("phone", "")),
        postal(values.get("postal_code", "")),
    )
    raw_name = " ".join(
        x
        for x in (
            values.get("first_name", ""),
            values.get("last_name", ""),
            values.get("organization_name", ""),
        )
        if x
    )
    # Lower-case: search compares with `contains` on the lower-cased words (trigram index).
    extra = [email(x) for x in emails] + [phone(x) for x in phones]
    search = " | ".join(x for x in (raw_name, full, e, p, z, *extra) if x).lower()
    return {
        "name_norm": full,
        "email_norm": e,
        "phone_norm": p,
        "postal_norm": z,
        "search_text": search,
    }
