"""/platform/rollout/: the rollout console for IFM platform staff (anyone else: 404).

The board, an organization's rollout page (move it, change its modules, sign off onboarding)
and the phases. The same services as the platform API and `ifm rollout`."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from ifm.accounts.http import signed_in_user
from ifm.core.errors import ServiceError
from ifm.ops.services import require_platform_staff
from ifm.rollout import selectors, services
from ifm.rollout.board import board
from ifm.rollout.forms import ModulesForm, MoveForm, PhaseForm, SignOffForm, WaveForm
from ifm.rollout.models import Phase
from ifm.rollout.modulesets import phase_module_keys
from ifm.rollout.summary import RolloutSummary, rollout_metrics, rollout_summary
from ifm.tenancy.forms import add_service_errors
from ifm.tenancy.models import Organization


def _platform_staff_only(request: HttpRequest) -> None:
    try:
        require_platform_staff(request.user)
    except PermissionDenied:
        raise Http404("No such page.") from None


def _organization_or_404(slug: str) -> Organization:
    org = selectors.organization_get(slug)
    if org is None:
        raise Http404("No such organization.")
    return org


def _phase_or_404(slug: str) -> Phase:
    phase = Phase.objects.filter(slug=slug).first()
    if phase is None:
        raise Http404("No such phase.")
    return phase


@login_required
def rollout_board(request: HttpRequest) -> HttpResponse:
    _platform_staff_only(request)
    return render(
        request,
        "rollout/board.html",
        {"columns": board(), "phases": selectors.phase_list()},
    )


# --- One organization ------------------------------------------------------------------------


def _move_initial(summary: RolloutSummary) -> dict[str, Any]:
    rollout = summary.rollout
    if rollout is None:
        return {}
    return {
        "phase": rollout.phase.slug if rollout.phase else None,
        "wave": rollout.wave_id,
        "kickoff_on": rollout.kickoff_on,
        "training_on": rollout.training_on,
        "go_live_on": rollout.go_live_on,
    }


def _modules_initial(summary: RolloutSummary) -> dict[str, str]:
    states = {"enabled": "on", "disabled": "off", "": "phase"}
    return {f"module_{row.key}": states[row.override] for row in summary.modules}


def _org_page(
    request: HttpRequest,
    org: Organization,
    *,
    move_form: MoveForm | None = None,
    modules_form: ModulesForm | None = None,
    status: int = 200,
) -> HttpResponse:
    summary = rollout_summary(org)
    return render(
        request,
        "rollout/organization.html",
        {
            "summary": summary,
            "metrics": rollout_metrics(org, summary.phase),
            "org": org,
            "move_form": move_form or MoveForm(initial=_move_initial(summary)),
            "modules_form": modules_form
            or ModulesForm(phase_keys=summary.phase_keys, initial=_modules_initial(summary)),
            "signoff_action": reverse("platform_rollout:signoff", args=[org.slug]),
        },
        status=status,
    )


@login_required
def organization_page(request: HttpRequest, slug: str) -> HttpResponse:
    _platform_staff_only(request)
    return _org_page(request, _organization_or_404(slug))


def _back(request: HttpRequest, org: Organization) -> HttpResponse:
    """After a change: the board when the change was made there, else the organization."""
    if request.POST.get("from") == "board":
        return redirect("platform_rollout:board")
    return redirect("platform_rollout:organization", slug=org.slug)


@login_required
@require_POST
def organization_move(request: HttpRequest, slug: str) -> HttpResponse:
    _platform_staff_only(request)
    org = _organization_or_404(slug)
    form = MoveForm(request.POST)
    if form.is_valid():
        try:
            services.organization_move(
                organization=org,
                phase=form.cleaned_data["phase"],
                wave=form.cleaned_data["wave"],
                kickoff_on=form.cleaned_data["kickoff_on"],
                training_on=form.cleaned_data["training_on"],
                go_live_on=form.cleaned_data["go_live_on"],
                actor=signed_in_user(request),
            )
        except ServiceError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"{org.name} is in {form.cleaned_data['phase'].name}.")
            return _back(request, org)
    return _org_page(request, org, move_form=form, status=422)


@login_required
@require_POST
def organization_modules(request: HttpRequest, slug: str) -> HttpResponse:
    _platform_staff_only(request)
    org = _organization_or_404(slug)
    rollout = selectors.rollout_get(org)
    form = ModulesForm(
        request.POST, phase_keys=phase_module_keys(rollout.phase if rollout else None)
    )
    if form.is_valid():
        enabled, disabled = form.overrides()
        try:
            services.organization_modules_override(
                organization=org,
                enabled=enabled,
                disabled=disabled,
                actor=signed_in_user(request),
            )
        except ServiceError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"{org.name}'s modules are saved.")
            return _back(request, org)
    return _org_page(request, org, modules_form=form, status=422)


@login_required
@require_POST
def organization_signoff(request: HttpRequest, slug: str) -> HttpResponse:
    _platform_staff_only(request)
    org = _organization_or_404(slug)
    form = SignOffForm(request.POST)
    if not form.is_valid():
        messages.error(request, "That item could not be recorded: " + form.errors.as_text())
        return redirect("platform_rollout:organization", slug=org.slug)
    try:
        services.onboarding_sign_off(
            organization=org,
            item=form.cleaned_data["item"],
            done=form.cleaned_data["done"],
            note=form.cleaned_data["note"],
            actor=signed_in_user(request),
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
    return redirect("platform_rollout:organization", slug=org.slug)


# --- Phases ----------------------------------------------------------------------------------


@login_required
def phase_list(request: HttpRequest) -> HttpResponse:
    _platform_staff_only(request)
    form = PhaseForm(request.POST or None, initial={"module_set": "all"})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                phase = services.phase_create(
                    actor=signed_in_user(request), **form.service_kwargs()
                )
            except ServiceError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, f"Phase {phase.name} added.")
                return redirect("platform_rollout:phases")
        status = 422
    return render(
        request,
        "rollout/phases.html",
        {"phases": selectors.phase_list().prefetch_related("waves"), "form": form},
        status=status,
    )


def _phase_page(
    request: HttpRequest,
    phase: Phase,
    *,
    form: PhaseForm | None = None,
    wave_form: WaveForm | None = None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "rollout/phase.html",
        {
            "phase": phase,
            "form": form or PhaseForm(initial=PhaseForm.initial_for(phase)),
            "wave_form": wave_form or WaveForm(),
            "waves": selectors.wave_list(phase),
        },
        status=status,
    )


@login_required
def phase_edit(request: HttpRequest, slug: str) -> HttpResponse:
    _platform_staff_only(request)
    phase = _phase_or_404(slug)
    if request.method != "POST":
        return _phase_page(request, phase)
    form = PhaseForm(request.POST)
    if form.is_valid():
        try:
            services.phase_update(
                actor=signed_in_user(request), phase=phase, **form.service_kwargs()
            )
        except ServiceError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                f"Phase {form.cleaned_data['name']} saved. Its organizations keep their "
                "modules until you apply the phase's modules to them.",
            )
            return redirect("platform_rollout:phase", slug=phase.slug)
    return _phase_page(request, phase, form=form, status=422)


@login_required
@require_POST
def phase_apply(request: HttpRequest, slug: str) -> HttpResponse:
    _platform_staff_only(request)
    phase = _phase_or_404(slug)
    changed = services.phase_apply_modules(actor=signed_in_user(request), phase=phase)
    messages.success(request, f"{phase.name}'s modules applied: {changed} organization(s) changed.")
    return redirect("platform_rollout:phase", slug=phase.slug)


@login_required
@require_POST
def wave_create(request: HttpRequest, slug: str) -> HttpResponse:
    _platform_staff_only(request)
    phase = _phase_or_404(slug)
    form = WaveForm(request.POST)
    if form.is_valid():
        try:
            wave = services.wave_create(
                actor=signed_in_user(request), phase=phase, **form.cleaned_data
            )
        except ServiceError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Wave {wave.name} added to {phase.name}.")
            return redirect("platform_rollout:phase", slug=phase.slug)
    return _phase_page(request, phase, wave_form=form, status=422)
