from django.apps import AppConfig


class CycleConfig(AppConfig):
    name = "tests.badapps.cycle"
    label = "badapps_cycle"
