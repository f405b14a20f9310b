from django.apps import AppConfig


class SupportConfig(AppConfig):
    name = "ifm.support"
    label = "support"
    verbose_name = "Support"

    def ready(self) -> None:
        from ifm.core.migration_defaults import remake_after_flush  # noqa: PLC0415 (ready(): the app registry is loaded)
        from ifm.support import hooks  # noqa: PLC0415 (as above)
        from ifm.support.comms.defaults import ensure_default_templates  # noqa: PLC0415 (as above)

        hooks.ready()
        remake_after_flush(self, ensure_default_templates)
