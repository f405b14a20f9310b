"""docs/ops/prometheus-alerts.yml is a valid Prometheus rule file with the platform's rules."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from ifm.ops import metrics

PROMTOOL = shutil.which("promtool")
RULES = Path(__file__).resolve().parents[3] / "docs" / "ops" / "prometheus-alerts.yml"


@pytest.mark.skipif(
    PROMTOOL is None,
    reason="promtool is not installed (Debian package `prometheus`, "
    "scripts/ensure-system-packages.sh installs it)",
)
def test_promtool_accepts_the_rules() -> None:
    assert PROMTOOL is not None
    done = subprocess.run(  # noqa: S603 (our own file, the installed promtool)
        [PROMTOOL, "check", "rules", str(RULES)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "SUCCESS: 11 rules found" in done.stdout


def test_the_rules_read_metrics_the_platform_exports() -> None:
    text = RULES.read_text()
    for name in (
        "ifm_http_requests_total",
        "ifm_http_request_duration_seconds_bucket",
        "ifm_signin_failures_total",
        "ifm_jobs_failed_total",
        "ifm_job_queue_oldest_age_seconds",
        "ifm_host_cpu_load_per_core",
        "ifm_db_longest_query_seconds",
        "ifm_db_lock_waits",
        "ifm_backup_last_success_timestamp_seconds",
    ):
        assert name in text
    assert metrics.LATENCY_BUCKETS[5] == 1.0  # the p95 > 1 s rule needs an edge at 1 s
