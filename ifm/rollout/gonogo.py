"""Go/No-Go: each of a phase's success criteria evaluated from the data, or signed off by a person.

A phase's criteria are the lines of its `success_criteria`, as platform staff wrote them (the
rollout plan's by default). A line that says something the platform measures is decided by the
number (the patterns below: "80% daily active users", "Error rate below 1%", "User satisfaction
at least 4/5", "Fewer than 5 critical issues reported", "All 34 nonprofits migrated", "99.9%
uptime"...), over the window asked for (the last 30 days by default) and the organizations in
the phase; a line no data can decide ("Support team confident") waits for a person's sign-off,
recorded with who and when. Each criterion is met, not met, no data, or awaiting sign-off; the
phase is Go when every criterion is met, No-Go when one is not, else pending.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from ifm.audit.services import audit_record
from ifm.core.errors import ServiceError
from ifm.ops.overview import uptime
from ifm.ops.services import require_platform_staff
from ifm.ops.usage_metrics import window
from ifm.rollout import selectors
from ifm.rollout.metrics import rollout_metrics_for
from ifm.rollout.models import GoNoGoSignOff, Phase
from ifm.rollout.onboarding import checklist

MET, NOT_MET, NO_DATA, AWAITING = "met", "not met", "no data", "awaiting sign-off"
TASK_COMPLETION_TARGET = 0.9  # the rollout plan's "90% success"
TICKETS_PER_DAY_TARGET = 10  # the pilot's "< 10/day", a manageable volume
API_P95_MS, PAGE_P75_MS = 500.0, 2000.0  # the plan's API and page-load targets


@dataclass
class Criterion:
    text: str
    status: str
    figure: str = ""  # the number behind the decision, or who signed it off
    manual: bool = False
    signed_by: str = ""
    signed_at: Any = None
    note: str = ""


Verdict = tuple[str, str]  # (status, figure)


def _ratio(value: float | None, target: float, *, at_least: bool = True) -> Verdict:
    if value is None:
        return NO_DATA, "no data"
    ok = value >= target if at_least else value < target
    return (MET if ok else NOT_MET), f"{value:.1%} (target {'≥' if at_least else '<'} {target:.1%})"


def _number(value: float | None, target: float, unit: str, *, below: bool = True) -> Verdict:
    if value is None:
        return NO_DATA, "no data"
    ok = value < target if below else value >= target
    return (
        MET if ok else NOT_MET
    ), f"{value:g}{unit} (target {'<' if below else '≥'} {target:g}{unit})"


class Evidence:
    """What the criteria read, computed once per evaluation."""

    def __init__(self, phase: Phase, start: date, end: date) -> None:
        self.phase = phase
        self.data = rollout_metrics_for(phase=phase, start=start, end=end)
        self.overall = self.data["overall"]
        self.orgs = [o["organization"] for o in self.data["organizations"]]
        self._uptime: dict[str, Any] | None = None

    def value(self, name: str) -> float | None:
        v = self.overall[name]["value"]
        return None if v is None else float(v)

    def satisfaction(self) -> float | None:
        return self.overall["support"]["satisfaction"]["average"]

    def tickets(self, key: str, priority: str) -> int:
        return sum(o["support"][key].get(priority, 0) for o in self.data["organizations"])

    def bugs(self, severity: str) -> int:
        """Open bugs of this severity on the phase's organizations' bug lists."""
        return sum(o["support"]["open_bugs"].get(severity, 0) for o in self.data["organizations"])

    def uptime_percent(self) -> float | None:
        if self._uptime is None:
            self._uptime = uptime()
        value = self._uptime["percent"]
        return None if value is None else float(value)

    def onboarded(self) -> int:
        done = 0
        for org, _rollout in selectors.organizations_with_rollout():
            if org.slug in self.orgs and checklist(org).complete:
                done += 1
        return done


def _performance(e: Evidence, api_ms: float = API_P95_MS, page_ms: float = PAGE_P75_MS) -> Verdict:
    api, page = e.overall["api_p95_ms"], e.overall["page_load_p75_ms"]
    if api is None and page is None:
        return NO_DATA, "no data"
    parts, ok = [], True
    if api is not None:
        ok = ok and api < api_ms
        parts.append(f"API p95 {api:g} ms (< {api_ms:g})")
    if page is not None:
        ok = ok and page < page_ms
        parts.append(f"page LCP p75 {page:g} ms (< {page_ms:g})")
    return (MET if ok else NOT_MET), ", ".join(parts)


def _count(e: Evidence, n: int, target: int, what: str) -> Verdict:
    return (MET if n >= target else NOT_MET), f"{n} of {target} {what}"


# (pattern, evaluator of the match and the evidence); the first that matches a line decides it.
RULES: list[tuple[re.Pattern[str], Callable[[re.Match[str], Evidence], Verdict]]] = [
    (
        re.compile(r"(\d+(?:\.\d+)?)\s*% (?:of )?daily active", re.I),
        lambda m, e: _ratio(e.value("daily_active"), float(m[1]) / 100),
    ),
    (
        re.compile(r"(\d+(?:\.\d+)?)\s*% (?:of )?monthly active", re.I),
        lambda m, e: _ratio(e.value("monthly_active"), float(m[1]) / 100),
    ),
    (
        re.compile(r"(\d+(?:\.\d+)?)\s*% of features used", re.I),
        lambda m, e: _ratio(e.value("feature_usage"), float(m[1]) / 100),
    ),
    (
        re.compile(r"error rate below (\d+(?:\.\d+)?)\s*%", re.I),
        lambda m, e: _ratio(e.value("error_rate"), float(m[1]) / 100, at_least=False),
    ),
    (
        re.compile(r"satisfaction at least (\d+(?:\.\d+)?)\s*/\s*5", re.I),
        lambda m, e: _number(e.satisfaction(), float(m[1]), "/5", below=False),
    ),
    (
        re.compile(r"users complete core workflows", re.I),
        lambda m, e: _ratio(e.value("task_completion"), TASK_COMPLETION_TARGET),
    ),
    (
        re.compile(r"zero critical bugs", re.I),
        lambda m, e: _number(float(e.bugs("critical")), 1, " open critical bugs"),
    ),
    (
        re.compile(r"fewer than (\d+) high-priority bugs", re.I),
        lambda m, e: _number(float(e.bugs("high")), int(m[1]), " open high bugs"),
    ),
    (
        re.compile(r"fewer than (\d+) critical issues", re.I),
        lambda m, e: _number(
            float(e.tickets("opened_by_priority", "critical")), int(m[1]), " critical reported"
        ),
    ),
    (
        re.compile(r"support ticket volume manageable", re.I),
        lambda m, e: _number(
            float(e.overall["support"]["average_per_day"]), TICKETS_PER_DAY_TARGET, " per day"
        ),
    ),
    (
        re.compile(r"all (\d+) nonprofits onboarded", re.I),
        lambda m, e: _count(e, e.onboarded(), int(m[1]), "onboarded"),
    ),
    (
        re.compile(r"all (\d+) nonprofits migrated", re.I),
        lambda m, e: _count(e, len(e.orgs), int(m[1]), "in the phase"),
    ),
    (
        re.compile(r"(\d+(?:\.\d+)?)\s*% uptime", re.I),
        lambda m, e: _number(e.uptime_percent(), float(m[1]), "%", below=False),
    ),
    (
        re.compile(r"pages load in under (\d+) seconds?; API answers in under (\d+) ms", re.I),
        lambda m, e: _performance(e, float(m[2]), float(m[1]) * 1000),
    ),
    (re.compile(r"performance (?:meets|within) targets", re.I), lambda m, e: _performance(e)),
]


def criteria_lines(phase: Phase) -> list[str]:
    return [line.strip() for line in phase.success_criteria.splitlines() if line.strip()]


def evaluate(phase: Phase, *, start: date | None = None, end: date | None = None) -> dict[str, Any]:
    """Every criterion of the phase with its status and the number behind it, and the phase's
    verdict ("go", "no-go" or "pending"). ValueError for a bad window."""
    evidence = Evidence(phase, *window(start, end))
    signed = {
        s.criterion: s
        for s in GoNoGoSignOff.objects.filter(phase=phase).select_related("decided_by")
    }
    out: list[Criterion] = []
    for line in criteria_lines(phase):
        rule = next(((p, f) for p, f in RULES if p.search(line)), None)
        if rule is not None:
            status, figure = rule[1](rule[0].search(line), evidence)  # type: ignore[arg-type]
            out.append(Criterion(text=line, status=status, figure=figure))
            continue
        sign = signed.get(line[:300])
        if sign is None:
            out.append(Criterion(text=line, status=AWAITING, manual=True))
        else:
            out.append(
                Criterion(
                    text=line,
                    status=MET if sign.met else NOT_MET,
                    manual=True,
                    figure="signed off" if sign.met else "signed off as not met",
                    signed_by=str(sign.decided_by or ""),
                    signed_at=sign.decided_at,
                    note=sign.note,
                )
            )
    statuses = {c.status for c in out}
    verdict = "no-go" if NOT_MET in statuses else "go" if statuses <= {MET} and out else "pending"
    return {
        "phase": phase,
        "from": evidence.data["from"],
        "to": evidence.data["to"],
        "organizations": evidence.orgs,
        "criteria": out,
        "verdict": verdict,
        "evaluated_at": timezone.now(),
    }


@transaction.atomic
def gonogo_sign_off(
    *, phase: Phase, criterion: str, met: bool, actor: Any, note: str = ""
) -> GoNoGoSignOff:
    """Record a person's decision on a criterion no data decides (again: replaces it). Platform
    staff only; audited."""
    require_platform_staff(actor)
    lines = criteria_lines(phase)
    if criterion not in lines:
        raise ServiceError(f"{phase.name} has no criterion {criterion!r}.", field="criterion")
    if any(p.search(criterion) for p, _ in RULES):
        raise ServiceError(
            "That criterion is decided by the data, not signed off.", field="criterion"
        )
    row, _ = GoNoGoSignOff.objects.update_or_create(
        phase=phase,
        criterion=criterion[:300],
        defaults={
            "met": met,
            "note": note[:500],
            "decided_by": actor,
            "decided_at": timezone.now(),
        },
    )
    audit_record(
        action="rollout.gonogo_sign_off",
        actor=actor,
        obj=phase,
        changes={
            "criterion": criterion[:300],
            "met": met,
            **({"note": note[:500]} if note else {}),
        },
    )
    return row
