"""Pages of donations, campaigns and gift batches, under /o/<org_slug>/donors/."""

from django.urls import path

from ifm.donors.gifts import batch_views, views

urlpatterns = [
    path("pick/", views.donor_pick, name="donor_pick"),
    path("donations/", views.donation_list, name="donation_list"),
    path("donations/export.csv", views.donation_export, {"fmt": "csv"}, name="donation_export_csv"),
    path(
        "donations/export.xlsx", views.donation_export, {"fmt": "xlsx"}, name="donation_export_xlsx"
    ),
    path("donations/new/", views.donation_new, name="donation_new"),
    path("donations/<int:donation_id>/edit/", views.donation_edit, name="donation_edit"),
    path("campaigns/", views.campaign_list, name="campaign_list"),
    path("batches/", batch_views.batch_list, name="gift_batch_list"),
    path("batches/<int:giftbatch_id>/", batch_views.batch_detail, name="gift_batch_detail"),
    path("batches/<int:giftbatch_id>/add/", batch_views.batch_add, name="gift_batch_add"),
    path(
        "batches/<int:giftbatch_id>/gifts/<int:donation_id>/edit/",
        batch_views.batch_gift_edit,
        name="gift_batch_gift_edit",
    ),
    path(
        "batches/<int:giftbatch_id>/gifts/<int:donation_id>/delete/",
        batch_views.batch_gift_delete,
        name="gift_batch_gift_delete",
    ),
    path("batches/<int:giftbatch_id>/post/", batch_views.batch_post, name="gift_batch_post"),
]
