"""Settings come from the environment; a bad value stops `ifm` at start and names the variable."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
GOOD_SECRET = "k" * 20 + "-production-secret-for-the-settings-test-" + "x" * 20


def run_ifm(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    base = {
        key: value
        for key, value in os.environ.items()
        # The browser tests set DJANGO_ALLOW_ASYNC_UNSAFE process-wide: keep it out of checks.
        if key
        not in {
            "DATABASE_URL",
            "DEBUG",
            "IFM_ENV",
            "SECRET_KEY",
            "ALLOWED_HOSTS",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
        }
    }
    base.pop("DJANGO_SETTINGS_MODULE", None)
    base["IFM_VAR_DIR"] = str(tmp_path)
    return subprocess.run(  # noqa: S603
        [sys.executable, "-m", "ifm.cli", *args],
        env={**base, **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"DEBUG": "maybe"}, "DEBUG='maybe' is not a boolean"),
        ({"AXES_FAILURE_LIMIT": "five"}, "AXES_FAILURE_LIMIT='five' is not a whole number"),
        ({"EMAIL_PORT": "70000"}, "EMAIL_PORT=70000 is above the maximum 65535"),
        ({"SESSION_IDLE_TIMEOUT_MINUTES": "0"}, "SESSION_IDLE_TIMEOUT_MINUTES=0 is below"),
        ({"DATABASE_URL": "mysql://ifm@db/ifm"}, "DATABASE_URL names an unsupported database"),
        ({"IFM_ENV": "prod"}, "IFM_ENV='prod' must be development, test or production"),
        ({"LOG_LEVEL": "loud"}, "LOG_LEVEL='LOUD' is not a log level"),
        ({"SUPPORT_HOLIDAYS": "2026-12-25,Dec 26"}, "SUPPORT_HOLIDAYS: 'Dec 26' is not a date"),
        ({"IFM_ENV": "production"}, "SECRET_KEY must be set"),
        ({"IFM_ENV": "production", "SECRET_KEY": "short"}, "SECRET_KEY must be at least 50"),
        (
            {"IFM_ENV": "production", "SECRET_KEY": GOOD_SECRET, "DEBUG": "1"},
            "DEBUG must be off when IFM_ENV=production",
        ),
    ],
)
def test_bad_setting_stops_start_naming_the_variable(
    tmp_path: Path, env: dict[str, str], named: str
) -> None:
    result = run_ifm(tmp_path, "check", **env)
    assert result.returncode != 0
    assert result.stderr.startswith("Configuration error: ")
    assert named in result.stderr
    assert "Traceback" not in result.stderr


def test_production_settings_pass_the_deploy_check(tmp_path: Path) -> None:
    result = run_ifm(
        tmp_path,
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        IFM_ENV="production",
        SECRET_KEY=GOOD_SECRET,
        ALLOWED_HOSTS="ifm.example.org",
        DATABASE_URL="postgres://ifm@127.0.0.1:1/ifm",  # never connected to
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_development_settings_fail_the_deploy_check(tmp_path: Path) -> None:
    """The deploy check really looks: the development defaults are not fit for production."""
    result = run_ifm(tmp_path, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode != 0
    assert "security.W018" in result.stderr  # DEBUG on
