"""Pages of the reports' budgets area, inside the `reports` namespace."""

from django.urls import URLPattern, path

from ifm.reports.budgets import views
from ifm.reports.routes import report_routes

urlpatterns: list[URLPattern] = [
    path("budgets/", views.budget_list, name="budgets"),
    path("budgets/template.<str:fmt>", views.budget_template, name="budget_template"),
    path("budgets/<int:fiscal_year>/", views.budget_grid, name="budget_grid"),
    path("budgets/<int:fiscal_year>/import/", views.budget_import, name="budget_import"),
    path("budgets/<int:fiscal_year>/copy/", views.budget_copy, name="budget_copy"),
    path("budgets/<int:fiscal_year>/budget.<str:fmt>", views.budget_file, name="budget_file"),
    *report_routes(
        "budget-vs-actual/",
        "budget_vs_actual",
        views.budget_vs_actual,
        views.budget_vs_actual_export,
    ),
]
