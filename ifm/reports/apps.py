from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "ifm.reports"
    label = "reports"
    verbose_name = "Reports"
