"""Pages of saved donor lists, under /o/<org_slug>/donors/lists/."""

from django.urls import path

from ifm.donors.lists import views

urlpatterns = [
    path("", views.donor_lists, name="donor_lists"),
    path("<int:donorlist_id>/", views.donor_list_detail, name="donor_list_detail"),
    *(
        path(
            f"<int:donorlist_id>/export.{fmt}",
            views.donor_list_export,
            {"fmt": fmt},
            name=f"donor_list_export_{fmt}",
        )
        for fmt in ("csv", "xlsx")
    ),
    path("<int:donorlist_id>/delete/", views.donor_list_delete, name="donor_list_delete"),
]
