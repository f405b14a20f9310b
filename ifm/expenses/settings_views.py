"""Expense settings pages: the two-step threshold (admins) and the categories staff choose from
(finance and admins). Thin: services and categories decide."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseBase, HttpResponseNotAllowed
from django.shortcuts import redirect, render

from ifm.accounts.http import OrgRequest, service_args
from ifm.core.errors import ServiceError
from ifm.core.pages import error_text
from ifm.expenses import categories, selectors, services
from ifm.expenses.forms import CategoryForm, SettingsForm, add_service_errors
from ifm.expenses.models import ExpenseCategory
from ifm.expenses.views import require_any
from ifm.tenancy.permissions import has_perm, require_perm


def _settings_form(request: OrgRequest, current: Any) -> tuple[SettingsForm, str | None, bool]:
    """The threshold form: (form, conflict message, saved)."""
    if request.method != "POST" or "two_step_threshold" not in request.POST:
        initial = {"two_step_threshold": current.two_step_threshold, "version": current.version}
        return SettingsForm(initial=initial), None, False
    require_perm(request.access, "expenses.configure")
    form = SettingsForm(request.POST)
    if not form.is_valid():
        return form, None, False
    try:
        services.expense_settings_update(
            **service_args(request),
            two_step_threshold=form.cleaned_data["two_step_threshold"],
            expected_version=form.cleaned_data["version"],
        )
    except ServiceError as exc:
        if exc.status == 409:
            return form, exc.message, False
        add_service_errors(form, exc)
        return form, None, False
    return form, None, True


def _category_form(request: OrgRequest) -> tuple[CategoryForm, bool]:
    """The "add a category" form: (form, saved)."""
    if request.method != "POST" or "name" not in request.POST:
        return CategoryForm(), False
    require_perm(request.access, "expenses.categories")
    form = CategoryForm(request.POST)
    if not form.is_valid():
        return form, False
    data = form.cleaned_data
    try:
        categories.expense_category_create(
            **service_args(request),
            name=data["name"],
            account=data["account"],
            default_function=data["default_function"],
            is_active=data["is_active"],
        )
    except ServiceError as exc:
        add_service_errors(form, exc)
        return form, False
    messages.success(request, f"Category {data['name']} added.")
    return form, True


@login_required
def expense_settings(request: OrgRequest, org_slug: str) -> HttpResponse:
    require_any(request, "expenses.configure", "expenses.categories")
    current = selectors.expense_settings_get()
    form, conflict, saved = _settings_form(request, current)
    if saved:
        messages.success(request, "Expense settings saved.")
        return redirect("expenses:expense_settings", org_slug=request.org.slug)
    category_form, added = _category_form(request)
    if added:
        return redirect("expenses:expense_settings", org_slug=request.org.slug)
    refused = (form.is_bound and form.errors) or (category_form.is_bound and category_form.errors)
    status = 422 if refused else 200
    return render(
        request,
        "expenses/settings.html",
        {
            "form": form,
            "current": current,
            "conflict": conflict,
            "can_configure": has_perm(request.access, "expenses.configure"),
            "can_categorize": has_perm(request.access, "expenses.categories"),
            "categories": list(selectors.category_list()),
            "category_form": category_form,
        },
        status=status,
    )


def _category_or_404(category_id: int) -> ExpenseCategory:
    category = selectors.category_get(category_id)
    if category is None:
        raise Http404("No such category.")
    return category


@login_required
def category_edit(request: OrgRequest, org_slug: str, expensecategory_id: int) -> HttpResponse:
    require_perm(request.access, "expenses.categories")
    category = _category_or_404(expensecategory_id)
    conflict = None
    if request.method == "POST":
        form = CategoryForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                categories.expense_category_update(
                    **service_args(request),
                    category=category,
                    expected_version=data.get("version") or category.version,
                    name=data["name"],
                    account=data["account"],
                    default_function=data["default_function"],
                    is_active=data["is_active"],
                )
            except ServiceError as exc:
                if exc.status == 409:
                    conflict = exc.message
                else:
                    add_service_errors(form, exc)
            else:
                messages.success(request, f"Category {category.name} saved.")
                return redirect("expenses:expense_settings", org_slug=org_slug)
    else:
        form = CategoryForm(
            initial={
                "name": category.name,
                "account": category.account_id,
                "default_function": category.default_function,
                "is_active": category.is_active,
                "version": category.version,
            }
        )
    return render(
        request,
        "expenses/category_form.html",
        {"form": form, "category": category, "conflict": conflict},
        status=200 if request.method == "GET" or conflict else 422,
    )


@login_required
def category_delete(
    request: OrgRequest, org_slug: str, expensecategory_id: int
) -> HttpResponseBase:
    require_perm(request.access, "expenses.categories")
    category = _category_or_404(expensecategory_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    name = category.name
    try:
        categories.expense_category_delete(**service_args(request), category=category)
    except ServiceError as exc:
        messages.error(request, error_text(exc))
        return redirect(
            "expenses:expense_category", org_slug=org_slug, expensecategory_id=category.pk
        )
    messages.success(request, f"Category {name} deleted.")
    return redirect("expenses:expense_settings", org_slug=org_slug)
