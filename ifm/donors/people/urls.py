"""Pages of donors and households, under /o/<org_slug>/donors/."""

from django.urls import path

from ifm.donors.people import views

urlpatterns = [
    path("", views.donor_list, name="donor_list"),
    path("export.csv", views.donor_export, {"fmt": "csv"}, name="donor_export_csv"),
    path("export.xlsx", views.donor_export, {"fmt": "xlsx"}, name="donor_export_xlsx"),
    path("new/", views.donor_new, name="donor_new"),
    path("households/", views.household_list, name="household_list"),
    path("households/new/", views.household_new, name="household_new"),
    path("households/<int:household_id>/", views.household_detail, name="household_detail"),
    path("households/<int:household_id>/edit/", views.household_edit, name="household_edit"),
    path(
        "households/<int:household_id>/members/", views.household_members, name="household_members"
    ),
    path("<int:donor_id>/household/", views.donor_household, name="donor_household"),
    path("<int:donor_id>/edit/", views.donor_edit, name="donor_edit"),
]
