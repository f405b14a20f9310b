"""/o/<slug>/onboarding/: the organization's own onboarding checklist, for its admins (the
same checklist platform staff see in the rollout console), where they sign off the manual
items."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from ifm.accounts.http import OrgRequest
from ifm.core.errors import ServiceError
from ifm.rollout import services
from ifm.rollout.forms import SignOffForm
from ifm.rollout.onboarding import checklist
from ifm.tenancy.permissions import require_perm


@login_required
def onboarding(request: OrgRequest, org_slug: str) -> HttpResponse:
    require_perm(request.access, "onboarding.manage")
    return render(
        request,
        "rollout/onboarding.html",
        {
            "checklist": checklist(request.org),
            "signoff_action": reverse("rollout:signoff", args=[request.org.slug]),
        },
    )


@login_required
@require_POST
def onboarding_signoff(request: OrgRequest, org_slug: str) -> HttpResponse:
    require_perm(request.access, "onboarding.manage")
    form = SignOffForm(request.POST)
    if not form.is_valid():
        messages.error(request, "That item could not be recorded: " + form.errors.as_text())
    else:
        try:
            services.onboarding_sign_off(
                organization=request.org,
                item=form.cleaned_data["item"],
                done=form.cleaned_data["done"],
                note=form.cleaned_data["note"],
                actor=request.user,
                access=request.access,
            )
        except ServiceError as exc:
            messages.error(request, exc.message)
    return redirect("rollout:onboarding", org_slug=request.org.slug)
