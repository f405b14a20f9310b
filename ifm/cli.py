"""The `ifm` console script: the same as `manage.py`."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ifm.settings")
    # After the settings module is chosen, so Django reads the right one.
    from django.conf import settings  # noqa: PLC0415
    from django.core.exceptions import ImproperlyConfigured  # noqa: PLC0415
    from django.core.management import execute_from_command_line  # noqa: PLC0415

    try:
        settings.INSTALLED_APPS  # noqa: B018  (loads the settings: a bad variable stops here)
    except ImproperlyConfigured as exc:
        sys.exit(f"Configuration error: {exc}")

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
