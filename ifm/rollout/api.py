"""/api/v1/platform/... of the rollout, for IFM platform staff (any of their tokens; the
organization it names plays no part), and /api/v1/onboarding, the organization's own
checklist for its admins. The same services and reads as the pages and `ifm rollout`."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import Http404
from ninja import Query, Router

from ifm.accounts.http import OrgRequest
from ifm.core.api import ApiError
from ifm.core.api_types import EARLIEST_DATE, LATEST_DATE
from ifm.ops.services import require_platform_staff
from ifm.rollout import gonogo, selectors, services
from ifm.rollout.metrics import rollout_metrics_for
from ifm.rollout.modulesets import phase_module_keys
from ifm.rollout.onboarding import Checklist, checklist
from ifm.rollout.schemas import (
    ChecklistOut,
    ModulesIn,
    PhaseOut,
    RolloutOut,
    SignOffIn,
)
from ifm.rollout.summary import rollout_summary
from ifm.tenancy.models import Organization
from ifm.tenancy.permissions import require_perm

router = Router(tags=["platform"])
onboarding_router = Router(tags=["onboarding"])


def _organization(slug: str) -> Organization:
    org = selectors.organization_get(slug)
    if org is None:
        raise Http404("No such organization.")
    return org


def _checklist_out(result: Checklist) -> dict[str, Any]:
    return {
        "done": result.done,
        "total": result.total,
        "items": [
            {
                "key": item.key,
                "label": item.label,
                "done": item.done,
                "detail": item.detail,
                "manual": item.manual,
                "done_at": item.signoff.done_at if item.signoff else None,
                "done_by": (
                    str(item.signoff.done_by) if item.signoff and item.signoff.done_by else None
                ),
            }
            for item in result.items
        ],
    }


def _rollout_out(org: Organization) -> dict[str, Any]:
    summary = rollout_summary(org)
    wave = summary.wave
    return {
        "organization": org.slug,
        "name": org.name,
        "phase": summary.phase.slug if summary.phase else None,
        "wave": None
        if wave is None
        else {
            "name": wave.name,
            "kickoff_on": wave.kickoff_on,
            "training_on": wave.training_on,
            "go_live_on": wave.go_live_on,
        },
        **summary.dates,
        "modules": [vars(row) for row in summary.modules],
        "onboarding": _checklist_out(summary.checklist),
    }


@router.get(
    "/platform/phases",
    response=list[PhaseOut],
    summary="The rollout's phases, in order (IFM platform staff)",
)
def phases_list(request: OrgRequest) -> Any:
    require_platform_staff(request.user)
    counts = {
        phase_id: n
        for phase_id, n in selectors.phase_organization_counts().items()
        if phase_id is not None
    }
    return [
        {
            "slug": p.slug,
            "name": p.name,
            "order": p.order,
            "description": p.description,
            "planned_start": p.planned_start,
            "planned_end": p.planned_end,
            "modules": p.modules,
            "module_keys": phase_module_keys(p),
            "target_organizations": p.target_organizations,
            "success_criteria": [c for c in p.success_criteria.splitlines() if c.strip()],
            "organizations": counts.get(p.pk, 0),
        }
        for p in selectors.phase_list()
    ]


@router.get(
    "/platform/organizations/{slug}/rollout",
    response=RolloutOut,
    summary="An organization's phase, wave, modules and onboarding (IFM platform staff)",
)
def organization_rollout_get(request: OrgRequest, slug: str) -> Any:
    require_platform_staff(request.user)
    return _rollout_out(_organization(slug))


@router.put(
    "/platform/organizations/{slug}/modules",
    response=RolloutOut,
    summary="Enable exactly these modules for an organization (IFM platform staff)",
    description=(
        "Kept as overrides of the organization's phase, so they stay when it moves. "
        "An unknown module key is a 422 naming it; nothing changes."
    ),
)
def organization_modules_put(request: OrgRequest, slug: str, payload: ModulesIn) -> Any:
    require_platform_staff(request.user)
    org = _organization(slug)
    services.organization_modules_put(
        organization=org, actor=request.user, module_keys=payload.modules
    )
    org.refresh_from_db()
    return _rollout_out(org)


@onboarding_router.get(
    "/onboarding",
    response=ChecklistOut,
    summary="The organization's onboarding checklist (its admins)",
)
def onboarding_get(request: OrgRequest) -> Any:
    require_perm(request.access, "onboarding.manage")
    return _checklist_out(checklist(request.org))


@onboarding_router.post(
    "/onboarding/sign-offs",
    response=ChecklistOut,
    summary="Sign off (or take back) a manual onboarding item (its admins)",
)
def onboarding_sign_off(request: OrgRequest, payload: SignOffIn) -> Any:
    services.onboarding_sign_off(
        organization=request.org,
        item=payload.item,
        done=payload.done,
        note=payload.note,
        actor=request.user,
        access=request.access,
    )
    return _checklist_out(checklist(request.org))


# Ninja reads an alias (`from` is a Python keyword) only from the default.
FROM = Query(None, alias="from", ge=EARLIEST_DATE, le=LATEST_DATE, description="First day.")
TO = Query(None, alias="to", ge=EARLIEST_DATE, le=LATEST_DATE, description="Last day.")
PHASE = Query(None, max_length=100, description="A phase's slug, name or order.")
ORG = Query(None, max_length=100, description="An organization's slug.")


@router.get(
    "/platform/metrics",
    summary="The rollout plan's metrics per organization and overall (IFM platform staff)",
    description=(
        "Adoption, feature usage, task completion, error rate, API p95, real users' page-load "
        "p75 and the support desk's tickets and satisfaction, over `from`..`to` (both "
        "included; the last 30 days by default), for the organizations of `phase`, the one "
        "`org`, or every active organization. Each ratio has `value` (null: no data), `part` "
        "and `whole`. Each organization has its `phase` and `targets`: per metric, the target "
        "of its phase (`target`, `threshold`, `at_least`, the `criterion` that sets it, null "
        "for the plan's standing target) and its `status`: `met`, `not met` or `no data`. The "
        "`overall` of a phase or an organization has the phase's `targets` too; without either, "
        "`phases` has each phase's overall figures beside its targets."
    ),
)
def rollout_metrics_get(
    request: OrgRequest,
    date_from: date | None = FROM,
    date_to: date | None = TO,
    phase: str | None = PHASE,
    org: str | None = ORG,
) -> Any:
    require_platform_staff(request.user)
    chosen_phase = None
    if phase:
        chosen_phase = selectors.phase_get(phase)
        if chosen_phase is None:
            raise Http404("No such phase.")
    organization = _organization(org) if org else None
    try:
        return rollout_metrics_for(
            phase=chosen_phase, organization=organization, start=date_from, end=date_to
        )
    except ValueError as exc:
        raise ApiError(422, str(exc), errors=[{"field": "from", "message": str(exc)}]) from None


@router.get(
    "/platform/go-no-go/{phase}",
    summary="A phase's Go/No-Go criteria evaluated from the data (IFM platform staff)",
    description=(
        "Each of the phase's success criteria: `met`, `not met`, `no data` or `awaiting "
        "sign-off` (a criterion no data decides), with the figure behind it; the verdict "
        "`go`, `no-go` or `pending`. `phase` is its slug, name or order; `from`/`to` the "
        "window (the last 30 days by default)."
    ),
)
def gonogo_get(
    request: OrgRequest, phase: str, date_from: date | None = FROM, date_to: date | None = TO
) -> Any:
    require_platform_staff(request.user)
    chosen = selectors.phase_get(phase[:100])
    if chosen is None:
        raise Http404("No such phase.")
    try:
        result = gonogo.evaluate(chosen, start=date_from, end=date_to)
    except ValueError as exc:
        raise ApiError(422, str(exc), errors=[{"field": "from", "message": str(exc)}]) from None
    return {
        "phase": chosen.slug,
        "from": result["from"],
        "to": result["to"],
        "verdict": result["verdict"],
        "organizations": result["organizations"],
        "criteria": [
            {
                "criterion": c.text,
                "status": c.status,
                "figure": c.figure,
                "manual": c.manual,
                "signed_by": c.signed_by or None,
                "signed_at": c.signed_at,
                "note": c.note,
            }
            for c in result["criteria"]
        ],
    }
