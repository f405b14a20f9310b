"""What the kiosk area registers when the app is ready (demo data, dashboard tiles, search,
signal receivers)."""


def ready() -> None:
    """Nothing yet."""
