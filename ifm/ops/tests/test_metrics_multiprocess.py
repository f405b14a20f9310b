"""Under gunicorn each worker process counts its own requests; with PROMETHEUS_MULTIPROC_DIR
a scrape adds them all up, and a server start empties the directory."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.parser import text_string_to_metric_families

from ifm.ops.multiproc import clean_multiprocess_dir

ROOT = Path(__file__).resolve().parents[3]
COUNT_REQUESTS = """
import sys, django
django.setup()
from ifm.ops import metrics
for _ in range(int(sys.argv[1])):
    metrics.observe_request("healthz", "GET", "2xx", 0.01)
metrics.observe_request("donors:donor_list", "GET", "5xx", 0.2)
"""


def _process(directory: Path, requests: int) -> None:
    env = {
        **os.environ,
        "PROMETHEUS_MULTIPROC_DIR": str(directory),
        "DJANGO_SETTINGS_MODULE": "ifm.settings",
    }
    subprocess.run(  # noqa: S603 (this interpreter, our own snippet)
        [sys.executable, "-c", COUNT_REQUESTS, str(requests)], env=env, cwd=ROOT, check=True
    )


def _totals(directory: Path) -> dict[tuple[str, str], float]:
    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=str(directory))
    totals: dict[tuple[str, str], float] = {}
    for family in text_string_to_metric_families(generate_latest(registry).decode()):
        for s in family.samples:
            if s.name == "ifm_http_requests_total":
                totals[(s.labels["route"], s.labels["status"])] = s.value
    return totals


def test_two_processes_add_up_and_a_start_empties_the_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    directory = tmp_path / "metrics"
    directory.mkdir()
    _process(directory, 2)
    _process(directory, 3)
    assert _totals(directory) == {("healthz", "2xx"): 5.0, ("donors:donor_list", "5xx"): 2.0}

    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(directory))
    assert clean_multiprocess_dir() == directory
    assert list(directory.iterdir()) == []
    assert _totals(directory) == {}
