"""What the rollout gives communications (ifm.support.comms.registry): the audiences "by
phase" and "by wave", and the merge fields about an organization's phase, wave and dates and
its metrics. Registered from RolloutConfig.ready(): support never imports the rollout."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from ifm.core.errors import ServiceError
from ifm.core.org_context import all_organizations
from ifm.rollout import selectors
from ifm.rollout.metrics import rollout_metrics_for
from ifm.rollout.models import OrganizationRollout, Wave
from ifm.support.comms.registry import (
    MergeField,
    SendContext,
    long_date,
    register_audience,
    register_merge_fields,
)
from ifm.tenancy.models import Organization

FIELDS = [
    MergeField("phase_name", "Phase name", "The organization's rollout phase."),
    MergeField("phase_start", "Phase start", "The phase's planned start."),
    MergeField("phase_end", "Phase end", "The phase's planned end."),
    MergeField("wave_name", "Wave name", "The organization's wave."),
    MergeField("kickoff_date", "Kickoff date", "The organization's (else its wave's) kickoff."),
    MergeField("training_date", "Training date", "The organization's (else its wave's) training."),
    MergeField("go_live_date", "Go-live date", "The organization's (else its wave's) go-live."),
    MergeField(
        "metrics_summary",
        "Metrics summary",
        "The rollout plan's metrics over the phase (its planned start to end, or to today).",
    ),
    MergeField("weekly_summary", "Weekly figures", "The same metrics over the last 7 days."),
]


def _percent(ratio: dict[str, Any]) -> str:
    value = ratio.get("value")
    return "no data yet" if value is None else f"{value * 100:.0f}%"


def summary_text(organization: Organization, start: Any, end: Any) -> str:
    """The metrics of one organization over a window, one a line."""
    metrics = rollout_metrics_for(organization=organization, start=start, end=end)
    rows = metrics["organizations"]
    if not rows:
        return "- No figures: the organization is not active."
    row = rows[0]
    support = row["support"]
    satisfaction = support["satisfaction"]
    rated = (
        f"{satisfaction['average']}/5 ({satisfaction['count']} ratings)"
        if satisfaction["average"] is not None
        else "no ratings yet"
    )
    return "\n".join(
        [
            f"- Period: {long_date(start)} to {long_date(end)}",
            f"- Daily active users: {_percent(row['daily_active'])}",
            f"- Features used: {_percent(row['feature_usage'])}",
            f"- Tasks completed: {_percent(row['task_completion'])}",
            f"- Error rate: {_percent(row['error_rate'])}",
            f"- Support tickets: {support['tickets']} ({support['average_per_day']} a day)",
            f"- Satisfaction: {rated}",
        ]
    )


def _values(
    organization: Organization, keys: frozenset[str], context: SendContext
) -> dict[str, str | None]:
    rollout = selectors.rollout_get(organization)
    phase = rollout.phase if rollout is not None else None
    wave = rollout.wave if rollout is not None else None
    today = context.today or timezone.localdate()
    out: dict[str, str | None] = {
        "phase_name": phase.name if phase else None,
        "phase_start": long_date(phase.planned_start) if phase else None,
        "phase_end": long_date(phase.planned_end) if phase else None,
        "wave_name": wave.name if wave else None,
        "kickoff_date": long_date(rollout.date("kickoff_on")) if rollout else None,
        "training_date": long_date(rollout.date("training_on")) if rollout else None,
        "go_live_date": long_date(rollout.date("go_live_on")) if rollout else None,
    }
    if "metrics_summary" in keys:
        out["metrics_summary"] = None
        if phase is not None and phase.planned_start is not None:
            start = phase.planned_start
            end = min(phase.planned_end or today, today)
            if start <= end:
                out["metrics_summary"] = summary_text(organization, start, end)
    if "weekly_summary" in keys:
        out["weekly_summary"] = summary_text(organization, today - timedelta(days=6), today)
    return out


def _phase_choices() -> list[tuple[str, str]]:
    return [(p.slug, p.name) for p in selectors.phase_list()]


def _in(**scope: Any) -> list[int]:
    with all_organizations():
        return list(
            OrganizationRollout.objects.filter(**scope).values_list("organization_id", flat=True)
        )


def _phase_resolve(values: list[str]) -> list[int]:
    phase = selectors.phase_get(values[0])
    if phase is None:
        raise ServiceError(f"No such phase: {values[0]}.", field="values")
    return _in(phase=phase)


def _wave_choices() -> list[tuple[str, str]]:
    return [(str(w.pk), f"{w.phase.name}: {w.name}") for w in selectors.wave_list()]


def _wave_resolve(values: list[str]) -> list[int]:
    wave = (
        Wave.objects.filter(pk=int(values[0])).first()
        if values[0].isdigit() and len(values[0]) < 12
        else None
    )
    if wave is None:
        raise ServiceError(f"No such wave: {values[0]}.", field="values")
    return _in(wave=wave)


def register() -> None:
    register_merge_fields(FIELDS, _values)
    register_audience("phase", "Phase", choices=_phase_choices, resolve=_phase_resolve)
    register_audience("wave", "Wave", choices=_wave_choices, resolve=_wave_resolve)
