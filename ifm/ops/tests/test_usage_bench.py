"""The usage benchmark (bench/usage.py) in its quick sizes: both measurements run and measure
something, so the benchmark cannot rot between the runs that matter."""

from __future__ import annotations

from typing import Any

import pytest

from bench import usage as bench_usage
from bench.__main__ import BENCHMARKS
from ifm.core.org_context import all_organizations
from ifm.ops.models import UsageDay


@pytest.mark.django_db
def test_the_usage_benchmark_runs_in_quick_sizes(org_a: Any) -> None:
    assert BENCHMARKS["usage"] is bench_usage.main
    with all_organizations():
        ids = bench_usage.fill(orgs=2, members=3, days=7)
        assert UsageDay.objects.filter(organization_id__in=ids).exists()
        with_usage, without = bench_usage.count_cost(calls=200, rounds=2)
        assert with_usage > 0
        assert without > 0
        assert bench_usage.metrics_time(ids, days=7, runs=1) > 0
        took, shown = bench_usage.page_time(ids, days=7, runs=1)
        assert took > 0
        assert shown >= 2
