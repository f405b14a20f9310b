"""Pages of tax receipts, under /o/<org_slug>/donors/receipts/."""

from django.urls import path

from ifm.donors.receipts import views

urlpatterns = [
    path("", views.receipt_list, name="receipt_list"),
    path("export.csv", views.receipt_export, {"fmt": "csv"}, name="receipt_export_csv"),
    path("export.xlsx", views.receipt_export, {"fmt": "xlsx"}, name="receipt_export_xlsx"),
    path("print/", views.receipt_print, name="receipt_print"),
    path("settings/", views.receipt_settings, name="receipt_settings"),
    path("settings/logo/", views.receipt_logo, name="receipt_logo"),
    path("settings/logo.img", views.receipt_logo_image, name="receipt_logo_image"),
    path("settings/preview/", views.receipt_letter_preview, name="receipt_letter_preview"),
    path("year-end/", views.year_end, name="receipt_year_end"),
    path("year-end/<int:receipt_run_id>/", views.run_detail, name="receipt_run_detail"),
    path(
        "year-end/<int:receipt_run_id>/progress/",
        views.run_progress,
        name="receipt_run_progress",
    ),
    path("year-end/<int:receipt_run_id>/print/", views.run_print, name="receipt_run_print"),
    path("year-end/<int:receipt_run_id>/email/", views.run_email, name="receipt_run_email"),
    path("<int:tax_receipt_id>/", views.receipt_detail, name="receipt_detail"),
    path("<int:tax_receipt_id>/letter/", views.receipt_letter, name="receipt_letter"),
    path("<int:tax_receipt_id>/pdf/", views.receipt_pdf, name="receipt_pdf"),
    path("<int:tax_receipt_id>/delivery/", views.receipt_delivery, name="receipt_delivery"),
    path("<int:tax_receipt_id>/send/", views.receipt_send, name="receipt_send"),
    path("<int:tax_receipt_id>/void/", views.receipt_void, name="receipt_void"),
    path("<int:tax_receipt_id>/correct/", views.receipt_correct, name="receipt_correct"),
]
