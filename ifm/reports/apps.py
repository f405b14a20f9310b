from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "ifm.reports"
    label = "reports"
    verbose_name = "Reports"

    def ready(self) -> None:
        from ifm.reports.dashboard import register_tiles  # noqa: PLC0415 (ready(): the app registry is loaded)

        register_tiles()
