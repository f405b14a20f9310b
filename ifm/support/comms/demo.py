"""Communications' demo step (`ifm seed_demo`, after the rollout's step has placed the
organization): the default templates, should a flushed database have lost them (the migration
made them first); the kickoff email sent to the pilot phase's organizations when this
organization is in the pilot; and an ended maintenance announcement, so the announcements page
has a row without a banner on every page.

The send goes through `send_start` (recipients recorded, audited, its job queued after the
commit), and the demo runs the job's work (`send_run`) itself so the send is done when the
command ends; the queued job then finds it done and sends nothing more. Both the send and the
announcement are platform-wide: made once, found again after that."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from ifm.accounts.models import User
from ifm.orgs.demo import DemoContext
from ifm.support.comms import registry
from ifm.support.comms.defaults import KICKOFF, ensure_default_templates
from ifm.support.comms.models import Announcement, AnnouncementLevel, MessageTemplate, Send
from ifm.support.comms.sending import send_run
from ifm.support.comms.services import announcement_create, send_start

AFTER = ("rollout",)
SENDER_EMAIL = "communications@demo.ifm.invalid"
PILOT = "pilot"
ANNOUNCEMENT = (
    "Planned maintenance: the platform was unavailable for about 20 minutes while the "
    "database was upgraded."
)


def _sender() -> User:
    """The demo's member of IFM's team who sends (platform staff, no password: never signs in)."""
    user = User.objects.filter(email=SENDER_EMAIL).first()
    if user is None:
        user = User.objects.create_user(
            email=SENDER_EMAIL, full_name="Sam (IFM communications)", is_platform_staff=True
        )
    return user


def _kickoff_sent() -> bool:
    sends = Send.objects.filter(audience="phase", template__key=KICKOFF)
    return any(PILOT in (s.audience_values or []) for s in sends)


def _kickoff(ctx: DemoContext) -> str:
    """The pilot's kickoff email, once, from the step of an organization in the pilot."""
    audience = registry.audience_get("phase")
    template = MessageTemplate.objects.filter(key=KICKOFF).first()
    if audience is None or template is None or _kickoff_sent():
        return ""
    if ctx.organization.pk not in audience.resolve([PILOT]):
        return ""
    send = send_start(actor=_sender(), template=template, audience="phase", values=[PILOT])
    counts = send_run(send_id=send.pk)
    return f", kickoff email to the pilot ({counts['sent']} sent)"


def _announcement() -> str:
    """An announcement that ended yesterday, once."""
    if Announcement.objects.filter(message=ANNOUNCEMENT).exists():
        return ""
    ended = timezone.now().replace(hour=2, minute=20, second=0, microsecond=0) - timedelta(days=1)
    announcement_create(
        actor=_sender(),
        message=ANNOUNCEMENT,
        level=AnnouncementLevel.MAINTENANCE,
        starts_at=ended - timedelta(minutes=20),
        ends_at=ended,
    )
    return ", 1 ended announcement"


def seed(ctx: DemoContext) -> str:
    made = ensure_default_templates()
    templates = f"{made} message templates" if made else "message templates in place"
    return templates + _kickoff(ctx) + _announcement()
