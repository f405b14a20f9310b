from django.apps import AppConfig
from django.db.models.signals import post_migrate


class SupportConfig(AppConfig):
    name = "ifm.support"
    label = "support"
    verbose_name = "Support"

    def ready(self) -> None:
        from ifm.support import hooks  # noqa: PLC0415 (ready(): the app registry is loaded)
        from ifm.support.comms.defaults import restore_after_flush  # noqa: PLC0415 (as above)

        hooks.ready()
        post_migrate.connect(restore_after_flush, sender=self, dispatch_uid="ifm.support.comms")
