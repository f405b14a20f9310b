from django.apps import AppConfig


class OrgsConfig(AppConfig):
    """An organization's own pages and tools: home, dashboard, members, settings, staff admin."""

    name = "ifm.orgs"
    label = "orgs"

    def ready(self) -> None:
        from ifm.orgs import demo, demo_members, tiles  # noqa: PLC0415 (ready(): the app registry is loaded)
        from ifm.orgs.dashboard import register  # noqa: PLC0415 (ready(): the app registry is loaded)

        register("admin", tiles.admin_tiles, perm="members.view")
        demo.register("members", demo_members.seed)
