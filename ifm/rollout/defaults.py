"""The rollout plan's four phases (docs/rollout.md), as the default platform staff edit: made by
the migration that creates the table, and again by `ensure_default_phases` where a database lost
them (the demo on a flushed database, a browser test after another's flush)."""

from __future__ import annotations

from typing import Any

from ifm.rollout.models import Phase

PHASES = [
    {
        "slug": "internal-testing",
        "name": "Internal testing",
        "order": 1,
        "description": "Dev team only, on staging; aggressive bug fixing (weeks 1-2).",
        "modules": "all",
        "target_organizations": None,
        "success_criteria": (
            "Zero critical bugs\n"
            "Fewer than 5 high-priority bugs\n"
            "All test scenarios pass\n"
            "Performance meets targets\n"
            "Security audit passed\n"
            "Documentation complete"
        ),
    },
    {
        "slug": "pilot",
        "name": "Pilot",
        "order": 2,
        "description": "2-3 friendly nonprofits, core features only, daily check-ins (weeks 3-4).",
        "modules": "core",
        "target_organizations": 3,
        "success_criteria": (
            "Users complete core workflows independently\n"
            "Fewer than 5 critical issues reported\n"
            "User satisfaction at least 4/5\n"
            "80% daily active users\n"
            "70% of features used\n"
            "Error rate below 1%\n"
            "No data loss incidents\n"
            "Support team confident"
        ),
    },
    {
        "slug": "limited-release",
        "name": "Limited release",
        "order": 3,
        "description": "10 nonprofits, all features, weekly check-ins (weeks 5-8).",
        "modules": "all",
        "target_organizations": 10,
        "success_criteria": (
            "All 10 nonprofits onboarded\n"
            "System handles load without issues\n"
            "Support ticket volume manageable\n"
            "User satisfaction at least 4/5\n"
            "Error rate below 0.1%\n"
            "Performance within targets"
        ),
    },
    {
        "slug": "full-production",
        "name": "Full production",
        "order": 4,
        "description": "All 34 nonprofits, full support team, 24/7 monitoring (week 9 on).",
        "modules": "all",
        "target_organizations": 34,
        "success_criteria": (
            "All 34 nonprofits migrated\n"
            "90% monthly active users\n"
            "80% of features used\n"
            "99.9% uptime\n"
            "Error rate below 0.1%\n"
            "User satisfaction at least 4.5/5\n"
            "Pages load in under 2 seconds; API answers in under 500 ms"
        ),
    },
]


def ensure_default_phases(phase_model: Any = None) -> int:
    """Create each default phase whose slug is missing (an edited phase is left as it is);
    returns how many were made. `phase_model` is the migration's historical model when called
    from it."""
    if phase_model is None:
        phase_model = Phase
    made = 0
    for values in PHASES:
        _, created = phase_model.objects.get_or_create(slug=values["slug"], defaults=values)
        made += created
    return made
