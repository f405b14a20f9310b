"""Pages of banking: statement import."""

from django.urls import path

from ifm.banking.imports import views

urlpatterns = [
    path("import/", views.import_new, name="import_new"),
    path("import/<int:statementimport_id>/", views.import_progress, name="import_progress"),
    path("statements/<int:statement_id>/", views.import_result, name="import_result"),
]
