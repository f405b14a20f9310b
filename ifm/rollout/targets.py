"""The rollout plan's targets, in one place: the metrics pages show each figure beside its target
for the organization's phase, and Go/No-Go decides a phase's measurable criteria, with the same
rule (`Target.check`).

A phase's targets come from its success criteria as staff wrote them ("80% daily active users",
"Error rate below 0.1%", "User satisfaction at least 4.5/5", "Pages load in under 2 seconds; API
answers in under 500 ms"...), so editing a line changes both the pages and Go/No-Go. The plan's
standing targets hold in every phase unless a line sets another: task completion 90%, API p95
under 500 ms, real users' page load (LCP p75) under 2 s, fewer than 10 support tickets a day.

A figure is *met*, *not met*, or *no data* (nothing counted to decide it: never read as zero);
a metric the phase sets no target for has none.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from ifm.rollout.models import Phase

MET, NOT_MET, NO_DATA = "met", "not met", "no data"


@dataclass(frozen=True)
class Metric:
    key: str
    label: str
    kind: str  # "ratio" (shown as a percentage), "ms", "per_day", "score", "count"


METRICS: dict[str, Metric] = {
    m.key: m
    for m in (
        Metric("daily_active", "Daily active users ÷ active members", "ratio"),
        Metric("monthly_active", "Active in the window ÷ active members", "ratio"),
        Metric("feature_usage", "Features used ÷ features enabled", "ratio"),
        Metric("task_completion", "Tasks completed ÷ started", "ratio"),
        Metric("error_rate", "Error rate (5xx ÷ answers)", "ratio"),
        Metric("api_p95_ms", "API p95", "ms"),
        Metric("page_load_p75_ms", "Page load (LCP) p75, real users", "ms"),
        Metric("tickets_per_day", "Support tickets per day", "per_day"),
        Metric("satisfaction", "Satisfaction", "score"),
        Metric("open_critical", "Open critical tickets", "count"),
    )
}


def percent(value: float) -> str:
    """0.8 -> 80%, 0.001 -> 0.1%, 0.00042 -> 0.042%."""
    text = f"{value * 100:.3f}".rstrip("0").rstrip(".")
    return f"{text}%"


def show(metric: str, value: float | None) -> str:
    """A figure as the pages write it; "no data" for None."""
    if value is None:
        return "no data"
    kind = METRICS[metric].kind
    if kind == "ratio":
        return percent(value)
    if kind == "ms":
        return f"{value:g} ms"
    if kind == "per_day":
        return f"{value:g} a day"
    if kind == "score":
        return f"{value:g}/5"
    return f"{value:g}"


@dataclass(frozen=True)
class Target:
    metric: str
    threshold: float
    at_least: bool  # met when value >= threshold; else met when value < threshold
    source: str = ""  # the success criterion that sets it; "" for the plan's standing target

    def check(self, value: float | None) -> str:
        if value is None:
            return NO_DATA
        ok = value >= self.threshold if self.at_least else value < self.threshold
        return MET if ok else NOT_MET

    @property
    def text(self) -> str:
        return f"{'≥' if self.at_least else '<'} {show(self.metric, self.threshold)}"

    def describe(self, value: float | None) -> str:
        """ "12.5% (target ≥ 80%)", what Go/No-Go shows behind a criterion."""
        return f"{show(self.metric, value)} (target {self.text})"

    def as_dict(self, value: float | None) -> dict[str, Any]:
        return {
            "threshold": self.threshold,
            "at_least": self.at_least,
            "target": self.text,
            "status": self.check(value),
            "criterion": self.source or None,
        }


STANDING: tuple[Target, ...] = (
    Target("task_completion", 0.9, True),  # the plan's "90% success"
    Target("api_p95_ms", 500.0, False),
    Target("page_load_p75_ms", 2000.0, False),
    Target("tickets_per_day", 10.0, False),  # the pilot's "< 10/day", a manageable volume
)
_standing = {t.metric: t for t in STANDING}

NUMBER = r"(\d+(?:\.\d+)?)"
Maker = Callable[[re.Match[str], str], list[Target]]


def _one(metric: str, at_least: bool, per: float = 1.0) -> Maker:
    # Divided, not multiplied by 0.01: 70 / 100 is 0.7 exactly as a float, 70 * 0.01 is not.
    return lambda m, line: [Target(metric, float(m[1]) / per, at_least, line)]


def _standing_of(*metrics: str) -> Maker:
    return lambda m, line: [
        Target(metric, _standing[metric].threshold, _standing[metric].at_least, line)
        for metric in metrics
    ]


def _load_and_api(m: re.Match[str], line: str) -> list[Target]:
    return [
        Target("page_load_p75_ms", float(m[1]) * 1000, False, line),
        Target("api_p95_ms", float(m[2]), False, line),
    ]


# A success criterion that names a measured metric, and the targets it sets; the first match wins.
PATTERNS: list[tuple[re.Pattern[str], Maker]] = [
    (re.compile(NUMBER + r"\s*% (?:of )?daily active", re.I), _one("daily_active", True, 100)),
    (re.compile(NUMBER + r"\s*% (?:of )?monthly active", re.I), _one("monthly_active", True, 100)),
    (re.compile(NUMBER + r"\s*% of features used", re.I), _one("feature_usage", True, 100)),
    (re.compile(r"error rate below " + NUMBER + r"\s*%", re.I), _one("error_rate", False, 100)),
    (
        re.compile(r"satisfaction at least " + NUMBER + r"\s*/\s*5", re.I),
        _one("satisfaction", True),
    ),
    (re.compile(r"users complete core workflows", re.I), _standing_of("task_completion")),
    (re.compile(r"support ticket volume manageable", re.I), _standing_of("tickets_per_day")),
    (
        re.compile(r"pages load in under (\d+) seconds?; API answers in under (\d+) ms", re.I),
        _load_and_api,
    ),
    (
        re.compile(r"performance (?:meets|within) targets", re.I),
        _standing_of("api_p95_ms", "page_load_p75_ms"),
    ),
]


def targets_in_line(line: str) -> list[Target] | None:
    """The targets a success criterion sets, or None when it names no measured metric."""
    for pattern, make in PATTERNS:
        match = pattern.search(line)
        if match is not None:
            return make(match, line.strip())
    return None


def targets_for(phase: Phase | None) -> dict[str, Target]:
    """Each metric's target in the phase: the plan's standing ones, then those its criteria
    set (a later line wins). No phase: the standing targets alone."""
    out = dict(_standing)
    if phase is not None:
        for line in phase.success_criteria.splitlines():
            for target in targets_in_line(line) or []:
                out[target.metric] = target
    return out


def metric_value(metric: str, row: dict[str, Any]) -> float | None:
    """The figure of `metric` in a row of the rollout metrics (one organization's or overall)."""
    if metric == "tickets_per_day":
        support = row.get("support")
        per_day = None if support is None else support["average_per_day"]
        return None if per_day is None else float(per_day)
    if metric == "satisfaction":
        support = row.get("support")
        return None if support is None else support["satisfaction"]["average"]
    if metric == "open_critical":
        support = row.get("support")
        return None if support is None else float(support["open_critical"])
    value = row.get(metric)
    if isinstance(value, dict):
        value = value["value"]
    return None if value is None else float(value)


BADGES = {
    MET: '<span class="badge text-bg-success">met</span>',
    NOT_MET: '<span class="badge text-bg-danger">not met</span>',
    NO_DATA: '<span class="badge text-bg-light border">no data</span>',
}


@dataclass(frozen=True)
class Figure:
    """One figure of a row beside its target: what the pages' tables show."""

    metric: str
    label: str
    value: float | None
    shown: str
    detail: str  # "(3 of 4)" for a ratio
    target: Target | None

    @property
    def status(self) -> str:
        if self.target is None:
            return NO_DATA if self.value is None else ""
        return self.target.check(self.value)

    @property
    def target_text(self) -> str:
        return self.target.text if self.target else "no target"

    def cell(self) -> SafeString:
        """The figure, its status and its target, as one cell of the metrics page's wide tables
        (built here: 34 organizations by 10 metrics through template tags took a tenth of a
        second)."""
        badge = BADGES.get(self.status, "")
        target = (
            format_html('<div class="small text-body-secondary">target {}</div>', self.target.text)
            if self.target
            else ""
        )
        return format_html("{} {}{}", self.shown, mark_safe(badge), target)


def _satisfaction_detail(satisfaction: dict[str, Any]) -> str:
    """How many ticket ratings and survey answers the figure is the mean of."""
    ratings = satisfaction["ratings"]["count"]
    answers = satisfaction["survey"]["count"]
    return (
        f"{ratings} ticket rating{'' if ratings == 1 else 's'}, "
        f"{answers} survey answer{'' if answers == 1 else 's'}"
    )


def figures(row: dict[str, Any], targets: dict[str, Target]) -> list[Figure]:
    """Every metric of the row, each with its target (if the phase has one) and its status."""
    out = []
    for metric in METRICS.values():
        value = metric_value(metric.key, row)
        raw = row.get(metric.key)
        detail = ""
        if isinstance(raw, dict) and value is not None:
            detail = f"{raw['part']:g} of {raw['whole']:g}"
        elif metric.key == "tickets_per_day" and row.get("support") is not None:
            detail = f"{row['support']['tickets']} in all"
        elif metric.key == "satisfaction" and value is not None:
            detail = _satisfaction_detail(row["support"]["satisfaction"])
        out.append(
            Figure(
                metric=metric.key,
                label=metric.label,
                value=value,
                shown=show(metric.key, value),
                detail=detail,
                target=targets.get(metric.key),
            )
        )
    return out


def targets_out(row: dict[str, Any], targets: dict[str, Target]) -> dict[str, Any]:
    """The row's targets as the API answers them: per metric, the target and its status."""
    return {metric: target.as_dict(metric_value(metric, row)) for metric, target in targets.items()}
