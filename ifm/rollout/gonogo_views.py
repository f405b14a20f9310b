"""The Go/No-Go page of a phase for platform staff, its printable PDF, and the sign-off of the
criteria no data decides (ifm.rollout.gonogo holds the rules)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.views.decorators.http import require_GET, require_POST

from ifm.accounts.http import signed_in_user
from ifm.core.errors import ServiceError
from ifm.core.pdf import pdf_from_html
from ifm.rollout import gonogo
from ifm.rollout.views import _phase_or_404, _platform_staff_only


class WindowForm(forms.Form):
    start = forms.DateField(
        required=False, label="From", widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        required=False, label="To", widget=forms.DateInput(attrs={"type": "date"})
    )


def _evaluated(request: HttpRequest, slug: str) -> tuple[dict[str, Any] | None, WindowForm]:
    phase = _phase_or_404(slug)
    form = WindowForm(request.GET or {})
    if not form.is_valid():
        return None, form
    try:
        return gonogo.evaluate(
            phase, start=form.cleaned_data.get("start"), end=form.cleaned_data.get("end")
        ), form
    except ValueError as exc:
        form.add_error(None, str(exc))
        return None, form


@login_required
@require_GET
def gonogo_page(request: HttpRequest, slug: str) -> HttpResponse:
    _platform_staff_only(request)
    result, form = _evaluated(request, slug)
    return render(
        request,
        "rollout/gonogo.html",
        {"result": result, "form": form, "phase": _phase_or_404(slug)},
        status=200 if result is not None else 400,
    )


@login_required
@require_GET
def gonogo_pdf(request: HttpRequest, slug: str) -> HttpResponse:
    _platform_staff_only(request)
    result, form = _evaluated(request, slug)
    if result is None:
        return HttpResponse(
            " ".join(str(e) for e in form.non_field_errors()) or "Invalid dates.", status=400
        )
    html = render_to_string("rollout/gonogo_pdf.html", {"result": result})
    response = HttpResponse(pdf_from_html(html), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="go-no-go-{slug}.pdf"'
    return response


@login_required
@require_POST
def gonogo_sign_off(request: HttpRequest, slug: str) -> HttpResponse:
    _platform_staff_only(request)
    phase = _phase_or_404(slug)
    met = request.POST.get("met")
    try:
        if met not in ("yes", "no"):
            raise ServiceError("Choose met or not met.", field="met")
        gonogo.gonogo_sign_off(
            phase=phase,
            criterion=request.POST.get("criterion", ""),
            met=met == "yes",
            actor=signed_in_user(request),
            note=request.POST.get("note", ""),
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Recorded.")
    return redirect("platform_rollout:gonogo", slug=phase.slug)
