from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "ifm.core"
    label = "core"
