"""The banking benchmark (bench/banking.py) in its quick mode: every measurement runs and does
what it measures, so the benchmark cannot rot between the runs that matter."""

from __future__ import annotations

import pytest

from bench import banking
from bench.__main__ import BENCHMARKS

pytestmark = pytest.mark.django_db


def test_the_banking_benchmark_runs_in_quick_mode() -> None:
    printed: list[str] = []
    figures = banking.run(banking.QUICK, slug="bench-quick", out=printed.append)
    names = [figure.name for figure in figures]
    assert names == [
        "import OFX, 400 lines",
        "import CAMT.053, 400 lines",
        "the same OFX again (all duplicates)",
        "suggest_all 100 x 1,000",
        "matching page, 1,000 lines reconciled monthly",
        "reconciliation page, 1,000 lines reconciled monthly",
        "matching page, 1,000 lines none matched",
        "reconciliation page, 1,000 lines none matched",
    ]
    for figure in figures:
        assert figure.floor_seconds > 0, figure
        assert figure.seconds > 0, figure
        assert figure.ratio > 0
    # One printed line per figure, beside its floor and as a ratio, after the header.
    assert len(printed) == len(figures) + 1
    assert all("floor" in line and "ratio" in line for line in printed[1:])


def test_a_figure_reads_as_a_ratio_to_its_floor() -> None:
    figure = banking.Figure("page", 0.040, 0.002, 0.100)
    assert figure.ratio == pytest.approx(20.0)
    assert figure.met
    assert "ratio     20.0" in figure.line()
    assert "ok" in figure.line()
    assert not banking.Figure("slow", 6.0, 1.0, 5.0).met


def test_make_bench_runs_it() -> None:
    assert BENCHMARKS["banking"] is banking.main
