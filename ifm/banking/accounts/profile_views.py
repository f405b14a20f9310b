"""Column profile pages: how each bank writes its CSV or Excel export (list, add, edit)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render

from ifm.accounts.http import OrgRequest, service_args
from ifm.banking.accounts import selectors, services
from ifm.banking.accounts.forms import CsvProfileForm, add_service_errors
from ifm.banking.models import CsvProfile
from ifm.core.errors import ServiceError
from ifm.tenancy.permissions import has_perm, require_perm

PAGE_SIZE = 50


def _profile_or_404(profile_id: int) -> CsvProfile:
    profile = selectors.csv_profile_get(profile_id)
    if profile is None:
        raise Http404("No such column profile.")
    return profile


@login_required
def profile_list(request: OrgRequest, org_slug: str) -> HttpResponse:
    require_perm(request.access, "banking.view")
    q = request.GET.get("q", "")[:200]
    profiles = selectors.csv_profile_list(q=q)
    page = Paginator(profiles, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "banking/accounts/profile_list.html",
        {"page": page, "q": q, "can_manage": has_perm(request.access, "banking.manage")},
    )


@login_required
def profile_new(request: OrgRequest, org_slug: str) -> HttpResponse:
    require_perm(request.access, "banking.manage")
    form = CsvProfileForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            profile = services.csv_profile_create(**service_args(request), **form.service_kwargs())
        except ServiceError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Column profile {profile.name} added.")
            return redirect("banking:profile_list", org_slug=org_slug)
    status = 422 if form.is_bound and form.errors else 200
    return render(
        request,
        "banking/accounts/profile_form.html",
        {"form": form, "profile": None},
        status=status,
    )


@login_required
def profile_edit(request: OrgRequest, org_slug: str, profile_id: int) -> HttpResponse:
    require_perm(request.access, "banking.manage")
    profile = _profile_or_404(profile_id)
    conflict = None
    if request.method == "POST":
        form = CsvProfileForm(request.POST)
        if form.is_valid():
            try:
                services.csv_profile_update(
                    **service_args(request),
                    profile=profile,
                    version=form.cleaned_data.get("version") or profile.version,
                    **form.service_kwargs(),
                )
            except ServiceError as exc:
                if exc.status == 409:
                    conflict = exc.message
                else:
                    add_service_errors(form, exc)
            else:
                messages.success(request, f"Column profile {profile.name} saved.")
                return redirect("banking:profile_list", org_slug=org_slug)
    else:
        form = CsvProfileForm(
            initial={
                "name": profile.name,
                **{c: getattr(profile, c) for c in CsvProfileForm.COLUMNS},
                "version": profile.version,
            }
        )
    status = 200 if request.method == "GET" else (409 if conflict else 422)
    return render(
        request,
        "banking/accounts/profile_form.html",
        {"form": form, "profile": profile, "conflict": conflict},
        status=status,
    )
