from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "ifm.reports"
    label = "reports"
    verbose_name = "Reports"

    def ready(self) -> None:
        from ifm.orgs.demo import register  # noqa: PLC0415 (ready(): the app registry is loaded)
        from ifm.reports import demo  # noqa: PLC0415 (ready(): the app registry is loaded)

        register("reports", demo.seed, after=("ledger", "donors", "expenses", "banking"))

        from ifm.reports.dashboard import register_tiles  # noqa: PLC0415 (ready(): the app registry is loaded)

        register_tiles()
