"""Go/No-Go: each of a phase's success criteria evaluated from the data, or signed off by a person.

A phase's criteria are the lines of its `success_criteria`, as platform staff wrote them (the
rollout plan's by default). A line that sets a metric's target ("80% daily active users",
"Error rate below 1%", "User satisfaction at least 4/5": ifm.rollout.targets, the same rule as
the metrics pages) or says something else the platform measures (the patterns below: "Fewer
than 5 critical issues reported", "All 34 nonprofits migrated", "99.9% uptime"...) is decided
by the number, over the window asked for (the last 30 days by default) and the organizations in
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
from ifm.rollout.targets import (
    MET,
    METRICS,
    NO_DATA,
    NOT_MET,
    Target,
    metric_value,
    targets_in_line,
)

AWAITING = "awaiting sign-off"


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


def _targets(targets: list[Target], e: Evidence) -> Verdict:
    """A criterion that sets targets (ifm.rollout.targets): not met when one is not, met when
    the others have no data, no data when none has."""
    values = [metric_value(t.metric, e.overall) for t in targets]
    statuses = [t.check(v) for t, v in zip(targets, values, strict=True)]
    status = NOT_MET if NOT_MET in statuses else MET if MET in statuses else NO_DATA
    if len(targets) == 1:
        return status, targets[0].describe(values[0])
    return status, "; ".join(
        f"{METRICS[t.metric].label} {t.describe(v)}" for t, v in zip(targets, values, strict=True)
    )


def _count(e: Evidence, n: int, target: int, what: str) -> Verdict:
    return (MET if n >= target else NOT_MET), f"{n} of {target} {what}"


# Criteria that are not a metric's target (ifm.rollout.targets has those): (pattern, evaluator
# of the match and the evidence); the first that matches a line decides it.
RULES: list[tuple[re.Pattern[str], Callable[[re.Match[str], Evidence], Verdict]]] = [
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
        targets = targets_in_line(line)
        if targets is not None:
            status, figure = _targets(targets, evidence)
            out.append(Criterion(text=line, status=status, figure=figure))
            continue
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
    if targets_in_line(criterion) is not None or any(p.search(criterion) for p, _ in RULES):
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
