"""Line identities: overlapping statements, genuine identical lines and bank ids, checked on
random histories (hypothesis). Each import keeps the lines whose identity is new; whatever
the windows and their order, what is kept is exactly the lines of the union of the windows."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from ifm.banking.imports.identity import line_identities
from ifm.banking.imports.tests.conftest import line
from ifm.banking.statements import ParsedLine

START = date(2026, 1, 1)
DAYS = 12

# Few payees and amounts, so that genuine identical lines on one day are common.
a_line = st.tuples(
    st.integers(0, DAYS - 1),
    st.sampled_from(["-4.50", "-4.5", "-12.00", "250.00"]),
    st.sampled_from(["Corner Coffee", "corner  COFFEE", "Fuel", ""]),
    st.sampled_from(["", "card 1234"]),
    st.sampled_from(["", "1001"]),
)
id_mode = st.sampled_from(["none", "unique", "some", "repeated_same_day"])


@st.composite
def histories(draw: st.DrawFn) -> list[ParsedLine]:
    """What the bank did, in order: lines over DAYS days, maybe with bank ids."""
    raw = sorted(draw(st.lists(a_line, min_size=0, max_size=40)), key=lambda r: r[0])
    mode = draw(id_mode)
    lines = []
    for n, (day, amount, payee, memo, reference) in enumerate(raw):
        bank_id = ""
        if mode == "unique" or (mode == "some" and n % 3 == 0):
            bank_id = f"FIT{n}"
        elif mode == "repeated_same_day":
            bank_id = f"DAY{day}"  # the bank reused one id for a day's lines
        lines.append(
            line(
                START + timedelta(days=day),
                amount,
                payee,
                memo=memo,
                reference=reference,
                bank_id=bank_id,
            )
        )
    return lines


windows = st.lists(
    st.tuples(st.integers(0, DAYS - 1), st.integers(0, DAYS - 1)).map(sorted),
    min_size=1,
    max_size=5,
)


def _window(history: list[ParsedLine], lo: int, hi: int) -> list[ParsedLine]:
    first, last = START + timedelta(days=lo), START + timedelta(days=hi)
    return [x for x in history if first <= x.date <= last]


def _as_seen(x: ParsedLine) -> tuple[date, Decimal, str, str, str]:
    return (x.date, x.amount.quantize(Decimal("0.01")), x.payee, x.memo, x.reference)


def import_all(history: list[ParsedLine], spans: list[list[int]]) -> Counter[tuple[object, ...]]:
    known: set[str] = set()
    kept: Counter[tuple[object, ...]] = Counter()
    for lo, hi in spans:
        lines = _window(history, lo, hi)
        identities = line_identities(lines)
        assert len(set(identities)) == len(identities)
        for x, identity in zip(lines, identities, strict=True):
            if identity not in known:
                known.add(identity)
                kept[_as_seen(x)] += 1
    return kept


@settings(max_examples=300, deadline=None)
@given(histories(), windows)
def test_overlapping_imports_keep_exactly_the_union(
    history: list[ParsedLine], spans: list[list[int]]
) -> None:
    days = {d for lo, hi in spans for d in range(lo, hi + 1)}
    union = [x for x in history if (x.date - START).days in days]
    kept = import_all(history, spans)

    # Text differing only in case or spacing is the same line for the bank's export too.
    def norm(t: tuple[object, ...]) -> tuple[object, ...]:
        return tuple(" ".join(v.split()).casefold() if isinstance(v, str) else v for v in t)

    assert Counter(norm(k) for k in kept.elements()) == Counter(norm(_as_seen(x)) for x in union)


@settings(max_examples=100, deadline=None)
@given(histories())
def test_the_same_file_again_is_all_known(history: list[ParsedLine]) -> None:
    assert line_identities(history) == line_identities(list(history))
    assert sum(import_all(history, [[0, DAYS - 1], [0, DAYS - 1]]).values()) == len(history)


def test_identical_lines_differ_by_their_occurrence_only() -> None:
    coffee = line("2026-01-05", "-4.50", "Corner Coffee")
    first, second = line_identities([coffee, coffee])
    assert first != second
    assert first.startswith("h:")
    assert second.startswith("h:")
    assert line_identities([coffee]) == [first]


def test_a_unique_bank_id_is_the_identity_and_a_repeated_one_is_not() -> None:
    a = line("2026-01-05", "-4.50", "Coffee", bank_id="  A1 ")
    b = line("2026-01-06", "-9.00", "Lunch", bank_id="B")
    c = line("2026-01-07", "-9.00", "Dinner", bank_id="B")
    ids = line_identities([a, b, c])
    assert ids[0] == "id:A1"
    assert ids[1].startswith("h:")
    assert ids[2].startswith("h:")


def test_amounts_are_compared_to_the_cent() -> None:
    assert line_identities([line("2026-01-05", "-4.5")]) == line_identities(
        [line("2026-01-05", "-4.50")]
    )
    assert line_identities([line("2026-01-05", "-4.51")]) != line_identities(
        [line("2026-01-05", "-4.50")]
    )
