"""The receipt letter template's sandbox: what an organization's letter may say, and how long
it may take to say it.

Admins of every organization edit their letter, and letters are rendered in the shared worker
(a year-end run renders one per donor), so a template must not be able to read our internals or
burn the CPU. The letter engine therefore has:

- an allow-list of tags (`if`/`elif`/`else`, `for`/`empty`, `with`, `comment`, `now`,
  `firstof`, `spaceless`) and of filters whose output grows no faster than their input; every
  other tag (`debug`, `load`, `include`, `extends`, `lorem`, `templatetag`, ...) and filter is
  refused with a message naming it;
- `{% for %}` only over the receipt's own data (`gifts`, `donor.address`, `org.address`,
  `donor.members`, a loop variable, or a `with` name for one of these), never over a literal;
- a meter on every render: a wall-clock deadline (2 s), a budget of rendered nodes (50,000) and
  a cap on the characters produced (2,000,000). Exceeding one stops the render with a
  `ServiceError` on that receipt; no signal or thread is involved, so it is safe in any worker;
- at save time, a test render of a sample receipt with a year of weekly gifts, under a tighter
  meter (0.5 s, 10,000 nodes), so a saved letter has room for donors with many more gifts.

Templates saved before these rules are checked again before each render, so one that breaks
them is refused with the same message instead of being rendered.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable, Mapping
from contextvars import ContextVar
from datetime import date, timedelta
from decimal import Decimal
from functools import lru_cache, wraps
from types import MappingProxyType
from typing import Any, cast

from django.template import (
    Context,
    Engine,
    Library,
    Node,
    NodeList,
    TemplateSyntaxError,
    defaultfilters,
    defaulttags,
)
from django.template.base import Lexer, TextNode, Token, TokenType, Variable, VariableNode
from django.template.defaulttags import (
    CommentNode,
    FirstOfNode,
    ForNode,
    IfNode,
    NowNode,
    SpacelessNode,
    WithNode,
)

from ifm.core.errors import ServiceError
from ifm.donors.receipts import wording

FIELD = "letter_template"
MAX_SOURCE_CHARS = 50_000
RENDER_SECONDS = 2.0
MAX_NODES = 50_000  # a letter of 1,000 gifts renders about 15,000
# Saving asks more of the sample receipt than a render asks of a real one, so a letter that
# passes has room for donors with many more gifts than the sample.
CHECK_SECONDS = 0.5
CHECK_NODES = 10_000
MAX_OUTPUT_CHARS = 2_000_000
MAX_DECIMAL_PLACES = 20
MAX_DEPTH = 20  # blocks inside blocks; the default letter needs 3
SAMPLE_GIFTS = 60  # the test render's receipt: weekly gifts for a year, and some

# The names a letter's context has (receipts._letter_data, plus the logo).
CONTEXT_NAMES = frozenset(
    {
        "org",
        "donor",
        "receipt",
        "gifts",
        "donation_ids",
        "summary_statement",
        "totals",
        "thank_you",
        "signature",
        "intangible_religious_benefits_only",
        "logo",
    }
)

# The merge fields the settings page offers to insert: (label, what is inserted).
MERGE_FIELDS: tuple[tuple[str, str], ...] = (
    ("Donor's name", "{{ donor.name }}"),
    ("Greeting", "{{ donor.greeting }}"),
    ("Donor's address", "{% for line in donor.address %}{{ line }}<br>{% endfor %}"),
    ("Receipt number", "{{ receipt.number }}"),
    ("Receipt title", "{{ receipt.title }}"),
    ("Date issued", "{{ receipt.issued_on }}"),
    ("Tax year", "{{ receipt.tax_year }}"),
    ("Total of cash gifts", "{{ totals.cash_total }}"),
    ("Deductible total", "{{ totals.deductible_total }}"),
    ("Goods or services statement", "{{ summary_statement }}"),
    ("Thank-you text", "{{ thank_you }}"),
    ("Signer's name", "{{ signature.name }}"),
    ("Signer's title", "{{ signature.title }}"),
    ("Organization's legal name", "{{ org.legal_name }}"),
    ("Organization's address", "{% for line in org.address %}{{ line }}<br>{% endfor %}"),
    ("EIN", "{{ org.ein }}"),
    ("Logo", '{% if logo %}<img class="logo" src="{{ logo }}" alt="">{% endif %}'),
)

ALLOWED_TAGS = ("if", "for", "with", "comment", "now", "firstof", "spaceless")
# Parts of the allowed tags that are not tags of their own.
_TAG_PARTS = frozenset(
    {"elif", "else", "empty", "endif", "endfor", "endwith", "endcomment", "endspaceless"}
)
_BLOCKS = frozenset({"if", "for", "with", "spaceless"})
ALLOWED_FILTERS = (
    "capfirst",
    "cut",
    "date",
    "default",
    "default_if_none",
    "divisibleby",
    "escape",
    "first",
    "floatformat",
    "last",
    "length",
    "linebreaks",
    "linebreaksbr",
    "lower",
    "pluralize",
    "slice",
    "time",
    "title",
    "truncatechars",
    "truncatewords",
    "upper",
    "yesno",
)


class _Exceeded(Exception):
    """A render went over its time, node or output budget."""


class _Meter:
    """One render's budget. Once exceeded it stays exceeded, so a check swallowed by the
    template engine (an `{% if %}` comparison eats exceptions) trips again on the next node."""

    __slots__ = ("chars", "deadline", "exceeded", "max_nodes", "nodes", "seconds")

    def __init__(self, seconds: float, max_nodes: int) -> None:
        self.seconds = seconds
        self.deadline = time.monotonic() + seconds
        self.max_nodes = max_nodes
        self.nodes = 0
        self.chars = 0
        self.exceeded = ""

    def trip(self, why: str) -> None:
        """Stop the render, keeping the first reason the budget ran out."""
        self.exceeded = self.exceeded or why
        raise _Exceeded(self.exceeded)

    def check_time(self) -> None:
        if self.exceeded:
            raise _Exceeded(self.exceeded)
        if time.monotonic() > self.deadline:
            self.trip(f"it took more than {self.seconds:g} seconds")

    def tick(self) -> None:
        self.nodes += 1
        if self.nodes > self.max_nodes:
            self.trip(f"it rendered more than {self.max_nodes:,} pieces")
        self.check_time()

    def produced(self, count: int) -> None:
        self.chars += count
        if self.chars > MAX_OUTPUT_CHARS:
            self.trip(f"the letter grew past {MAX_OUTPUT_CHARS:,} characters")


_METER: ContextVar[_Meter | None] = ContextVar("letter_template_meter", default=None)


# --- The engine -----------------------------------------------------------------------------


def _metered_filter(func: Callable[..., Any]) -> Callable[..., Any]:
    """A filter that checks the clock before it runs and refuses an oversized result."""

    @wraps(func)
    def run(value: Any, *args: Any, **kwargs: Any) -> Any:
        meter = _METER.get()
        if meter is not None:
            meter.check_time()
        result = func(value, *args, **kwargs)
        if meter is not None and isinstance(result, str) and len(result) > MAX_OUTPUT_CHARS:
            meter.trip(f"a value grew past {MAX_OUTPUT_CHARS:,} characters")
        return result

    return run


def _floatformat(value: Any, arg: Any = -1) -> Any:
    places = re.sub(r"[gu]+$", "", str(arg))
    try:
        if abs(int(places)) > MAX_DECIMAL_PLACES:
            return value
    except ValueError:
        pass
    return defaultfilters.floatformat(value, arg)


_LIBRARY = Library()
for _name in ALLOWED_TAGS:
    _LIBRARY.tag(_name, defaulttags.register.tags[_name])
for _name in ALLOWED_FILTERS:
    _original = defaultfilters.register.filters[_name]
    _func = _floatformat if _name == "floatformat" else _original
    _LIBRARY.filter(
        _name,
        _metered_filter(_func),
        is_safe=getattr(_original, "is_safe", False),
        needs_autoescape=getattr(_original, "needs_autoescape", False),
        expects_localtime=getattr(_original, "expects_localtime", False),
    )

_ENGINE = Engine(
    dirs=[],
    app_dirs=False,
    loaders=[],
    libraries={},
    autoescape=True,
    debug=False,
    string_if_invalid="",
)
# Engine always adds Django's built-in tags and filters; the letter gets only its allow-list.
_ENGINE.template_builtins = [_LIBRARY]


class _Metered(Node):
    """Wraps each parsed node: a tick of the meter before it renders, and its output counted
    (only for nodes that make text; containers pass their children's text on)."""

    child_nodelists = ()

    def __init__(self, inner: Node) -> None:
        self.inner = inner
        self.leaf = not isinstance(inner, (IfNode, ForNode, WithNode, SpacelessNode))

    def render(self, context: Context) -> str:
        return self.render_annotated(context)

    def render_annotated(self, context: Context) -> str:
        meter = _METER.get()
        if meter is None:
            raise _Exceeded("it was rendered without a budget")
        meter.tick()
        output = cast(str, self.inner.render_annotated(context))
        if self.leaf:
            meter.produced(len(output))
        return output


# --- Checking a template ----------------------------------------------------------------------


_QUOTED = re.compile(r""""[^"\\]*(?:\\.[^"\\]*)*"|'[^'\\]*(?:\\.[^'\\]*)*'""")
_FILTER_NAME = re.compile(r"\|\s*(\w+)")


def _refuse(message: str) -> ServiceError:
    return ServiceError(f"The letter template {message}", field=FIELD)


class _Usage:
    """What a template's tokens use that letters may not: tags and filters, each named once
    in the order they first appear (nothing between {% comment %} and {% endcomment %}
    counts), and how deep its blocks nest so far."""

    def __init__(self) -> None:
        self.tags: list[str] = []
        self.filters: list[str] = []
        self.in_comment = False
        self.depth = 0

    def read(self, token: Token) -> None:
        if token.token_type == TokenType.BLOCK:
            bits = token.contents.split()
            name = bits[0] if bits else ""
            if self.in_comment:
                self.in_comment = name != "endcomment"
                return
            if name == "comment":
                self.in_comment = True
                return
            self._nest(name)
            self._tag(name)
        if token.token_type in (TokenType.BLOCK, TokenType.VAR) and not self.in_comment:
            self._filters(token.contents)

    def _nest(self, name: str) -> None:
        """Follow the depth of blocks; refuse one nested deeper than MAX_DEPTH."""
        if name in _BLOCKS:
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise _refuse(f"nests blocks more than {MAX_DEPTH} deep.")
        elif name.startswith("end") and name[3:] in _BLOCKS:
            self.depth -= 1

    def _tag(self, name: str) -> None:
        if name and name not in ALLOWED_TAGS and name not in _TAG_PARTS and name not in self.tags:
            self.tags.append(name)

    def _filters(self, contents: str) -> None:
        for name in _FILTER_NAME.findall(_QUOTED.sub("", contents)):
            if name not in ALLOWED_FILTERS and name not in self.filters:
                self.filters.append(name)

    def problems(self) -> list[str]:
        """The sentences naming the refused tags, then the refused filters."""
        problems = []
        if self.tags:
            used = ", ".join("{% " + name + " %}" for name in self.tags)
            allowed = ", ".join("{% " + name + " %}" for name in ALLOWED_TAGS)
            problems.append(f"uses tags letters may not use: {used} (allowed: {allowed})")
        if self.filters:
            problems.append(
                f"uses filters letters may not use: {', '.join(self.filters)} "
                f"(allowed: {', '.join(ALLOWED_FILTERS)})"
            )
        return problems


def _scan(source: str) -> None:
    """Name every tag and filter the template uses that letters may not, and refuse blocks
    nested deeper than MAX_DEPTH (the parser would run out of stack)."""
    usage = _Usage()
    for token in Lexer(source).tokenize():
        usage.read(token)
    problems = usage.problems()
    if problems:
        raise _refuse("; ".join(problems) + ".")


def _root(expression: Any) -> str | None:
    """The context name a filter expression starts from; None for a literal."""
    var = expression.var
    if isinstance(var, Variable) and var.lookups:
        return str(var.lookups[0])
    return None


def _assigned_names(nodelist: Iterable[Node]) -> set[str]:
    """Names set with `as` ({% now ... as x %}, {% firstof ... as x %}) anywhere in the
    template: they hold strings the template made, so no loop may go over them."""
    names: set[str] = set()
    for node in nodelist:
        if isinstance(node, (NowNode, FirstOfNode)) and node.asvar:
            names.add(node.asvar)
        for child in _children(node):
            names |= _assigned_names(child)
    return names


def _children(node: Node) -> list[NodeList]:
    if isinstance(node, IfNode):
        return [nodelist for _, nodelist in node.conditions_nodelists]
    if isinstance(node, ForNode):
        return [cast(NodeList, node.nodelist_loop), cast(NodeList, node.nodelist_empty)]
    if isinstance(node, (WithNode, SpacelessNode)):
        return [node.nodelist]
    return []


_KNOWN_NODES = (
    TextNode,
    VariableNode,
    IfNode,
    ForNode,
    WithNode,
    SpacelessNode,
    CommentNode,
    NowNode,
    FirstOfNode,
)


def _check_and_meter(nodelist: NodeList, scope: frozenset[str], assigned: set[str]) -> None:
    """Refuse loops over anything but the receipt's data, and wrap every node in the meter.
    `scope` holds the names a loop may go over here."""
    for index, node in enumerate(nodelist):
        if not isinstance(node, _KNOWN_NODES):  # fail closed: nothing unexpected renders
            raise _refuse(f"uses something letters may not use ({type(node).__name__}).")
        inner_scope = scope
        if isinstance(node, ForNode):
            root = _root(node.sequence)
            if root is None or root not in scope:
                shown = str(getattr(node.sequence, "token", node.sequence))
                shown = shown if len(shown) <= 40 else shown[:37] + "..."
                raise _refuse(
                    f"loops over {shown}: {{% for %}} may only go over the "
                    "receipt's lists (gifts, org.address, donor.address, donor.members) "
                    "or a loop variable, never over text or a number written in the template."
                )
            inner_scope = scope | set(node.loopvars)
        elif isinstance(node, WithNode):
            good = {n for n, e in node.extra_context.items() if _root(e) in scope}
            inner_scope = (scope - set(node.extra_context)) | good
        for child in _children(node):
            _check_and_meter(child, frozenset(inner_scope - assigned), assigned)
        nodelist[index] = _Metered(node)


@lru_cache(maxsize=64)
def _compile(source: str) -> Any:
    """The template parsed, checked and metered; a year-end run parses its letter once."""
    if len(source) > MAX_SOURCE_CHARS:
        raise _refuse(f"is longer than {MAX_SOURCE_CHARS:,} characters.")
    _scan(source)
    try:
        template = _ENGINE.from_string(source)
    except TemplateSyntaxError as exc:
        raise _refuse(f"has an error: {exc}") from exc
    assigned = _assigned_names(template.nodelist)
    _check_and_meter(template.nodelist, frozenset(CONTEXT_NAMES - assigned), assigned)
    return template


def _frozen(value: Any) -> Any:
    """The context as read-only values, so no template lookup (`gifts.clear`) can change the
    data the receipt keeps."""
    if isinstance(value, Mapping):
        return MappingProxyType({k: _frozen(v) for k, v in value.items()})
    if isinstance(value, (list, tuple)):
        return tuple(_frozen(v) for v in value)
    return value


def render(
    source: str,
    context: dict[str, Any],
    *,
    seconds: float = RENDER_SECONDS,
    max_nodes: int = MAX_NODES,
) -> str:
    """The letter body as HTML. A template that breaks the rules, fails or goes over its
    budget is a ServiceError naming the field; nothing is half-rendered."""
    template = _compile(source)
    meter = _Meter(seconds, max_nodes)
    token = _METER.set(meter)
    try:
        frozen = {key: _frozen(value) for key, value in context.items()}
        return str(template.render(Context(frozen, autoescape=True)))
    except _Exceeded as exc:
        raise _refuse(
            f"takes too much work to render ({exc}); simplify it, for example by removing "
            "loops inside loops."
        ) from exc
    except ServiceError:
        raise
    except Exception as exc:  # a bad filter argument, ...
        raise _refuse(f"could not be rendered: {exc}") from exc
    finally:
        _METER.reset(token)


def check(source: str) -> None:
    """What saving a template runs: the rules, then a test render of a sample receipt with
    many gifts under the same budget."""
    render(source, sample_context(), seconds=CHECK_SECONDS, max_nodes=CHECK_NODES)


def sample_context() -> dict[str, Any]:
    """A receipt as a letter sees it, with a year of weekly gifts and one of each kind."""
    start = date(2024, 1, 5)
    gifts = [
        wording.Gift(date=start + timedelta(weeks=i), amount=Decimal("25.00"), method="card")
        for i in range(SAMPLE_GIFTS - 2)
    ]
    gifts.append(
        wording.Gift(
            date=date(2024, 6, 1),
            amount=Decimal("150.00"),
            method="check",
            goods_services_description="a dinner ticket",
            goods_services_value=Decimal("60.00"),
        )
    )
    gifts.append(
        wording.Gift(
            date=date(2024, 9, 1), amount=Decimal("0"), method="in_kind", description="A piano"
        )
    )
    address = ["100 Main Street", "Suite 200", "Springfield, IL 62701"]
    return {
        "org": {
            "name": "Sample Org",
            "legal_name": "Sample Organization Inc.",
            "ein": "12-3456789",
            "address": address,
            "phone": "555-0100",
            "website": "https://example.org",
        },
        "donor": {
            "id": 1,
            "name": "The Smith Family",
            "kind": "individual",
            "is_organization": False,
            "greeting": "Dear The Smith Family",
            "email": "smith@example.org",
            "address": address,
            "household": "The Smith Family",
            "household_id": 1,
            "members": ["John Smith", "Jane Smith", "Alex Smith"],
            "members_display": "John Smith, Jane Smith and Alex Smith",
            "joint": True,
        },
        "receipt": {
            "number": 1234,
            "kind": "year_end",
            "title": "Year-end giving statement 2024",
            "issued_on": "January 15, 2025",
            "issued_date": "2025-01-15",
            "tax_year": 2024,
            "replaces": 1200,
        },
        "gifts": wording.gift_lines(gifts, religious_only=False),
        "donation_ids": list(range(1, SAMPLE_GIFTS + 1)),
        "summary_statement": wording.summary_statement(gifts, religious_only=False),
        "totals": wording.totals(gifts),
        "thank_you": "Thank you for your generous support.",
        "signature": {"name": "Pat Lee", "title": "Treasurer"},
        "intangible_religious_benefits_only": False,
        "logo": "",
    }
