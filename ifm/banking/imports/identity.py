"""The stable identity of a statement line, so that no line is ever imported twice.

- `id:<bank id>` when the bank gave the line an id (OFX FITID, CAMT AcctSvcrRef/NtryRef) that
  is unique within the file. Banks keep these ids across exports, so any later file that
  holds the line names it the same way.
- Otherwise `h:` + SHA-256 of (date, amount, payee, memo, reference, n), where n is the line's
  occurrence number among the identical lines of the same file (0 for the first). Two genuine
  identical coffees on one day are n=0 and n=1, so both stay; a later file covering that day
  holds both again, finds both identities, and adds neither. The date is part of the key, so
  two files agree on n as long as each holds whole days, as bank statements do.
- A file that repeats a bank id for different lines cannot be trusted on that id: those lines
  are identified by their hash instead.

Text is compared as people read it: case and runs of spaces do not count.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Sequence
from decimal import Decimal

from ifm.banking.statements import ParsedLine

CENT = Decimal("0.01")
BANK_ID_PREFIX = "id:"
HASH_PREFIX = "h:"
# Identities fit the column (300); a longer bank id is hashed (still unique, still stable).
MAX_BANK_ID = 255
_SEPARATOR = "\x1f"


def _text(value: str) -> str:
    return " ".join(value.split()).casefold()


def _bank_identity(bank_id: str) -> str:
    if len(bank_id) <= MAX_BANK_ID:
        return BANK_ID_PREFIX + bank_id
    return BANK_ID_PREFIX + "sha256:" + hashlib.sha256(bank_id.encode()).hexdigest()


def line_key(line: ParsedLine) -> tuple[str, ...]:
    """What makes two lines without a bank id the same line (before their occurrence number)."""
    return (
        line.date.isoformat(),
        str(line.amount.quantize(CENT)),
        _text(line.payee),
        _text(line.memo),
        _text(line.reference),
    )


def line_identities(lines: Sequence[ParsedLine]) -> list[str]:
    """One identity per line, in order; all different from each other."""
    bank_ids = Counter(b for b in (line.bank_id.strip() for line in lines) if b)
    seen: Counter[tuple[str, ...]] = Counter()
    identities: list[str] = []
    for line in lines:
        bank_id = line.bank_id.strip()
        if bank_id and bank_ids[bank_id] == 1:
            identities.append(_bank_identity(bank_id))
            continue
        key = line_key(line)
        occurrence = seen[key]
        seen[key] += 1
        text = _SEPARATOR.join((*key, str(occurrence)))
        identities.append(HASH_PREFIX + hashlib.sha256(text.encode()).hexdigest())
    return identities
