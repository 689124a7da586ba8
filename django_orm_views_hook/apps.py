"""App configuration: discover the views modules and connect the migrate hook."""

from __future__ import annotations

from django.apps import AppConfig
from django.db.models.signals import post_migrate, pre_migrate


class OrmViewsHookConfig(AppConfig):
    name = "django_orm_views_hook"
    verbose_name = "Database views"
    default_auto_field = "django.db.models.AutoField"

    def ready(self) -> None:
        # No database access here: discovery imports modules, the hook waits for migrate.
        from . import checks, receivers  # noqa: F401 - registers the system checks
        from .registry import default_registry

        default_registry.classes  # noqa: B018 - discover now, not at first migrate
        pre_migrate.connect(receivers.drop_views_before_migrations, sender=self)
        post_migrate.connect(receivers.rebuild_views_after_migrations, sender=self)
