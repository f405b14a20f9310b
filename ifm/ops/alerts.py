"""Alerts the platform evaluates itself, every minute, as a background job (`evaluate_alerts`
in ifm.ops.tasks, kept scheduled by `ifm worker`), so a deployment with no Prometheus still
gets them. docs/ops/prometheus-alerts.yml holds the same rules for Prometheus users, and
docs/ops/monitoring.md explains each one.

A rule returns the conditions firing now, each under a key. A key that starts firing opens an
`Alert` and is delivered; while it keeps firing it is delivered again at most once an hour;
when it stops, the alert resolves (and that is delivered too). Opening, repeating and
resolving are conditional writes (a unique open key, `UPDATE ... WHERE`), so two workers
evaluating at once deliver each change once.
"""

from __future__ import annotations

import logging
import shutil
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from ifm.ops import selectors, usage
from ifm.ops.dbstats import cpu_load_per_core, database_load
from ifm.ops.delivery import deliver
from ifm.ops.models import Alert, PlatformCheck, RequestMinute

log = logging.getLogger("ifm.ops")

REPEAT_EVERY = timedelta(hours=1)
# Request counts and checks are kept this long (the page's uptime looks back 30 days).
KEEP_MINUTES_FOR = timedelta(days=35)


@dataclass(frozen=True)
class Thresholds:
    """The seed's thresholds; each can be set in the environment (docs/configuration.md)."""

    error_rate: float = 0.02
    p95_ms: float = 1000.0
    min_requests: int = 10  # below this many requests in 5 minutes, rates say little
    signins_per_minute: int = 10
    cpu_load_per_core: float = 0.8
    active_queries_per_core: float = 2.0
    long_query_seconds: float = 60.0
    lock_waits: int = 5
    backup_max_age_hours: float = 26.0
    disk_free_percent: float = 5.0


def thresholds() -> Thresholds:
    return Thresholds(**getattr(settings, "ALERT_THRESHOLDS", {}))


@dataclass(frozen=True)
class Firing:
    key: str
    rule: str
    summary: str
    value: float | None = None
    severity: str = "warning"


Rule = Callable[[Thresholds, datetime], Iterator[Firing]]


def rule_error_rate(t: Thresholds, now: datetime) -> Iterator[Firing]:
    stats = selectors.request_stats(minutes=5, until=now)
    if stats.count >= t.min_requests and stats.error_rate > t.error_rate:
        yield Firing(
            "error_rate",
            "error_rate",
            f"{stats.error_rate:.1%} of {stats.count} requests answered 5xx in 5 minutes "
            f"(threshold {t.error_rate:.0%}).",
            stats.error_rate,
            "critical",
        )


def rule_latency(t: Thresholds, now: datetime) -> Iterator[Firing]:
    stats = selectors.request_stats(minutes=5, until=now)
    if stats.count >= t.min_requests and stats.p95_ms > t.p95_ms:
        yield Firing(
            "p95_latency",
            "p95_latency",
            f"p95 response time {stats.p95_ms / 1000:.2f} s over 5 minutes "
            f"({stats.count} requests; threshold {t.p95_ms / 1000:.1f} s).",
            stats.p95_ms / 1000,
        )


def rule_signins(t: Thresholds, now: datetime) -> Iterator[Firing]:
    total, by_ip = selectors.signin_failures(minutes=1, until=now)
    if total > t.signins_per_minute:
        yield Firing(
            "failed_signins",
            "failed_signins",
            f"{total} failed sign-ins in the last minute (threshold {t.signins_per_minute}).",
            total,
        )
    for ip, count in by_ip.items():
        if count > t.signins_per_minute:
            yield Firing(
                f"failed_signins_ip:{ip}",
                "failed_signins_ip",
                f"{count} failed sign-ins from {ip} in the last minute.",
                count,
            )


def rule_failed_jobs(t: Thresholds, now: datetime) -> Iterator[Firing]:
    """Each job that failed for good in the last hour, once (it resolves an hour later, or
    when platform staff retry it)."""
    jobs = DBTaskResult.objects.filter(
        status=TaskResultStatus.FAILED, finished_at__gt=now - REPEAT_EVERY
    ).order_by("finished_at")[:50]
    for job in jobs:
        yield Firing(
            f"job_failed:{job.pk}",
            "job_failed",
            f"Job {job.task_path.rsplit('.', 1)[-1]} ({job.pk}) failed for good: "
            f"{job.exception_class_path or 'unknown error'}.",
        )


def rule_database_load(t: Thresholds, now: datetime) -> Iterator[Firing]:
    load = database_load()
    cpu = cpu_load_per_core(Path(getattr(settings, "HOST_LOADAVG_PATH", "/proc/loadavg")))
    if cpu is not None and cpu > t.cpu_load_per_core:
        yield Firing(
            "cpu_load",
            "database_load",
            f"Host load {cpu:.0%} of its cores (threshold {t.cpu_load_per_core:.0%}).",
            cpu,
        )
    if cpu is None and load.active_queries is not None:
        import os  # noqa: PLC0415 (only where the host gives no load average)

        per_core = load.active_queries / (os.cpu_count() or 1)
        if per_core > t.active_queries_per_core:
            yield Firing(
                "active_queries",
                "database_load",
                f"{load.active_queries} queries running at once ({per_core:.1f} per core).",
                per_core,
            )
    if load.longest_query_seconds is not None and load.longest_query_seconds > t.long_query_seconds:
        yield Firing(
            "long_query",
            "database_load",
            f"A query has run for {load.longest_query_seconds:.0f} s "
            f"(threshold {t.long_query_seconds:.0f} s).",
            load.longest_query_seconds,
        )
    if load.lock_waits is not None and load.lock_waits > t.lock_waits:
        yield Firing(
            "lock_waits",
            "database_load",
            f"{load.lock_waits} sessions wait for a lock (threshold {t.lock_waits}).",
            load.lock_waits,
        )


def rule_backups(t: Thresholds, now: datetime) -> Iterator[Firing]:
    """Quiet while no backup was ever recorded (backups not set up yet: the operations page
    says so); once one was, a stale backup or a failed verification fires."""
    last = selectors.last_backup_times()
    backup = last["backup"]
    if backup is not None and now - backup > timedelta(hours=t.backup_max_age_hours):
        age = (now - backup).total_seconds() / 3600
        yield Firing(
            "backup_stale",
            "backup",
            f"The last successful backup is {age:.0f} hours old "
            f"(threshold {t.backup_max_age_hours:.0f} h).",
            age,
            "critical",
        )
    if selectors.last_backup_failed_verification():
        yield Firing(
            "restore_verification_failed",
            "backup",
            "The last restore verification of a backup failed.",
            severity="critical",
        )


def storage_problem() -> str | None:
    """Write, read back and delete a small file through the storage the app keeps its files
    in; None when that works."""
    name = f"ops-check/{uuid.uuid4().hex}.txt"
    try:
        saved = default_storage.save(name, ContentFile(b"ok"))
        try:
            with default_storage.open(saved) as handle:
                if handle.read() != b"ok":
                    return "the file read back differs from the one written"
        finally:
            default_storage.delete(saved)
    except Exception as exc:
        return f"{exc.__class__.__name__}: {exc}"[:300]
    return None


def rule_storage(t: Thresholds, now: datetime) -> Iterator[Firing]:
    problem = storage_problem()
    if problem is not None:
        yield Firing(
            "storage_error",
            "storage",
            f"The file storage failed a write: {problem}",
            severity="critical",
        )
    location = getattr(default_storage, "location", None)
    if location:
        try:
            usage = shutil.disk_usage(location)
        except OSError:
            return
        free = usage.free / usage.total * 100 if usage.total else 100.0
        if free < t.disk_free_percent:
            yield Firing(
                "disk_space",
                "storage",
                f"The disk of the file storage has {free:.1f}% free "
                f"(threshold {t.disk_free_percent:.0f}%).",
                free,
                "critical",
            )


RULES: tuple[Rule, ...] = (
    rule_error_rate,
    rule_latency,
    rule_signins,
    rule_failed_jobs,
    rule_database_load,
    rule_backups,
    rule_storage,
)


@dataclass
class Outcome:
    opened: list[Alert]
    repeated: list[Alert]
    resolved: list[Alert]


def evaluate_alerts(*, now: datetime | None = None) -> Outcome:
    """Run every rule once, open, repeat and resolve alerts, deliver the changes."""
    now = now or timezone.now()
    t = thresholds()
    firing: dict[str, Firing] = {}
    for rule in RULES:
        try:
            for item in rule(t, now):
                firing.setdefault(item.key, item)
        except Exception:
            # One broken rule must not silence the others.
            log.exception("Alert rule %s could not be evaluated", rule.__name__)
    outcome = Outcome([], [], [])
    for item in firing.values():
        _open_or_repeat(item, now, outcome)
    for alert in Alert.objects.filter(resolved_at__isnull=True).exclude(key__in=list(firing)):
        if Alert.objects.filter(pk=alert.pk, resolved_at__isnull=True).update(resolved_at=now):
            alert.resolved_at = now
            outcome.resolved.append(alert)
    minute = now.replace(second=0, microsecond=0)
    PlatformCheck.objects.update_or_create(minute=minute, defaults={"database_ok": True})
    RequestMinute.objects.filter(minute__lt=minute - KEEP_MINUTES_FOR).delete()
    PlatformCheck.objects.filter(minute__lt=minute - KEEP_MINUTES_FOR).delete()
    usage.purge_old()  # usage and page loads are kept two years
    for kind, alerts in (
        ("firing", outcome.opened),
        ("still firing", outcome.repeated),
        ("resolved", outcome.resolved),
    ):
        for alert in alerts:
            error = deliver(alert, kind)
            if error != alert.delivery_error:
                Alert.objects.filter(pk=alert.pk).update(delivery_error=error[:500])
    return outcome


def _open_or_repeat(item: Firing, now: datetime, outcome: Outcome) -> None:
    fields: dict[str, Any] = {"summary": item.summary[:500], "value": item.value}
    open_alert = Alert.objects.filter(key=item.key, resolved_at__isnull=True).first()
    if open_alert is None:
        try:
            with transaction.atomic():
                alert = Alert.objects.create(
                    key=item.key,
                    rule=item.rule,
                    severity=item.severity,
                    opened_at=now,
                    last_seen_at=now,
                    last_notified_at=now,
                    notifications=1,
                    **fields,
                )
        except IntegrityError:
            return  # another evaluation opened it a moment ago
        outcome.opened.append(alert)
        return
    Alert.objects.filter(pk=open_alert.pk).update(last_seen_at=now, **fields)
    due = now - REPEAT_EVERY
    repeated = (
        Alert.objects.filter(pk=open_alert.pk, resolved_at__isnull=True)
        .exclude(last_notified_at__gt=due)
        .update(last_notified_at=now, notifications=open_alert.notifications + 1)
    )
    if repeated:
        open_alert.refresh_from_db()
        outcome.repeated.append(open_alert)


def alert_list(*, open_only: bool = False, limit: int = 50) -> list[Alert]:
    alerts = Alert.objects.all()
    if open_only:
        alerts = alerts.filter(resolved_at__isnull=True)
    return list(alerts[:limit])
