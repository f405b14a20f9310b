from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from ifm.ops.backups.destinations import LocalDirectory
from ifm.ops.backups.retention import Policy, backups_to_keep, time_of
from ifm.ops.backups.services import backup_prune

NOW = datetime(2026, 12, 7, 3, 0, tzinfo=UTC)  # a Monday


def at(day: str, hour: int = 2) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=UTC)


def daily_since(first: datetime, until: datetime) -> list[datetime]:
    times, t = [], first
    while t <= until:
        times.append(t)
        t += timedelta(days=1)
    return times


def test_a_year_and_a_half_of_dailies_keeps_14_days_8_weeks_12_months() -> None:
    times = daily_since(at("2025-06-01"), at("2026-12-07"))
    keep = backups_to_keep(times, now=NOW)
    days = {t.date().isoformat() for t in keep}
    # Days: the 14 from Tuesday 24 November to today.
    assert {d.isoformat() for d in (NOW.date() - timedelta(days=i) for i in range(14))} <= days
    assert "2026-11-23" not in days  # 15 days back, and not the newest of its week
    # Weeks: the newest (Sunday) of each of the 8 ISO weeks back from this one.
    for sunday in ("2026-11-22", "2026-11-15", "2026-11-08", "2026-11-01", "2026-10-25"):
        assert sunday in days
    assert "2026-10-18" not in days  # 9th week back
    # Months: the newest of each of the 12 months, January to December 2026.
    for last_day in ("2026-10-31", "2026-09-30", "2026-06-30", "2026-02-28", "2026-01-31"):
        assert last_day in days
    assert not any(d < "2026-01-01" for d in days)  # the 13th month back is gone
    assert len(keep) == 14 + 5 + 10  # what two rules keep is counted once


def test_the_newest_of_a_day_is_kept_and_the_others_go() -> None:
    morning, noon, night = at("2026-12-06", 1), at("2026-12-06", 12), at("2026-12-06", 23)
    assert backups_to_keep([morning, noon, night], now=NOW) == {night}


def test_the_newest_backup_is_kept_however_old() -> None:
    ancient = at("2020-01-01")
    assert backups_to_keep([ancient], now=NOW) == {ancient}
    assert backups_to_keep([ancient, at("2019-01-01")], now=NOW) == {ancient}


def test_a_backup_from_a_clock_ahead_is_left_alone() -> None:
    ahead = at("2026-12-09")
    assert ahead in backups_to_keep([ahead, at("2026-12-06")], now=NOW)


def test_a_smaller_policy() -> None:
    times = daily_since(at("2026-11-01"), at("2026-12-07"))
    keep = backups_to_keep(times, now=NOW, policy=Policy(daily=2, weekly=0, monthly=1))
    assert {t.date().isoformat() for t in keep} == {"2026-12-07", "2026-12-06"}


def test_names_carry_their_time() -> None:
    assert time_of("ifm-20261207T030000Z.pgdump.enc") == datetime(2026, 12, 7, 3, tzinfo=UTC)
    assert time_of("ifm-20261207T030000Z-2.manifest.json") == datetime(2026, 12, 7, 3, tzinfo=UTC)
    assert time_of("notes.txt") is None


def test_the_policy_is_applied_to_a_directory(tmp_path: Path) -> None:
    folder = LocalDirectory(tmp_path)
    for t in daily_since(at("2026-01-01"), at("2026-12-07")):
        stamp = f"ifm-{t:%Y%m%dT%H%M%SZ}"
        for suffix in (".pgdump.enc", ".manifest.json"):
            (tmp_path / f"{stamp}{suffix}").write_text("x")
    (tmp_path / "ifm-20261205T020000Z-2.pgdump").write_text("unfinished: no manifest")
    (tmp_path / "ifm-20261207T020000Z-2.pgdump").write_text("still being written")
    (tmp_path / "README.txt").write_text("not a backup")

    removed = backup_prune(destination=folder, now=NOW)

    left = {n.split(".", 1)[0] for n in folder.names() if n.endswith(".manifest.json")}
    expected = backups_to_keep([w for n in left if (w := time_of(n))], now=NOW)
    assert len(left) == 29
    assert {time_of(n) for n in left} == expected
    assert "ifm-20261205T020000Z-2" in removed  # unfinished and over a day old
    assert (tmp_path / "ifm-20261207T020000Z-2.pgdump").exists()  # may still be running
    assert (tmp_path / "README.txt").exists()
    # Each kept backup keeps both its files; each removed one loses both.
    assert all((tmp_path / f"{n}.pgdump.enc").exists() for n in left)
    assert not any(tmp_path.glob("ifm-20260102T*"))
