from django.apps import AppConfig


class ViewsPackageConfig(AppConfig):
    name = "tests.badapps.views_package"
    label = "badapps_views_package"
