"""The backup alerts (issue: backup older than 26 hours, restore verification failed) driven by
real backups and real restore checks, read through the same records the operations page and
/metrics read."""

from __future__ import annotations

import io
import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from ifm.ops import alerts, selectors
from ifm.ops.backups.models import BackupRun

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _quiet_other_rules(settings: Any, tmp_path: Path) -> None:
    # Only the backup rules are looked at here: the test machine's own load and latency must
    # not add alerts of their own.
    settings.ALERT_THRESHOLDS = {"p95_ms": 10**9}
    settings.HOST_LOADAVG_PATH = str(tmp_path / "no-loadavg")


def run(*args: str) -> None:
    call_command(*args, stdout=io.StringIO(), stderr=io.StringIO())


def backup_keys(outcome: alerts.Outcome) -> set[str]:
    return {a.key for a in outcome.opened} & {"backup_stale", "restore_verification_failed"}


def test_a_stale_backup_and_a_failed_restore_check_fire_and_resolve(
    cast: dict[str, Any], tmp_path: Path
) -> None:
    folder = tmp_path / "backups"
    now = timezone.now()
    # Never backed up: quiet (backups not set up yet).
    assert backup_keys(alerts.evaluate_alerts(now=now)) == set()

    run("backup", "--to", str(folder))
    assert selectors.last_backup_times()["backup"] is not None
    assert backup_keys(alerts.evaluate_alerts(now=now + timedelta(hours=25))) == set()
    stale = alerts.evaluate_alerts(now=now + timedelta(hours=27))
    assert backup_keys(stale) == {"backup_stale"}

    # A backup damaged on its way: the restore check fails and says so.
    (manifest,) = folder.glob("*.manifest.json")
    dump = folder / json.loads(manifest.read_text())["file"]
    raw = bytearray(dump.read_bytes())
    raw[len(raw) // 2] ^= 0x01
    dump.write_bytes(bytes(raw))
    with pytest.raises(CommandError):
        run("restore", "--verify", str(dump))
    assert BackupRun.objects.filter(kind="verify", ok=False).exists()
    assert selectors.last_backup_failed_verification()
    failed = alerts.evaluate_alerts(now=now + timedelta(hours=27, minutes=1))
    assert backup_keys(failed) == {"restore_verification_failed"}

    # A new backup that verifies resolves both.
    for old in folder.iterdir():
        old.unlink()
    run("backup", "--to", str(folder))
    run("restore", "--verify", "latest", "--from", str(folder))
    assert not selectors.last_backup_failed_verification()
    later = alerts.evaluate_alerts(now=timezone.now() + timedelta(minutes=1))
    assert {a.key for a in later.resolved} >= {"backup_stale", "restore_verification_failed"}
