"""The chart builders: SVG a page can hold under its Content-Security-Policy, with every figure
of the picture in the table beside it."""

from __future__ import annotations

from decimal import Decimal
from xml.etree import ElementTree

from defusedxml import ElementTree as SafeTree

from ifm.reports.charts.svg import (
    Progress,
    Series,
    bar_chart,
    compact,
    figure_text,
    line_chart,
    nice_scale,
    progress_chart,
)

SVG = "{http://www.w3.org/2000/svg}"
D = Decimal


def _parse(markup: str) -> ElementTree.Element:
    return SafeTree.fromstring(markup)


def test_nice_scale_covers_the_values_and_zero_in_round_steps() -> None:
    assert nice_scale(D("0"), D("1250")) == (D(0), D(1250), D(250))
    bottom, top, step = nice_scale(D("-320"), D("900"))
    assert bottom <= D("-320")
    assert top >= D("900")
    assert step == D(500) / 2
    assert nice_scale(D(0), D(0)) == (D(0), D(1), D(1))


def test_compact_axis_labels() -> None:
    assert [compact(D(v)) for v in ("750", "1500", "2000000", "-12500")] == [
        "750",
        "1.5k",
        "2M",
        "-12.5k",
    ]


def test_bar_chart_is_csp_safe_and_escapes_labels() -> None:
    chart = bar_chart(
        key="r",
        title="Revenue <and> expenses",
        labels=["2026-01", "<script>"],
        series=[Series("Revenue", [D("100.00"), D("-40.00")]), Series("Expenses", [D(60), D(0)])],
    )
    root = _parse(chart.svg)
    assert root.get("role") == "img"
    assert root.find(f"{SVG}title").text == "Revenue <and> expenses"  # type: ignore[union-attr]
    markup = str(chart.svg)
    assert "<script" not in markup
    assert "<style" not in markup
    assert "style=" not in markup
    assert "&lt;script&gt;" in markup
    bars = root.findall(f"{SVG}rect[{SVG}title]")
    assert len(bars) == 4
    assert bars[0].find(f"{SVG}title").text == "Revenue, 2026-01: 100.00"  # type: ignore[union-attr]
    negative = bars[1]  # Revenue, "<script>": -40 hangs below zero, taller than zero
    assert Decimal(negative.get("height", "0")) > 0


def test_the_figure_holds_the_same_numbers_as_a_table() -> None:
    chart = line_chart(
        key="n",
        title="Net assets",
        labels=["2026-01-31", "2026-02-28"],
        series=[Series("Total", [D("1000.00"), D("1250.50")])],
    )
    html = str(chart.html())
    assert '<table class="visually-hidden" id="chart-n-table">' in html
    assert "<td>1,250.50</td>" in html
    assert len(_parse(chart.svg).findall(f"{SVG}circle")) == 2


def test_progress_chart_caps_the_bar_and_tells_the_percent() -> None:
    chart = progress_chart(
        key="c",
        title="Campaigns",
        items=[Progress("Spring", D("1500"), D("1000")), Progress("Gala", D("250"), D("1000"))],
    )
    root = _parse(chart.svg)
    fills = [r for r in root.findall(f"{SVG}rect") if r.find(f"{SVG}title") is not None]
    widths = [Decimal(r.get("width", "0")) for r in fills]
    assert widths[0] == 4 * widths[1]  # 100% (capped) against 25%
    html = str(chart.html())
    assert "<td>150%</td>" in html
    assert "<td>25%</td>" in html


def test_a_value_with_no_data_is_a_gap_never_a_zero() -> None:
    labels = ["Mon", "Tue", "Wed", "Thu"]
    series = [Series("Error rate %", [D("2"), None, D("1"), D("3")])]
    line = line_chart(key="gaps", title="Gaps", labels=labels, series=series)
    root = _parse(line.svg)
    # The line breaks at Tuesday: two stretches, and a point for each day that has a value.
    lines = root.findall(f"{SVG}polyline")
    assert [len(p.get("points", "").split()) for p in lines] == [1, 2]
    assert len(root.findall(f"{SVG}circle")) == 3
    bars = bar_chart(key="gap-bars", title="Gaps", labels=labels, series=series)
    assert len(_parse(bars.svg).findall(f"{SVG}rect")) == 3 + 1  # the bars, and the legend's
    assert bars.rows()[1] == ("Tue", [None], [])
    assert "<td>no data</td>" in bars.html()


def test_a_figure_in_the_table_reads_as_the_floatformat_filter_writes_it() -> None:
    from django.template.defaultfilters import floatformat

    values = [D("0"), D("-0.004"), D("0.005"), D("-0.005"), D("1.005"), D("2.675"), D("-1234.5")]
    values += [D("1000000"), D("999.995"), D("12345678.901"), D("0.1"), D(7), D("-0")]
    values += [D(n) / 1000 for n in range(-3000, 3000, 7)]
    for value in values:
        assert figure_text(value) == floatformat(value, "2g"), value


def test_chart_text_is_escaped_once() -> None:
    hostile = "<b>&'\""
    chart = bar_chart(key="esc", title=hostile, labels=[hostile], series=[Series(hostile, [D(1)])])
    assert "<b>" not in chart.svg
    assert "&amp;lt;" not in chart.svg
    # the title, the bar's name and label, the axis label, the legend
    assert chart.svg.count("&lt;b&gt;&amp;&#x27;&quot;") == 5
    _parse(chart.svg)
