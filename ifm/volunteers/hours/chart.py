"""A bar chart of hours by month as SVG drawn on the server (volunteers may not import the
reports app's charts, so this is a small one of its own, drawn the same safe way).

No script, no `<style>`, no `style` attribute (the Content-Security-Policy refuses them):
colors are presentation attributes, text follows the page's color, each bar's figure shows on
hover through an SVG `<title>`, and the same numbers are in a table for screen readers."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 48, 8, 12, 28
BAR_COLOR = "#2f6fdb"
TENTH = Decimal("0.1")


def _nice_top(value: Decimal) -> Decimal:
    """The axis' top: the smallest of 1, 2, 2.5, 5 x 10^n at or above the largest value."""
    if value <= 0:
        return Decimal(1)
    power = Decimal(10) ** (len(str(int(value))) - 1)
    for step in (1, 2, Decimal("2.5"), 5, 10):
        if value <= power * step:
            return power * Decimal(step)
    return power * 10  # pragma: no cover - the loop always ends at 10


def _r(value: Decimal) -> str:
    return str(value.quantize(TENTH, rounding=ROUND_HALF_UP))


def bar_chart(title: str, labels: list[str], values: list[Decimal]) -> SafeString:
    """An SVG of one bar per label (`values` are hours), with a labelled vertical axis."""
    top = _nice_top(max(values, default=Decimal(0)))
    plot_w = Decimal(WIDTH - LEFT - RIGHT)
    plot_h = Decimal(HEIGHT - TOP - BOTTOM)
    slot = plot_w / max(len(labels), 1)
    bar_w = slot * Decimal("0.7")
    ticks = []
    for i in range(5):
        tick = top * i / 4
        y = Decimal(TOP) + plot_h - plot_h * i / 4
        ticks.append(
            (
                LEFT,
                _r(y),
                WIDTH - RIGHT,
                _r(y),
                LEFT - 6,
                _r(y + 4),
                f"{tick.normalize():f}",
            )
        )
    grid = format_html_join(
        "",
        '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="currentColor" stroke-opacity="0.15"/>'
        '<text x="{}" y="{}" text-anchor="end" font-size="11" fill="currentColor">{}</text>',
        ticks,
    )
    bars = []
    every = max(1, len(labels) // 12)
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        height = plot_h * value / top if top else Decimal(0)
        x = Decimal(LEFT) + slot * i + (slot - bar_w) / 2
        y = Decimal(TOP) + plot_h - height
        show = i % every == 0
        bars.append(
            (
                _r(x),
                _r(y),
                _r(bar_w),
                _r(height),
                BAR_COLOR,
                f"{label}: {value:.2f} h",
                _r(x + bar_w / 2),
                HEIGHT - 8,
                label if show else "",
            )
        )
    drawn = format_html_join(
        "",
        '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"><title>{}</title></rect>'
        '<text x="{}" y="{}" text-anchor="middle" font-size="11" fill="currentColor">{}</text>',
        bars,
    )
    return format_html(
        '<svg viewBox="0 0 {} {}" width="100%" role="img" aria-label="{}" '
        'xmlns="http://www.w3.org/2000/svg">{}{}</svg>',
        WIDTH,
        HEIGHT,
        title,
        grid,
        drawn,
    )
