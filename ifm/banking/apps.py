from django.apps import AppConfig


class BankingConfig(AppConfig):
    name = "ifm.banking"
    label = "banking"
    verbose_name = "Banking"

    def ready(self) -> None:
        from ifm.banking.matching import dashboard  # noqa: PLC0415 (ready(): the app registry is loaded)
        from ifm.orgs.dashboard import register as register_tiles  # noqa: PLC0415 (ready(): the app registry is loaded)

        register_tiles("finance", dashboard.finance_tiles, perm="banking.view")
