from django.apps import AppConfig


class HelpConfig(AppConfig):
    name = "ifm.support.help"
    label = "help"
    verbose_name = "Help center"
