"""Support tickets: a member's request to IFM, its conversation, screenshots and rating.

Tickets are tenant rows (an organization's member opens them). Platform staff work them from
the desk across organizations, through the `all_orgs` manager only.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from ifm.core.models import TenantModel
from ifm.core.storage import private_storage


class Priority(models.TextChoices):
    CRITICAL = "critical", "Critical"
    HIGH = "high", "High"
    MEDIUM = "medium", "Medium"
    LOW = "low", "Low"


# What each priority means, shown beside the choice on the ticket form (the seed's levels).
PRIORITY_HELP = {
    Priority.CRITICAL: "The platform is down or data is lost or wrong for everyone; "
    "no workaround. Answered within 1 hour, day and night.",
    Priority.HIGH: "A core task (gifts, receipts, expenses, the bank) cannot be done and "
    "there is no workaround. Answered within 4 business hours.",
    Priority.MEDIUM: "Something does not work as it should, but there is a workaround. "
    "Answered within 1 business day.",
    Priority.LOW: "A question, a cosmetic problem or an idea. Answered within 3 business days.",
}


class Category(models.TextChoices):
    BUG = "bug", "Something is broken (bug)"
    QUESTION = "question", "Question"
    DATA = "data", "Data problem"
    ACCESS = "access", "Access or sign-in"
    FEATURE = "feature", "Feature request"


class TicketStatus(models.TextChoices):
    NEW = "new", "New"
    OPEN = "open", "Open"
    WAITING = "waiting", "Waiting on customer"
    RESOLVED = "resolved", "Resolved"
    CLOSED = "closed", "Closed"


# The app's code says Status; the API's schema names it TicketStatus, apart from the expenses'.
Status = TicketStatus


class Tier(models.IntegerChoices):
    GENERAL = 1, "Tier 1 (general)"
    TECHNICAL = 2, "Tier 2 (technical)"
    DEVELOPMENT = 3, "Tier 3 (development)"


class Source(models.TextChoices):
    WEB = "web", "Help form"
    API = "api", "API"
    EMAIL = "email", "Email"


OPEN_STATUSES = (Status.NEW, Status.OPEN, Status.WAITING)


class Ticket(TenantModel):
    number = models.PositiveIntegerField(help_text="Counts from 1 in each organization.")
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requester_email = models.EmailField()
    subject = models.CharField(max_length=200)
    description = models.TextField(max_length=20_000)
    priority = models.CharField(max_length=10, choices=Priority.choices, default=Priority.MEDIUM)
    category = models.CharField(max_length=10, choices=Category.choices, default=Category.QUESTION)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.NEW)
    tier = models.PositiveSmallIntegerField(choices=Tier.choices, default=Tier.GENERAL)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        limit_choices_to={"is_platform_staff": True},
    )
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.WEB)
    page_url = models.CharField(max_length=500, blank=True)
    browser = models.CharField(max_length=300, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    first_response_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # The SLA clocks (ifm.support.sla): when they started (opening or the last priority
    # change), when they are due, and since when the clock stands still (waiting on customer).
    sla_started_at = models.DateTimeField(default=timezone.now)
    first_response_due_at = models.DateTimeField()
    resolution_due_at = models.DateTimeField()
    sla_paused_at = models.DateTimeField(null=True, blank=True)
    # When the tier's on-call was told of a breach (never twice for the same clock).
    first_response_breach_notified_at = models.DateTimeField(null=True, blank=True)
    resolution_breach_notified_at = models.DateTimeField(null=True, blank=True)
    # A duplicate merged into another ticket of its organization (closed; its conversation is
    # shown on that ticket on the desk).
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged_tickets"
    )

    class Meta:
        base_manager_name = "all_orgs"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "number"], name="support_ticket_org_number_unique"
            ),
            models.CheckConstraint(condition=Q(tier__in=[1, 2, 3]), name="support_ticket_tier"),
        ]
        indexes = [
            models.Index(fields=["organization", "requester", "created_at"]),
            models.Index(fields=["organization", "status"]),
            models.Index(fields=["status", "tier", "priority"]),
        ]

    def __str__(self) -> str:
        return f"{self.reference}: {self.subject}"

    @property
    def reference(self) -> str:
        return f"#{self.number}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class MessageKind(models.TextChoices):
    REPLY = "reply", "Reply"
    NOTE = "note", "Internal note"


class TicketMessage(TenantModel):
    """A reply (seen by the requester) or an internal note (platform staff only)."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(max_length=5, choices=MessageKind.choices, default=MessageKind.REPLY)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    from_staff = models.BooleanField(default=False)
    body = models.TextField(max_length=20_000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        base_manager_name = "all_orgs"
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["organization", "ticket", "created_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.ticket_id}"


def attachment_path(instance: TicketAttachment, filename: str) -> str:
    """support/<org>/<ticket>/<random><ext>: the person's file name is never a path."""
    suffix = {"image/jpeg": ".jpg", "image/png": ".png", "image/gif": ".gif"}.get(
        instance.content_type, ".img"
    )
    return f"support/{instance.organization_id}/{instance.ticket_id}/{uuid.uuid4().hex}{suffix}"


class TicketAttachment(TenantModel):
    """A screenshot: an image (type judged from its content), private, served through a view."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="attachments")
    message = models.ForeignKey(
        TicketMessage, null=True, blank=True, on_delete=models.SET_NULL, related_name="attachments"
    )
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    file = models.FileField(upload_to=attachment_path, storage=private_storage, max_length=255)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        base_manager_name = "all_orgs"
        ordering = ["uploaded_at", "id"]
        indexes = [models.Index(fields=["organization", "ticket"])]

    def __str__(self) -> str:
        return self.original_name


class TicketRating(TenantModel):
    """The requester's 1-5 satisfaction with a resolved ticket (once per ticket)."""

    ticket = models.OneToOneField(Ticket, on_delete=models.CASCADE, related_name="rating")
    score = models.PositiveSmallIntegerField()
    comment = models.TextField(max_length=2000, blank=True)
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        base_manager_name = "all_orgs"
        constraints = [
            models.CheckConstraint(
                condition=Q(score__gte=1, score__lte=5), name="support_rating_score_1_5"
            )
        ]
        indexes = [models.Index(fields=["organization", "created_at"])]

    def __str__(self) -> str:
        return f"{self.score}/5 for {self.ticket_id}"


class CannedReply(models.Model):
    """A saved answer platform staff pick on the desk to fill the reply box. Not a tenant row:
    the same for every organization. Its body may name a few fields ({first_name}, {ticket}...;
    ifm.support.desk.canned), filled in plainly, never through the template engine."""

    title = models.CharField(max_length=120)
    body = models.TextField(max_length=20_000)
    category = models.CharField(max_length=10, choices=Category.choices, blank=True)
    tier = models.PositiveSmallIntegerField(choices=Tier.choices, null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["title", "id"]
        constraints = [
            models.UniqueConstraint(fields=["title"], name="support_cannedreply_title_unique")
        ]

    def __str__(self) -> str:
        return self.title


class Severity(models.TextChoices):
    CRITICAL = "critical", "Critical"
    HIGH = "high", "High"
    MEDIUM = "medium", "Medium"
    LOW = "low", "Low"


class BugStatus(models.TextChoices):
    OPEN = "open", "Open"
    FIXED = "fixed", "Fixed"
    WONT_FIX = "wontfix", "Won't fix"


class Bug(TenantModel):
    """A defect on an organization's bug list, linked to the tickets that reported it. Open
    critical bugs decide the rollout's "zero critical bugs"."""

    number = models.PositiveIntegerField(help_text="Counts from 1 in each organization.")
    title = models.CharField(max_length=200)
    description = models.TextField(max_length=20_000, blank=True)
    severity = models.CharField(max_length=10, choices=Severity.choices, default=Severity.MEDIUM)
    status = models.CharField(max_length=10, choices=BugStatus.choices, default=BugStatus.OPEN)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # When it was fixed (or set aside as won't fix); empty while open.
    fixed_at = models.DateTimeField(null=True, blank=True)
    tickets = models.ManyToManyField(Ticket, through="BugTicket", related_name="bugs")

    class Meta:
        base_manager_name = "all_orgs"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "number"], name="support_bug_org_number_unique"
            ),
            models.CheckConstraint(
                condition=Q(severity__in=["critical", "high", "medium", "low"]),
                name="support_bug_severity",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["open", "fixed", "wontfix"]), name="support_bug_status"
            ),
        ]
        indexes = [models.Index(fields=["organization", "status", "severity"])]

    def __str__(self) -> str:
        return f"{self.reference}: {self.title}"

    @property
    def reference(self) -> str:
        return f"B{self.number}"


class BugTicket(TenantModel):
    """A ticket that reports a bug (the bug's and the ticket's organization are the same)."""

    bug = models.ForeignKey(Bug, on_delete=models.CASCADE, related_name="+")
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="+")
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    linked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        base_manager_name = "all_orgs"
        constraints = [
            models.UniqueConstraint(fields=["bug", "ticket"], name="support_bugticket_unique")
        ]

    def __str__(self) -> str:
        return f"bug {self.bug_id} from ticket {self.ticket_id}"


class TicketAccessGrant(TenantModel):
    """The ticket a platform access grant was asked from (the grant itself lives in tenancy,
    which knows nothing of tickets)."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="access_grants")
    grant = models.OneToOneField(
        "tenancy.PlatformAccessGrant", on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        base_manager_name = "all_orgs"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"grant {self.grant_id} for ticket {self.ticket_id}"


class SurveyResponse(TenantModel):
    """A member's answer to the periodic in-app survey "How satisfied are you with the
    platform?" (1-5), or its dismissal (no score). Either one keeps the survey away from that
    member, in that organization, for 30 days (ifm.support.survey)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    score = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Empty: dismissed.")
    comment = models.TextField(max_length=2000, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        base_manager_name = "all_orgs"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=1, score__lte=5),
                name="support_survey_score_1_5",
            )
        ]
        indexes = [
            # The page's check: this member's latest answer here.
            models.Index(fields=["organization", "user", "created_at"]),
            # The metrics: answers in a window.
            models.Index(fields=["organization", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.score}/5" if self.score is not None else "dismissed"


# The communications' tables belong to this app: importing them here registers them.
from ifm.support.comms import models as comms_models  # noqa: E402, F401
