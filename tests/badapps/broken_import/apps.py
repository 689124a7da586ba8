from django.apps import AppConfig


class BrokenImportConfig(AppConfig):
    name = "tests.badapps.broken_import"
    label = "badapps_broken_import"
