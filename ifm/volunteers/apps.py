from django.apps import AppConfig


class VolunteersConfig(AppConfig):
    name = "ifm.volunteers"
    label = "volunteers"
    verbose_name = "Volunteers"

    def ready(self) -> None:
        # Each area registers its demo step, dashboard tiles, search provider and signal
        # receivers in its own `hooks.ready()`.
        from ifm.volunteers.hours import hooks as hours_hooks  # noqa: PLC0415 (ready(): the app registry is loaded)
        from ifm.volunteers.kiosk import hooks as kiosk_hooks  # noqa: PLC0415 (ready(): the app registry is loaded)
        from ifm.volunteers.people import hooks as people_hooks  # noqa: PLC0415 (ready(): the app registry is loaded)
        from ifm.volunteers.public import hooks as public_hooks  # noqa: PLC0415 (ready(): the app registry is loaded)
        from ifm.volunteers.shifts import hooks as shifts_hooks  # noqa: PLC0415 (ready(): the app registry is loaded)

        for hooks in (people_hooks, shifts_hooks, public_hooks, kiosk_hooks, hours_hooks):
            hooks.ready()
