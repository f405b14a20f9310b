from django.apps import AppConfig
from django.db.models.signals import post_migrate


class RolloutConfig(AppConfig):
    name = "ifm.rollout"
    label = "rollout"
    verbose_name = "Rollout"

    def ready(self) -> None:
        from ifm.orgs.demo import register  # noqa: PLC0415 (ready(): the app registry is loaded)
        from ifm.rollout import comms_sources, demo  # noqa: PLC0415 (ready(): the app registry is loaded)
        from ifm.rollout.defaults import restore_after_flush  # noqa: PLC0415 (as above)

        post_migrate.connect(restore_after_flush, sender=self, dispatch_uid="ifm.rollout.defaults")

        # Last: a pilot organization keeps the data of the modules its phase turns off.
        register(
            "rollout",
            demo.seed,
            after=("ledger", "donors", "expenses", "banking", "volunteers", "reports"),
        )
        # Audiences by phase and wave, and merge fields about the phase, for communications.
        comms_sources.register()
