"""The volunteers benchmark (bench/volunteers.py) in its quick mode: every measurement runs and
does what it measures, so the benchmark cannot rot between the runs that matter."""

from __future__ import annotations

import pytest
from django.db import connection

from bench import volunteers
from bench.__main__ import BENCHMARKS
from ifm.core.org_context import org_context


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="The race needs concurrent transactions on separate connections (PostgreSQL).",
)
def test_the_volunteers_benchmark_runs_in_quick_mode() -> None:
    printed: list[str] = []
    figures = volunteers.run(volunteers.QUICK, slug="bench-quick", out=printed.append)
    assert [f.name for f in figures][:2] == [
        "40 sign-ups for 10 places, 8 threads",
        "shift list, 100 upcoming shifts",
    ]
    for figure in figures:
        assert figure.floor_seconds > 0, figure
        assert figure.seconds > 0, figure
    assert "10 confirmed, 30 waitlisted" in figures[0].detail
    assert all("ratio" in line or "skipped" in line for line in printed[1:])


@pytest.mark.django_db
def test_the_page_timings_run_on_any_database() -> None:
    setup = volunteers._setup("bench-pages")
    printed: list[str] = []
    with org_context(setup.org):
        figures = volunteers.bench_pages(setup, volunteers.QUICK, printed.append)
    assert figures[0].name == "shift list, 100 upcoming shifts"
    assert figures[0].seconds > 0
    # The public page and the kiosk are measured once they exist, and said to be skipped before.
    assert len(figures) + len(printed) == 3


def test_make_bench_runs_it() -> None:
    assert BENCHMARKS["volunteers"] is volunteers.main
