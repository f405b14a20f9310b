"""Normal forms of a volunteer's contact data, for duplicate matching and search.

The same forms as the donors' (ifm.donors.normalize), so an email that matches here matches a
donor's `email_norm` too; written again because the two apps do not import each other.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_NON_DIGIT = re.compile(r"\D+")
_SUFFIXES = {"jr", "sr", "ii", "iii", "iv", "mr", "mrs", "ms", "dr"}


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in text if not unicodedata.combining(c)).lower()


def email(value: str) -> str:
    return (value or "").strip().lower()


def phone(value: str) -> str:
    """The last ten digits (a US number without its country code); shorter numbers as none."""
    digits = _NON_DIGIT.sub("", value or "")
    return digits[-10:] if len(digits) >= 7 else ""


def name(*parts: str) -> str:
    """Lowercase, accents and punctuation removed, titles and suffixes dropped, one space apart."""
    words = _NON_ALNUM.sub(" ", _fold(" ".join(p for p in parts if p))).split()
    return " ".join(w for w in words if w not in _SUFFIXES)


def apply_norms(volunteer: Any) -> list[str]:
    """Set the volunteer's *_norm and search_text columns from its fields; their names."""
    volunteer.email_norm = email(volunteer.email)
    volunteer.phone_norm = phone(volunteer.phone)
    volunteer.name_norm = name(volunteer.first_name, volunteer.last_name)
    raw = " ".join(p for p in (volunteer.first_name, volunteer.last_name) if p)
    volunteer.search_text = " | ".join(
        x for x in (raw, volunteer.name_norm, volunteer.email_norm, volunteer.phone_norm) if x
    ).lower()
    return ["email_norm", "phone_norm", "name_norm", "search_text"]
