"""Demo data, contributed by each app: a registry of steps that `ifm seed_demo` runs.

The organizations and their users are made here (orgs sits below the apps that hold the
data); each domain app registers a step in its AppConfig.ready() that fills one demo
organization with its own data, through its own services::

    register("ledger", ifm.ledger.demo.seed)
    register("donors", ifm.donors.demo.seed, after=("ledger",))

Steps run in dependency order (`after` names the steps that must run first; a step named
there that is not registered is ignored, so an app may be left out). Each step of each
organization runs in one transaction and is recorded by a ``demo.seed`` audit event: a
step already recorded for an organization is skipped, so seeding again adds nothing.
Each step draws from its own ``random.Random``, seeded with the organization's slug and the
step's name, so the same organization gets the same data on any database.
"""

from __future__ import annotations

import random
import zlib
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import transaction

from ifm.audit.models import AuditEvent
from ifm.audit.services import audit_record
from ifm.core.org_context import org_context
from ifm.tenancy.models import Membership, Organization

MARKER_ACTION = "demo.seed"
DEFAULT_DONORS = 200


@dataclass
class DemoContext:
    """What a step is given: the organization, its demo users by role, the size asked for."""

    organization: Organization
    users: dict[str, Any]  # role value -> user
    donors: int = DEFAULT_DONORS
    today: date = field(default_factory=date.today)
    rng: random.Random = field(default_factory=random.Random)

    def actor(self, role: str) -> Any:
        return self.users[role]

    def access(self, role: str) -> Membership:
        return Membership.objects.get(organization=self.organization, user=self.users[role])


@dataclass(frozen=True)
class DemoStep:
    name: str
    run: Callable[[DemoContext], str]  # answers with a short summary of what it made
    after: tuple[str, ...] = ()


_STEPS: dict[str, DemoStep] = {}


def register(name: str, run: Callable[[DemoContext], str], *, after: tuple[str, ...] = ()) -> None:
    """Add (or replace) a step; `after`: the steps that must run before it."""
    _STEPS[name] = DemoStep(name=name, run=run, after=tuple(after))


def steps() -> list[DemoStep]:
    """The registered steps, each after the ones it names (else in order of registration)."""
    ordered: list[DemoStep] = []
    done: set[str] = set()

    def visit(step: DemoStep, path: tuple[str, ...]) -> None:
        if step.name in done:
            return
        if step.name in path:
            raise ValueError(f"Demo steps wait for each other: {' > '.join(path)}")
        for name in step.after:
            if name in _STEPS:
                visit(_STEPS[name], (*path, step.name))
        done.add(step.name)
        ordered.append(step)

    for step in list(_STEPS.values()):
        visit(step, ())
    return ordered


def step_seed(slug: str, step: str) -> int:
    """The random seed of one step of one organization (stable across processes)."""
    return zlib.crc32(f"{slug}/{step}".encode())


def seed_organization(
    organization: Organization,
    users: dict[str, Any],
    *,
    donors: int = DEFAULT_DONORS,
    today: date | None = None,
    only: Collection[str] | None = None,
) -> list[tuple[str, str]]:
    """Run every step not yet run for the organization: (step name, summary) pairs.

    `only`: run just these steps (each must name the steps it needs too), as the load test
    does to leave out data it does not use."""
    with org_context(organization):  # audit events are visible in their organization only
        done = set(
            AuditEvent.objects.filter(
                organization=organization, action=MARKER_ACTION, object_type="demo"
            ).values_list("object_id", flat=True)
        )
    report: list[tuple[str, str]] = []
    for step in steps():
        if only is not None and step.name not in only:
            continue
        if step.name in done:
            report.append((step.name, "already there"))
            continue
        ctx = DemoContext(
            organization=organization,
            users=users,
            donors=donors,
            today=today or date.today(),
            rng=random.Random(step_seed(organization.slug, step.name)),  # noqa: S311 (demo data)
        )
        with transaction.atomic(), org_context(organization):
            summary = step.run(ctx)
            audit_record(
                action=MARKER_ACTION,
                organization=organization,
                object_type="demo",
                object_id=step.name,
                object_repr=f"Demo data: {step.name}",
                changes={"summary": summary, "donors": donors},
                actor_label="seed_demo",
            )
        report.append((step.name, summary))
    return report
