from django.apps import AppConfig


class SupportConfig(AppConfig):
    name = "ifm.support"
    label = "support"
    verbose_name = "Support"

    def ready(self) -> None:
        from ifm.support import hooks  # noqa: PLC0415 (ready(): the app registry is loaded)

        hooks.ready()
