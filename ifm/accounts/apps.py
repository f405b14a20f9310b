from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "ifm.accounts"
    label = "accounts"

    def ready(self) -> None:
        from ifm.accounts import signals  # noqa: PLC0415 (ready(): the app registry is loaded)

        signals.connect()
