from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "ifm.ops"
    label = "ops"
