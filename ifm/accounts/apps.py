from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "ifm.accounts"
    label = "accounts"

    def ready(self) -> None:
        from ifm.accounts import signals

        signals.connect()
