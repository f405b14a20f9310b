from __future__ import annotations

from django.db import models
from django.utils import timezone
from django_tasks_db.models import DBTaskResult


class JobFailure(models.Model):
    """One failed attempt of a background job.

    The job's own row keeps only the last error; this keeps each attempt's, so a job that
    failed three times for three different reasons shows all three.
    """

    job = models.ForeignKey(DBTaskResult, on_delete=models.CASCADE, related_name="failures")
    attempt = models.PositiveIntegerField()
    worker_id = models.CharField(max_length=64, blank=True)
    exception_class_path = models.TextField()
    message = models.TextField(blank=True)
    traceback = models.TextField(blank=True)
    failed_at = models.DateTimeField(default=timezone.now)
    retry_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["job", "attempt"]
        indexes = [models.Index(fields=["job", "attempt"])]

    def __str__(self) -> str:
        return f"{self.job_id} attempt {self.attempt}: {self.exception_class_path}"


class WorkerBeat(models.Model):
    """A running `ifm worker`'s lease: renewed every few seconds while the process lives.

    A job RUNNING on a worker whose beat is older than JOB_LEASE_SECONDS was abandoned (the
    process was killed or its machine lost): the reaper in ifm.ops.jobs fails it, and the
    retry policy takes over.
    """

    worker_id = models.CharField(max_length=64, primary_key=True)
    host = models.CharField(max_length=255, blank=True)
    pid = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(default=timezone.now)
    beat_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"worker {self.worker_id} on {self.host} (pid {self.pid})"


class MaintenanceMode(models.Model):
    """The platform's maintenance switch and the next planned maintenance window: one row.

    One row in the database rather than a setting, so every web process and worker sees the
    same state; each process reads it at most once per `ifm.ops.maintenance.state.CACHE_SECONDS`.
    """

    SINGLETON_ID = 1

    is_on = models.BooleanField(default=False)
    message = models.TextField(blank=True)
    retry_after_seconds = models.PositiveIntegerField(default=300)
    # The next planned window: announced to everyone `announce_hours` before it starts.
    window_starts_at = models.DateTimeField(null=True, blank=True)
    window_ends_at = models.DateTimeField(null=True, blank=True)
    announce_hours = models.PositiveIntegerField(default=24)
    changed_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return "maintenance on" if self.is_on else "maintenance off"


# Upper edges (milliseconds) of the latency buckets kept per minute; the last bucket is open.
LATENCY_EDGES_MS = (25, 50, 100, 250, 500, 1000, 2500, 5000)
BUCKET_FIELDS = (*(f"le_{edge}" for edge in LATENCY_EDGES_MS), "le_inf")


class RequestMinute(models.Model):
    """Requests of one minute with one route, method, status class and organization.

    Written by ifm.ops.requests (buffered in each process and added with an upsert), read by
    the operations page, the alerts and the rollout console. Each `le_*` column counts the
    requests whose duration fell in that bucket (not cumulative), so a p95 over any window is
    the sum of rows. `organization_id` is a plain number, 0 for none (a unique key with a
    NULL in it would not merge rows), and the rows outlive a deleted organization.
    """

    minute = models.DateTimeField()
    route = models.CharField(max_length=200)
    method = models.CharField(max_length=10)
    status_class = models.CharField(max_length=3)
    organization_id = models.PositiveIntegerField(default=0)
    count = models.PositiveIntegerField(default=0)
    duration_ms_sum = models.FloatField(default=0)
    le_25 = models.PositiveIntegerField(default=0)
    le_50 = models.PositiveIntegerField(default=0)
    le_100 = models.PositiveIntegerField(default=0)
    le_250 = models.PositiveIntegerField(default=0)
    le_500 = models.PositiveIntegerField(default=0)
    le_1000 = models.PositiveIntegerField(default=0)
    le_2500 = models.PositiveIntegerField(default=0)
    le_5000 = models.PositiveIntegerField(default=0)
    le_inf = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["minute", "route", "method", "status_class", "organization_id"],
                name="ops_requestminute_key",
            )
        ]
        indexes = [models.Index(fields=["minute"])]

    def __str__(self) -> str:
        return f"{self.minute:%Y-%m-%d %H:%M} {self.method} {self.route} {self.status_class}"


class PlatformCheck(models.Model):
    """The platform's own check, made by the alert evaluation every minute: was the database
    reachable and did the job queue run (the check itself is a job). Uptime reads these."""

    minute = models.DateTimeField(unique=True)
    database_ok = models.BooleanField(default=True)
    detail = models.CharField(max_length=300, blank=True)

    def __str__(self) -> str:
        return f"{self.minute:%Y-%m-%d %H:%M} {'ok' if self.database_ok else 'failed'}"


class Alert(models.Model):
    """One firing of one alert, from the minute it opened to the minute it resolved.

    `key` names the condition (`error_rate`, `failed_signins_ip:203.0.113.9`); at most one
    alert per key is open (resolved_at empty) at a time, so a condition opens once, is sent
    again at most hourly while it lasts, and resolves by itself. Closed rows are the history.
    """

    key = models.CharField(max_length=200)
    rule = models.CharField(max_length=64)
    severity = models.CharField(max_length=16, default="warning")
    summary = models.CharField(max_length=500)
    value = models.FloatField(null=True, blank=True)
    opened_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)
    last_notified_at = models.DateTimeField(null=True, blank=True)
    notifications = models.PositiveIntegerField(default=0)
    resolved_at = models.DateTimeField(null=True, blank=True)
    delivery_error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-opened_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["key"],
                condition=models.Q(resolved_at__isnull=True),
                name="ops_alert_one_open_per_key",
            )
        ]
        indexes = [models.Index(fields=["-opened_at"])]

    def __str__(self) -> str:
        return f"{self.key} ({'open' if self.resolved_at is None else 'resolved'})"


class UsageDay(models.Model):
    """How many times one user of one organization used one feature on one day.

    Written by ifm.ops.usage (buffered in each process with the request counts, added with an
    upsert), read by the usage metrics. `feature` is a feature key from the module registry
    (`donation_record`), that key with `:start` for a task opened (`donation_record:start`), or
    `active` for any request, which is what daily and monthly active users count. Plain numbers
    for the organization and the user, no other personal data; rows older than two years are
    deleted by the alert evaluation's housekeeping (every minute, an indexed delete)."""

    day = models.DateField()
    organization_id = models.PositiveIntegerField()
    user_id = models.PositiveIntegerField()
    feature = models.CharField(max_length=80)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "organization_id", "user_id", "feature"],
                name="ops_usageday_key",
            )
        ]
        indexes = [models.Index(fields=["day", "organization_id"])]

    def __str__(self) -> str:
        return f"{self.day} org {self.organization_id} user {self.user_id} {self.feature}"


# Upper edges (milliseconds) of the page-load buckets; the last bucket is open.
PAGE_LOAD_EDGES_MS = (250, 500, 750, 1000, 1250, 1500, 2000, 2500, 3000, 4000, 6000, 10000)
PAGE_LOAD_FIELDS = (*(f"le_{edge}" for edge in PAGE_LOAD_EDGES_MS), "le_inf")


class PageLoadDay(models.Model):
    """Largest Contentful Paint measured in real users' browsers (ifm/static/ifm/app.js), per
    day, organization (0 for none) and page (its URL name, never the path), as counts per
    bucket like RequestMinute, so a p75 over any window is the sum of rows."""

    day = models.DateField()
    organization_id = models.PositiveIntegerField(default=0)
    route = models.CharField(max_length=200)
    count = models.PositiveIntegerField(default=0)
    lcp_ms_sum = models.FloatField(default=0)
    le_250 = models.PositiveIntegerField(default=0)
    le_500 = models.PositiveIntegerField(default=0)
    le_750 = models.PositiveIntegerField(default=0)
    le_1000 = models.PositiveIntegerField(default=0)
    le_1250 = models.PositiveIntegerField(default=0)
    le_1500 = models.PositiveIntegerField(default=0)
    le_2000 = models.PositiveIntegerField(default=0)
    le_2500 = models.PositiveIntegerField(default=0)
    le_3000 = models.PositiveIntegerField(default=0)
    le_4000 = models.PositiveIntegerField(default=0)
    le_6000 = models.PositiveIntegerField(default=0)
    le_10000 = models.PositiveIntegerField(default=0)
    le_inf = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "organization_id", "route"], name="ops_pageloadday_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} org {self.organization_id} {self.route}"
