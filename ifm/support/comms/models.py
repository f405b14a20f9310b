"""The communications' tables: message templates, sends and their recipients, each user's
email preference, and in-app announcements.

Templates, sends, preferences and announcements are platform rows (IFM staff write them,
across organizations). A send's recipient rows name their organization, so on PostgreSQL
row-level security covers them like every tenant table: the send job and the platform pages
read them inside `all_organizations()`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from ifm.core.models import VersionedModel

SUBJECT_MAX = 200
BODY_MAX = 20_000
MESSAGE_MAX = 2_000
ANNOUNCEMENT_MAX = 500


class MessageTemplate(VersionedModel):
    """A plain-text email (subject and body) with `{{ field }}` merge fields (merge.py)."""

    key = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=100, unique=True)
    description = models.CharField(max_length=300, blank=True)
    subject = models.CharField(max_length=SUBJECT_MAX)
    body = models.TextField(max_length=BODY_MAX)
    # A service notice (planned maintenance) reaches every user, opted out or not: people must
    # know when the platform they work in will be down. Set by the defaults only.
    service_notice = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class SendStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Sending"
    DONE = "done", "Sent"
    FAILED = "failed", "Failed"


class Send(models.Model):
    """One sending of a template to the users of the chosen organizations: who, when, to whom,
    and how it went (the job keeps the counts up to date)."""

    template = models.ForeignKey(
        MessageTemplate, null=True, on_delete=models.SET_NULL, related_name="sends"
    )
    template_name = models.CharField(max_length=100)
    # The template's text as it was when sent (an edit later does not rewrite history).
    subject = models.CharField(max_length=SUBJECT_MAX)
    body = models.TextField(max_length=BODY_MAX)
    service_notice = models.BooleanField(default=False)
    message = models.TextField(max_length=MESSAGE_MAX, blank=True)
    audience = models.CharField(max_length=50)
    audience_values = models.JSONField(default=list)
    audience_label = models.CharField(max_length=300)
    organizations = models.PositiveIntegerField(default=0)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=SendStatus.choices, default=SendStatus.QUEUED)
    job_id = models.CharField(max_length=64, blank=True)
    total = models.PositiveIntegerField(default=0)
    sent = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.template_name} to {self.audience_label}"

    @property
    def done(self) -> int:
        return self.sent + self.skipped + self.failed

    @property
    def percent(self) -> int:
        return 100 if not self.total else int(100 * self.done / self.total)

    @property
    def finished(self) -> bool:
        return self.status in (SendStatus.DONE, SendStatus.FAILED)


class RecipientStatus(models.TextChoices):
    PENDING = "pending", "Waiting"
    SENT = "sent", "Sent"
    SKIPPED = "skipped", "Skipped (opted out)"
    FAILED = "failed", "Failed"


class SendRecipient(models.Model):
    """One user of one organization a send is for (a member of two organizations of the
    audience gets each organization's email)."""

    send = models.ForeignKey(Send, on_delete=models.CASCADE, related_name="recipients")
    organization = models.ForeignKey(
        "tenancy.Organization", on_delete=models.CASCADE, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    email = models.EmailField()
    status = models.CharField(
        max_length=10, choices=RecipientStatus.choices, default=RecipientStatus.PENDING
    )
    reason = models.CharField(max_length=500, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["send", "organization", "user"], name="comms_recipient_once"
            )
        ]
        indexes = [
            models.Index(fields=["organization", "send"]),
            models.Index(fields=["send", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.email} ({self.status})"


class EmailPreference(models.Model):
    """Whether a user takes IFM's announcement emails (kickoff, training, go-live, status
    updates). No row: they do. Service notices (maintenance) are sent regardless."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="email_preference"
    )
    announcements = models.BooleanField(default=True)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_via = models.CharField(max_length=20, blank=True)  # "page", "api", "unsubscribe link"

    def __str__(self) -> str:
        return f"{self.user_id}: {'yes' if self.announcements else 'no'}"


class AnnouncementLevel(models.TextChoices):
    INFO = "info", "Information"
    MAINTENANCE = "maintenance", "Maintenance"
    WARNING = "warning", "Warning"


class Announcement(models.Model):
    """A banner on every signed-in page from `starts_at` until `ends_at`, for everyone or
    only the members of the chosen organizations."""

    message = models.CharField(max_length=ANNOUNCEMENT_MAX)
    level = models.CharField(
        max_length=12, choices=AnnouncementLevel.choices, default=AnnouncementLevel.INFO
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    organizations = models.ManyToManyField("tenancy.Organization", blank=True, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-starts_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="comms_announcement_ends_after_start"
            )
        ]
        indexes = [models.Index(fields=["ends_at", "starts_at"])]

    def __str__(self) -> str:
        return self.message[:60]
