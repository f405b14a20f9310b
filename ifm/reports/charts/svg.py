"""Charts as SVG drawn on the server: bars, lines and progress towards goals.

Each builder takes plain data (labels and `Decimal` values) and answers a `Chart`: the SVG and
the same numbers as a table. A page shows both (`Chart.html()`: the figure, then the table for
screen readers), so nobody depends on seeing the picture.

The SVG is placed in the page itself and is safe under the Content-Security-Policy: no script,
no `<style>` element, no `style` attribute; colors are presentation attributes, text follows the
page's color (`currentColor`), and hovering a bar or point shows its figure through an SVG
`<title>`. Geometry is computed in `Decimal` like the figures, rounded to a tenth of a unit.

    bar_chart(key="revenue-expenses", title="Revenue and expenses by month",
              labels=["Jan", "Feb"], series=[Series("Revenue", [Decimal("10"), ...]), ...])
    line_chart(...)       the same arguments, one line per series
    progress_chart(key=..., title=..., items=[Progress("Spring appeal", raised, goal), ...])

A value may be None where nothing was counted (a day without requests has no error rate): no
bar or point is drawn for it, a line breaks there, and the table says "no data", never zero.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from html import escape

from django.template.loader import render_to_string
from django.utils.safestring import SafeData, SafeString, mark_safe


def _html(template: str, *args: object) -> str:
    """Django's format_html for a chart's many small elements, at a fraction of its cost: each
    argument escaped by the standard library (the same five characters), safe strings as they
    are. A chart of 90 days has hundreds of elements; Django's lazy-aware escaping of each
    argument was most of a chart's time."""
    return template.format(
        *(a if isinstance(a, SafeData) else escape(str(a), quote=True) for a in args)
    )


# Colorblind-safe, each at least 3:1 against white and against the dark theme's background.
PALETTE = ("#2f6fdb", "#c25e00", "#1e8449", "#8e44ad", "#b03a2e", "#5d6d7e")
WIDTH, HEIGHT = 640, 280
LEFT, RIGHT, TOP, BOTTOM = 64, 12, 34, 30  # room for the axis labels and the legend
TENTH = Decimal("0.1")
HUNDREDTH = Decimal("0.01")
ZERO = Decimal(0)


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[Decimal | None]


@dataclass(frozen=True)
class Progress:
    label: str
    value: Decimal
    goal: Decimal

    @property
    def percent(self) -> int:
        if self.goal <= 0:
            return 100 if self.value > 0 else 0
        return int((self.value / self.goal * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class Chart:
    """A chart: `svg` (markup) and its numbers (a value per label and series, as in the table)."""

    key: str
    title: str
    svg: SafeString
    labels: list[str]
    series: list[Series]
    description: str = ""
    extra_columns: list[tuple[str, list[str]]] = field(default_factory=list)

    def html(self) -> SafeString:
        """The chart as a `<figure>`: title, picture, and its numbers in a table that screen
        readers read (visually hidden)."""
        return mark_safe(render_to_string("reports/_chart.html", {"chart": self}))

    def rows(self) -> list[tuple[str, list[Decimal | None], list[str]]]:
        return [
            (
                label,
                [s.values[i] for s in self.series],
                [values[i] for _, values in self.extra_columns],
            )
            for i, label in enumerate(self.labels)
        ]

    def table_rows(self) -> list[tuple[str, list[str | None], list[str]]]:
        """`rows()` with each figure as the table shows it (`figure_text`), None for no data."""
        return [
            (label, [None if v is None else figure_text(v) for v in values], extra)
            for label, values, extra in self.rows()
        ]


def _q(value: Decimal) -> str:
    text = f"{value.quantize(TENTH, rounding=ROUND_HALF_UP):f}"
    return text[:-2] if text.endswith(".0") else text


def compact(value: Decimal) -> str:
    """An axis label: 1.5k, 2M, 750."""
    size = abs(value)
    for limit, suffix in ((Decimal(10) ** 9, "B"), (Decimal(10) ** 6, "M"), (Decimal(1000), "k")):
        if size >= limit:
            scaled = (value / limit).quantize(TENTH, rounding=ROUND_HALF_UP).normalize()
            return f"{scaled:f}{suffix}"
    return f"{value.quantize(Decimal(1), rounding=ROUND_HALF_UP):f}"


def figure_text(value: Decimal) -> str:
    """A figure in a chart's table: two decimals rounded half up, thousands grouped (what the
    template filter floatformat:"2g" gives in English, without its cost per number: a chart of
    90 days has hundreds); never "-0.00"."""
    rounded = Decimal(value).quantize(HUNDREDTH, rounding=ROUND_HALF_UP)
    if not rounded:
        rounded = abs(rounded)
    return f"{rounded:,f}"


def money(value: Decimal) -> str:
    return f"{value:,.2f}"


def nice_scale(low: Decimal, high: Decimal, ticks: int = 5) -> tuple[Decimal, Decimal, Decimal]:
    """A range covering `low`..`high` (and zero) in round steps: (bottom, top, step)."""
    low, high = min(low, ZERO), max(high, ZERO)
    if low == high:
        return ZERO, Decimal(1), Decimal(1)
    rough = (high - low) / ticks
    magnitude = Decimal(10) ** (rough.adjusted())
    step = next(m * magnitude for m in (1, 2, Decimal("2.5"), 5, 10) if m * magnitude >= rough)
    bottom = (low / step).to_integral_value(rounding="ROUND_FLOOR") * step
    top = (high / step).to_integral_value(rounding="ROUND_CEILING") * step
    return bottom, top, step


def _frame(key: str, title: str, body: list[str]) -> SafeString:
    parts = [
        _html(
            '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" width="100%" '
            'class="report-chart" role="img" aria-labelledby="chart-{}-title" '
            'font-family="system-ui, sans-serif" font-size="12">'
            '<title id="chart-{}-title">{}</title>',
            WIDTH,
            HEIGHT,
            key,
            key,
            title,
        ),
        *body,
        "</svg>",
    ]
    return mark_safe("".join(parts))


def _legend(series: Sequence[Series]) -> list[str]:
    out: list[str] = []
    x = LEFT
    for index, one in enumerate(series):
        color = PALETTE[index % len(PALETTE)]
        out.append(
            _html(
                '<rect x="{}" y="8" width="12" height="12" fill="{}"/>'
                '<text x="{}" y="18" fill="currentColor">{}</text>',
                x,
                color,
                x + 16,
                one.name,
            )
        )
        x += 28 + 7 * len(one.name)
    return out


def _value_axis(
    bottom: Decimal, top: Decimal, step: Decimal
) -> tuple[list[str], Callable[[Decimal], Decimal]]:
    height = Decimal(HEIGHT - TOP - BOTTOM)

    def y(value: Decimal) -> Decimal:
        return Decimal(TOP) + (top - value) * height / (top - bottom)

    out: list[str] = []
    tick = bottom
    while tick <= top:
        out.append(
            _html(
                '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="currentColor" '
                'stroke-opacity="{}"/>'
                '<text x="{}" y="{}" text-anchor="end" fill="currentColor">{}</text>',
                LEFT,
                WIDTH - RIGHT,
                _q(y(tick)),
                _q(y(tick)),
                "0.6" if tick == 0 else "0.15",
                LEFT - 6,
                _q(y(tick) + 4),
                compact(tick),
            )
        )
        tick += step
    return out, y


def _category_labels(labels: Sequence[str], centers: Sequence[Decimal]) -> list[str]:
    every = 1 if len(labels) <= 16 else 2 if len(labels) <= 32 else 4
    return [
        _html(
            '<text x="{}" y="{}" text-anchor="middle" fill="currentColor">{}</text>',
            _q(x),
            HEIGHT - BOTTOM + 18,
            label,
        )
        for index, (label, x) in enumerate(zip(labels, centers, strict=True))
        if index % every == 0
    ]


def _range(series: Sequence[Series]) -> tuple[Decimal, Decimal]:
    values = [v for s in series for v in s.values if v is not None] or [ZERO]
    return min(values), max(values)


def _runs(
    points: Sequence[tuple[Decimal, Decimal] | None],
) -> list[list[tuple[Decimal, Decimal]]]:
    """The stretches of consecutive points between the missing ones (a line breaks at a gap)."""
    runs: list[list[tuple[Decimal, Decimal]]] = [[]]
    for point in points:
        if point is None:
            if runs[-1]:
                runs.append([])
        else:
            runs[-1].append(point)
    return [run for run in runs if run]


def bar_chart(
    *,
    key: str,
    title: str,
    labels: Sequence[str],
    series: Sequence[Series],
    axis_labels: Sequence[str] | None = None,
    description: str = "",
) -> Chart:
    """Bars grouped by label, one color per series; negative values hang below zero."""
    bottom, top, step = nice_scale(*_range(series))
    body, y = _value_axis(bottom, top, step)
    y0 = y(ZERO)
    slot = Decimal(WIDTH - LEFT - RIGHT) / max(len(labels), 1)
    bar = slot * Decimal("0.8") / max(len(series), 1)
    centers = []
    for i, label in enumerate(labels):
        start = Decimal(LEFT) + slot * i + slot * Decimal("0.1")
        centers.append(Decimal(LEFT) + slot * i + slot / 2)
        for j, one in enumerate(series):
            value = one.values[i]
            if value is None:
                continue
            top_y = min(y(value), y0)
            body.append(
                _html(
                    '<rect x="{}" y="{}" width="{}" height="{}" fill="{}">'
                    "<title>{}, {}: {}</title></rect>",
                    _q(start + bar * j),
                    _q(top_y),
                    _q(max(bar - Decimal("1.5"), Decimal(1))),
                    _q(abs(y(value) - y0)),
                    PALETTE[j % len(PALETTE)],
                    one.name,
                    label,
                    money(value),
                )
            )
    body += _category_labels(axis_labels or labels, centers)
    body += _legend(series)
    return Chart(key, title, _frame(key, title, body), list(labels), list(series), description)


def line_chart(
    *,
    key: str,
    title: str,
    labels: Sequence[str],
    series: Sequence[Series],
    axis_labels: Sequence[str] | None = None,
    description: str = "",
) -> Chart:
    """One line per series across the labels (dates, months), a marker at each point."""
    bottom, top, step = nice_scale(*_range(series))
    body, y = _value_axis(bottom, top, step)
    count = max(len(labels), 1)
    slot = Decimal(WIDTH - LEFT - RIGHT) / count
    centers = [Decimal(LEFT) + slot * i + slot / 2 for i in range(len(labels))]
    for j, one in enumerate(series):
        color = PALETTE[j % len(PALETTE)]
        points = [
            None if v is None else (x, y(v)) for x, v in zip(centers, one.values, strict=True)
        ]
        for run in _runs(points):
            body.append(
                _html(
                    '<polyline fill="none" stroke="{}" stroke-width="2.5" points="{}"/>',
                    color,
                    " ".join(f"{_q(px)},{_q(py)}" for px, py in run),
                )
            )
        for point, label, value in zip(points, labels, one.values, strict=True):
            if point is None or value is None:
                continue
            px, py = point
            body.append(
                _html(
                    '<circle cx="{}" cy="{}" r="3.5" fill="{}"><title>{}, {}: {}</title></circle>',
                    _q(px),
                    _q(py),
                    color,
                    one.name,
                    label,
                    money(value),
                )
            )
    body += _category_labels(axis_labels or labels, centers)
    body += _legend(series)
    return Chart(key, title, _frame(key, title, body), list(labels), list(series), description)


def progress_chart(
    *, key: str, title: str, items: Sequence[Progress], description: str = ""
) -> Chart:
    """One bar per item (a campaign): its goal as the track, the amount raised filled in, and
    "raised of goal (percent)" beside it. A bar stops full when the goal is passed."""
    row = 34
    height = max(len(items), 1) * row + 12
    body = []
    track = Decimal(WIDTH - 2 * LEFT - 150)
    for i, item in enumerate(items):
        top = 8 + i * row
        share = min(max(item.percent, 0), 100)
        body.append(
            _html(
                '<text x="0" y="{}" fill="currentColor">{}</text>'
                '<rect x="{}" y="{}" width="{}" height="14" rx="3" fill="currentColor" '
                'fill-opacity="0.12"/>'
                '<rect x="{}" y="{}" width="{}" height="14" rx="3" fill="{}">'
                "<title>{}: {} of {} ({}%)</title></rect>"
                '<text x="{}" y="{}" fill="currentColor">{} of {} ({}%)</text>',
                top + 12,
                item.label[:28],
                LEFT * 2,
                top + 1,
                _q(track),
                LEFT * 2,
                top + 1,
                _q(track * share / 100),
                PALETTE[0],
                item.label,
                money(item.value),
                money(item.goal),
                item.percent,
                _q(LEFT * 2 + track + 8),
                top + 12,
                compact(item.value),
                compact(item.goal),
                item.percent,
            )
        )
    svg = _html(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" width="100%" '
        'class="report-chart" role="img" aria-labelledby="chart-{}-title" '
        'font-family="system-ui, sans-serif" font-size="12"><title id="chart-{}-title">{}</title>'
        "{}</svg>",
        WIDTH,
        height,
        key,
        key,
        title,
        mark_safe("".join(body)),
    )
    return Chart(
        key,
        title,
        mark_safe(svg),
        [item.label for item in items],
        [Series("Raised", [item.value for item in items]), Series("Goal", [i.goal for i in items])],
        description,
        [("Percent of goal", [f"{item.percent}%" for item in items])],
    )
