from django.apps import AppConfig


class DonorsConfig(AppConfig):
    name = "ifm.donors"
    label = "donors"
    verbose_name = "Donors"
