"""The default message templates: the seed's phase kickoff email (ROLLOUT-PLAN.md,
"Communication Templates", its placeholders turned into merge fields) and the other messages
its communication plan names. Made by migration `support.0004_comms` and again by
`ensure_default_templates` (the demo, a flushed database); a template staff edited is left as
it is."""

from __future__ import annotations

from typing import Any

from ifm.support.comms.models import MessageTemplate

KICKOFF = "phase-kickoff"

TEMPLATES: list[dict[str, Any]] = [
    {
        "key": KICKOFF,
        "name": "Phase kickoff",
        "description": "Before a phase: the organization is in it, training and go-live dates.",
        "subject": "IFM MVP Platform - {{ phase_name }} Beginning {{ kickoff_date }}",
        "body": (
            "Dear {{ organization_name }},\n\n"
            "We're excited to announce that your organization has been selected for\n"
            "{{ phase_name }} of the IFM MVP platform rollout!\n\n"
            "What to Expect:\n"
            "- Training session: {{ training_date }}\n"
            "- Go-live date: {{ go_live_date }}\n"
            "- Support available: {{ support_hours }}\n"
            "- Contact: {{ support_email }}\n\n"
            "Next Steps:\n"
            "1. Attend training session\n"
            "2. Review getting started guide: {{ getting_started_url }}\n"
            "3. Begin using platform\n"
            "4. Provide feedback\n\n"
            "We're here to support you every step of the way!\n\n"
            "Best regards,\n"
            "IFM MVP Team\n"
        ),
    },
    {
        "key": "training-invitation",
        "name": "Training invitation",
        "description": "The training session of the organization's wave.",
        "subject": "IFM training for {{ organization_name }} on {{ training_date }}",
        "body": (
            "Dear {{ first_name }},\n\n"
            "You are invited to the IFM platform training for {{ organization_name }} on\n"
            "{{ training_date }}, ahead of your go-live on {{ go_live_date }}.\n\n"
            "Before the session, please sign in once ({{ sign_in_url }}) and read the\n"
            "getting started guide: {{ getting_started_url }}\n\n"
            "Questions before then: {{ support_email }} ({{ support_hours }}).\n\n"
            "Best regards,\n"
            "{{ sender_name }}, IFM MVP Team\n"
        ),
    },
    {
        "key": "go-live",
        "name": "Go-live",
        "description": "The day the organization starts working in the platform.",
        "subject": "{{ organization_name }} goes live on IFM on {{ go_live_date }}",
        "body": (
            "Dear {{ first_name }},\n\n"
            "{{ organization_name }} goes live on the IFM platform on {{ go_live_date }}.\n"
            "From that day, record your gifts, expenses and bank work in IFM.\n\n"
            "Sign in: {{ sign_in_url }}\n"
            "Help center: {{ help_center_url }}\n"
            "Support: {{ support_email }} ({{ support_hours }})\n\n"
            "Thank you for being part of {{ phase_name }}.\n\n"
            "Best regards,\n"
            "IFM MVP Team\n"
        ),
    },
    {
        "key": "maintenance-notice",
        "name": "Maintenance notice",
        "description": (
            "The planned maintenance window (set on the maintenance page). A service notice: "
            "sent to users who opted out of announcements too."
        ),
        "subject": "Planned IFM maintenance: {{ maintenance_start }}",
        "body": (
            "Dear {{ first_name }},\n\n"
            "The IFM platform will be unavailable for planned maintenance\n"
            "from {{ maintenance_start }} to {{ maintenance_end }}.\n\n"
            "Nothing is lost: please save your work before the window starts and come back\n"
            "after it ends.\n\n"
            "Questions: {{ support_email }}\n\n"
            "IFM MVP Team\n"
        ),
        "service_notice": True,
    },
    {
        "key": "phase-completion",
        "name": "Phase completion",
        "description": "After a phase: thanks, the metrics summary and the next steps.",
        "subject": "IFM MVP Platform - {{ phase_name }} complete",
        "body": (
            "Dear {{ organization_name }},\n\n"
            "{{ phase_name }} of the IFM MVP platform rollout is complete. Thank you for\n"
            "your time, your patience and your feedback.\n\n"
            "Your metrics summary for {{ phase_name }}:\n"
            "{{ metrics_summary }}\n\n"
            "Next steps:\n"
            "{{ message }}\n\n"
            "Best regards,\n"
            "IFM MVP Team\n"
        ),
    },
    {
        "key": "weekly-status",
        "name": "Weekly status update",
        "description": "During a phase: the week's news and the organization's figures.",
        "subject": "IFM weekly status, week of {{ today }}",
        "body": (
            "Dear {{ organization_name }},\n\n"
            "This week in {{ phase_name }}:\n"
            "{{ message }}\n\n"
            "Your figures over the last 7 days:\n"
            "{{ weekly_summary }}\n\n"
            "Tell us how it is going: {{ support_email }}\n\n"
            "Best regards,\n"
            "{{ sender_name }}, IFM MVP Team\n"
        ),
    },
]


def ensure_default_templates(template_model: Any = None) -> int:
    """Create each default template whose key is missing; returns how many were made.
    `template_model` is the migration's historical model when called from it."""
    model = template_model or MessageTemplate
    made = 0
    for values in TEMPLATES:
        _, created = model.objects.get_or_create(key=values["key"], defaults=values)
        made += created
    return made
