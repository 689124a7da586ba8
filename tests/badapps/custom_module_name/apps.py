from django.apps import AppConfig


class CustomModuleNameConfig(AppConfig):
    name = "tests.badapps.custom_module_name"
    label = "badapps_custom_module_name"
