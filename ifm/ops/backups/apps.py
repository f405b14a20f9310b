from django.apps import AppConfig


class BackupsConfig(AppConfig):
    """Backups with a verified restore: its own app so its tables have their own migrations."""

    name = "ifm.ops.backups"
    label = "backups"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Backups"
