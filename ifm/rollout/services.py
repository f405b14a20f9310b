"""Writes of the rollout: phases, waves, moving an organization and its module overrides,
onboarding sign-offs. The platform pages, the platform API and `ifm rollout` call these.

Only IFM platform staff change the rollout from the web; the command line acts as the system
(`actor=None`: its operator holds the server). An organization's modules change only through
`organization_modules_set`, which audits the set before and after in its own log; the rollout
rows' changes are audited beside it.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from ifm.audit.services import audit_record
from ifm.core.errors import ServiceError
from ifm.core.org_context import all_organizations, org_context
from ifm.ops.services import require_platform_staff
from ifm.orgs.modules import organization_modules_set
from ifm.rollout.models import (
    ALL,
    CORE,
    OnboardingSignOff,
    OrganizationRollout,
    Phase,
    SignOffItem,
    Wave,
)
from ifm.rollout.modulesets import effective_module_keys, overrides_for
from ifm.rollout.selectors import rollout_get
from ifm.tenancy import modules
from ifm.tenancy.models import Organization
from ifm.tenancy.permissions import Access, has_perm

NAME_MAX = 100
TEXT_MAX = 5000
NOTE_MAX = 500


def _authorize(actor: Any) -> Any:
    """None is the command line; anyone else must be platform staff."""
    if actor is not None:
        require_platform_staff(actor)
    return actor


def _person(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def _label(actor: Any) -> str:
    return "" if _person(actor) is not None else "ifm command line"


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def _changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    return {
        name: {"before": _iso(before.get(name)), "after": _iso(after[name])}
        for name in after
        if before.get(name) != after[name]
    }


# --- Phases and waves ----------------------------------------------------------------------


def clean_phase_modules(value: Any) -> Any:
    """ "all", "core" or a sorted list of known module keys (an unknown one is a 422 naming it)."""
    if value in (ALL, CORE):
        return value
    if isinstance(value, str):
        value = [k.strip() for k in value.split(",") if k.strip()]
    if not isinstance(value, list | tuple) or not all(isinstance(k, str) for k in value):
        raise ServiceError(
            'A phase\'s modules are "all", "core" or a list of module keys.', field="modules"
        )
    try:
        return modules.clean_module_keys(list(value))
    except ValueError as exc:
        raise ServiceError(str(exc), field="modules") from None


def _phase_values(
    *,
    name: str,
    planned_start: date | None,
    planned_end: date | None,
    modules_value: Any,
    success_criteria: str,
    description: str,
    target_organizations: int | None,
) -> dict[str, Any]:
    name = (name or "").strip()
    if not name:
        raise ServiceError("A phase needs a name.", field="name")
    if len(name) > NAME_MAX:
        raise ServiceError(f"A name may be at most {NAME_MAX} characters.", field="name")
    if planned_start and planned_end and planned_end < planned_start:
        raise ServiceError("The planned end is before the planned start.", field="planned_end")
    for text, what in ((success_criteria, "success_criteria"), (description, "description")):
        if len(text or "") > TEXT_MAX:
            raise ServiceError(f"At most {TEXT_MAX} characters.", field=what)
    if target_organizations is not None and not 0 <= target_organizations <= 100_000:
        raise ServiceError("The target is a number of organizations.", field="target_organizations")
    return {
        "name": name,
        "planned_start": planned_start,
        "planned_end": planned_end,
        "modules": clean_phase_modules(modules_value),
        "success_criteria": (success_criteria or "").strip(),
        "description": (description or "").strip(),
        "target_organizations": target_organizations,
    }


def _phase_conflict(*, name: str, order: int | None, exclude: int | None) -> None:
    others = Phase.objects.exclude(pk=exclude) if exclude else Phase.objects.all()
    same = others.filter(name__iexact=name).first()
    if same is not None:
        raise ServiceError(f"There is already a phase named {same.name}.", field="name")
    if order is not None and others.filter(order=order).exists():
        raise ServiceError(f"Another phase is number {order} already.", field="order")


@transaction.atomic
def phase_create(
    *,
    actor: Any,
    name: str,
    order: int | None = None,
    modules_value: Any = ALL,
    planned_start: date | None = None,
    planned_end: date | None = None,
    success_criteria: str = "",
    description: str = "",
    target_organizations: int | None = None,
) -> Phase:
    """A new phase, last unless `order` says where."""
    _authorize(actor)
    values = _phase_values(
        name=name,
        planned_start=planned_start,
        planned_end=planned_end,
        modules_value=modules_value,
        success_criteria=success_criteria,
        description=description,
        target_organizations=target_organizations,
    )
    if order is None:
        last = Phase.objects.order_by("-order").first()
        order = (last.order + 1) if last else 1
    if not 1 <= order <= 1000:
        raise ServiceError("The order is a number from 1 to 1000.", field="order")
    _phase_conflict(name=values["name"], order=order, exclude=None)
    slug = slugify(values["name"])[:50] or f"phase-{order}"
    if Phase.objects.filter(slug=slug).exists():
        slug = f"{slug[:40]}-{order}"
    phase = Phase.objects.create(slug=slug, order=order, **values)
    audit_record(
        action="rollout.phase_create",
        actor=_person(actor),
        actor_label=_label(actor),
        obj=phase,
        changes=_changes({}, {"order": order, **values}),
    )
    return phase


@transaction.atomic
def phase_update(
    *,
    actor: Any,
    phase: Phase,
    name: str,
    order: int,
    modules_value: Any,
    planned_start: date | None = None,
    planned_end: date | None = None,
    success_criteria: str = "",
    description: str = "",
    target_organizations: int | None = None,
) -> Phase:
    """Change a phase. A new module set reaches the organizations in it when they are next
    moved, not now: re-applying a set to many organizations at once is a separate decision
    (`phase_apply_modules`)."""
    _authorize(actor)
    values = _phase_values(
        name=name,
        planned_start=planned_start,
        planned_end=planned_end,
        modules_value=modules_value,
        success_criteria=success_criteria,
        description=description,
        target_organizations=target_organizations,
    )
    if not 1 <= order <= 1000:
        raise ServiceError("The order is a number from 1 to 1000.", field="order")
    row = Phase.objects.select_for_update().get(pk=phase.pk)
    _phase_conflict(name=values["name"], order=order, exclude=row.pk)
    before = {name: getattr(row, name) for name in ("order", *values)}
    after = {"order": order, **values}
    for key, value in after.items():
        setattr(row, key, value)
    row.updated_at = timezone.now()
    row.save()
    changes = _changes(before, after)
    if changes:
        audit_record(
            action="rollout.phase_update",
            actor=_person(actor),
            actor_label=_label(actor),
            obj=row,
            changes=changes,
        )
    return row


@transaction.atomic
def phase_apply_modules(*, actor: Any, phase: Phase) -> int:
    """Apply the phase's (changed) module set to every organization in it, keeping their
    overrides: how many organizations' modules changed."""
    _authorize(actor)
    changed = 0
    for rollout in _rollouts_in(phase):
        before = rollout.organization.enabled_modules
        org = _apply(rollout, actor=actor, reason=f"{phase.name}: the phase's modules changed")
        changed += before != org.enabled_modules
    return changed


def _rollouts_in(phase: Phase) -> list[OrganizationRollout]:
    with all_organizations():
        return list(
            OrganizationRollout.objects.select_related("organization", "phase").filter(phase=phase)
        )


@transaction.atomic
def wave_create(
    *,
    actor: Any,
    phase: Phase,
    name: str,
    kickoff_on: date | None = None,
    training_on: date | None = None,
    go_live_on: date | None = None,
) -> Wave:
    _authorize(actor)
    name = (name or "").strip()
    if not name:
        raise ServiceError("A wave needs a name.", field="name")
    if len(name) > NAME_MAX:
        raise ServiceError(f"A name may be at most {NAME_MAX} characters.", field="name")
    dates = [d for d in (kickoff_on, training_on, go_live_on) if d is not None]
    if dates != sorted(dates):
        raise ServiceError(
            "The dates go in order: kickoff, then training, then go-live.", field="go_live_on"
        )
    if Wave.objects.filter(phase=phase, name__iexact=name).exists():
        raise ServiceError(f"{phase.name} already has a wave named {name}.", field="name")
    wave = Wave.objects.create(
        phase=phase,
        name=name,
        kickoff_on=kickoff_on,
        training_on=training_on,
        go_live_on=go_live_on,
    )
    audit_record(
        action="rollout.wave_create",
        actor=_person(actor),
        actor_label=_label(actor),
        obj=wave,
        changes=_changes(
            {},
            {
                "phase": phase.name,
                "name": name,
                "kickoff_on": kickoff_on,
                "training_on": training_on,
                "go_live_on": go_live_on,
            },
        ),
    )
    return wave


# --- Organizations -------------------------------------------------------------------------


def _rollout_for_update(organization: Organization) -> OrganizationRollout:
    """The organization's rollout row, locked (created, in no phase, when it has none)."""
    # get_or_create takes a concurrent first move's row when its own insert collides.
    rollout, _ = OrganizationRollout.objects.select_for_update().get_or_create(
        organization=organization
    )
    rollout.organization = organization
    return rollout


def _apply(rollout: OrganizationRollout, *, actor: Any, reason: str) -> Organization:
    keys = effective_module_keys(
        phase=rollout.phase,
        enabled=list(rollout.modules_enabled),
        disabled=list(rollout.modules_disabled),
    )
    return organization_modules_set(
        organization=rollout.organization, module_keys=keys, actor=_person(actor), reason=reason
    )


def _snapshot(rollout: OrganizationRollout) -> dict[str, Any]:
    return {
        "phase": rollout.phase.name if rollout.phase else None,
        "wave": rollout.wave.name if rollout.wave else None,
        "modules_enabled": list(rollout.modules_enabled),
        "modules_disabled": list(rollout.modules_disabled),
        "kickoff_on": rollout.kickoff_on,
        "training_on": rollout.training_on,
        "go_live_on": rollout.go_live_on,
    }


def _record(
    rollout: OrganizationRollout, *, action: str, actor: Any, before: dict[str, Any]
) -> None:
    changes = _changes(before, _snapshot(rollout))
    if changes:
        audit_record(
            action=action,
            actor=_person(actor),
            actor_label=_label(actor),
            organization=rollout.organization,
            obj=rollout,
            object_repr=f"Rollout of {rollout.organization.name}",
            changes=changes,
        )


@transaction.atomic
def organization_move(
    *,
    organization: Organization,
    phase: Phase,
    actor: Any,
    wave: Wave | None = None,
    kickoff_on: date | None = None,
    training_on: date | None = None,
    go_live_on: date | None = None,
) -> OrganizationRollout:
    """Put the organization in a phase (and a wave of it) and give it that phase's modules,
    with its own overrides kept: (phase's set | enabled) - disabled. The dates are the
    organization's own (blank: its wave's)."""
    _authorize(actor)
    if wave is not None and wave.phase_id != phase.pk:
        raise ServiceError(
            f"{wave.name} is a wave of {wave.phase.name}, not of {phase.name}.", field="wave"
        )
    with org_context(organization):
        rollout = _rollout_for_update(organization)
        before = _snapshot(rollout)
        rollout.phase = phase
        rollout.wave = wave
        rollout.kickoff_on, rollout.training_on, rollout.go_live_on = (
            kickoff_on,
            training_on,
            go_live_on,
        )
        if before["phase"] != phase.name:
            rollout.moved_at = timezone.now()
        rollout.updated_at = timezone.now()
        rollout.save()
        _record(rollout, action="rollout.move", actor=actor, before=before)
        _apply(rollout, actor=actor, reason=f"moved to {phase.name}")
    return rollout


@transaction.atomic
def organization_modules_override(
    *,
    organization: Organization,
    actor: Any,
    enabled: list[str] | tuple[str, ...] = (),
    disabled: list[str] | tuple[str, ...] = (),
) -> OrganizationRollout:
    """Set the organization's overrides of its phase's modules (replacing the ones it had) and
    apply them. A module may not be both enabled and disabled; unknown keys are refused."""
    _authorize(actor)
    try:
        on = modules.clean_module_keys(list(enabled))
        off = modules.clean_module_keys(list(disabled))
    except ValueError as exc:
        raise ServiceError(str(exc), field="modules") from None
    both = sorted(set(on) & set(off))
    if both:
        raise ServiceError(
            f"{', '.join(both)} cannot be both enabled and disabled.", field="modules"
        )
    with org_context(organization):
        rollout = _rollout_for_update(organization)
        before = _snapshot(rollout)
        rollout.modules_enabled, rollout.modules_disabled = on, off
        rollout.updated_at = timezone.now()
        rollout.save()
        _record(rollout, action="rollout.modules_override", actor=actor, before=before)
        _apply(rollout, actor=actor, reason="module overrides changed")
    return rollout


def organization_modules_put(
    *, organization: Organization, actor: Any, module_keys: list[str]
) -> OrganizationRollout:
    """Give the organization exactly these modules, kept as the smallest overrides of its
    phase's set (so moving it to another phase later keeps the difference)."""
    _authorize(actor)
    try:
        wanted = modules.clean_module_keys(list(module_keys))
    except ValueError as exc:
        raise ServiceError(str(exc), field="modules") from None
    current = rollout_get(organization)
    enabled, disabled = overrides_for(phase=current.phase if current else None, wanted=wanted)
    return organization_modules_override(
        organization=organization, actor=actor, enabled=enabled, disabled=disabled
    )


# --- Onboarding ----------------------------------------------------------------------------


def _may_sign_off(actor: Any, access: Access | None) -> None:
    if actor is None or getattr(actor, "is_platform_staff", False):
        return
    if not has_perm(access, "onboarding.manage"):
        raise PermissionDenied(
            "Only the organization's admins and IFM platform staff sign off onboarding."
        )


@transaction.atomic
def onboarding_sign_off(
    *,
    organization: Organization,
    item: str,
    actor: Any,
    access: Access | None = None,
    note: str = "",
    done: bool = True,
) -> OnboardingSignOff | None:
    """Record (or, with done=False, take back) a manual onboarding item: who and when."""
    _may_sign_off(actor, access)
    if item not in SignOffItem.values:
        raise ServiceError(
            f"Unknown item {item!r}; the items are {', '.join(SignOffItem.values)}.", field="item"
        )
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise ServiceError(f"A note may be at most {NOTE_MAX} characters.", field="note")
    with org_context(organization):
        row = (
            OnboardingSignOff.objects.select_for_update()
            .filter(organization=organization, item=item)
            .first()
        )
        if done and row is None:
            row = OnboardingSignOff.objects.create(
                organization=organization, item=item, done_by=_person(actor), note=note
            )
            action = "rollout.sign_off"
        elif not done and row is not None:
            row.delete()
            row, action = None, "rollout.sign_off_undo"
        else:
            return row
        audit_record(
            action=action,
            actor=_person(actor),
            actor_label=_label(actor),
            organization=organization,
            object_type="rollout.onboardingsignoff",
            object_id=item,
            object_repr=SignOffItem(item).label,
            changes={
                "done": {"before": not done, "after": done},
                **({"note": note} if note else {}),
            },
        )
    return row
