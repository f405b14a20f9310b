from django.apps import AppConfig


class VolunteersConfig(AppConfig):
    name = "ifm.volunteers"
    label = "volunteers"
    verbose_name = "Volunteers"
