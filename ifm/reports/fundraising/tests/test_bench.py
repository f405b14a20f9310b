"""The fundraising benchmark (bench/fundraising.py) in its tiny version: the organization is
made through the donor import, every read runs and prints beside its floor, so the benchmark
cannot rot between the runs that matter."""

from __future__ import annotations

import pytest

from bench import fundraising
from bench.__main__ import BENCHMARKS
from ifm.core.org_context import org_context
from ifm.donors.models import Donation, Donor

pytestmark = pytest.mark.django_db


def test_the_fundraising_benchmark_runs_in_its_tiny_version() -> None:
    printed: list[str] = []
    sizes = fundraising.QUICK
    figures = fundraising.run(sizes, out=printed.append)

    org = fundraising.build(sizes, out=printed.append)  # made once, then reused
    assert printed[-1].startswith("  dataset: reused")
    with org_context(org):
        assert Donor.objects.count() == sizes.donors
        assert Donation.objects.count() == sizes.gifts
        assert Donation.objects.filter(status="voided").count() == sizes.voided
    names = [figure.name for figure in figures]
    assert "LYBUNT, this year" in names
    assert "reports home tie-out check, fiscal year to date" in names
    assert "reports home (with its tie-out check)" in names
    assert len(names) == len(set(names))
    for figure in figures:
        assert figure.p95_ms > 0, figure
        assert figure.floor_p95_ms > 0, figure
        assert figure.line().count("ms") >= 3


def test_a_figure_is_its_p95_beside_its_floor() -> None:
    figure = fundraising.Figure("report", 40.0, 80.0, 20.0, 100.0)
    assert figure.ratio == pytest.approx(4.0)
    assert figure.met
    assert "ok" in figure.line()
    assert "MISSED" in fundraising.Figure("slow", 90.0, 120.0, 20.0, 100.0).line()


def test_make_bench_runs_it() -> None:
    assert BENCHMARKS["fundraising"] is fundraising.main
