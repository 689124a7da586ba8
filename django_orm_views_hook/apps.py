"""App configuration: discover the views modules and connect the migrate hook."""

from __future__ import annotations

from django.apps import AppConfig, apps
from django.core.checks import register
from django.db.models.signals import post_delete, post_migrate, pre_migrate


class OrmViewsHookConfig(AppConfig):
    name = "django_orm_views_hook"
    verbose_name = "Database views"
    default_auto_field = "django.db.models.AutoField"

    def ready(self) -> None:
        # No database access here: discovery imports modules, the hook waits for migrate.
        from . import checks  # noqa: F401 - registers the system checks
        from .definitions.registry import default_registry
        from .migrate import receivers
        from .migrate.model_permissions import create_for_readable_views

        default_registry.classes  # noqa: B018 - discover now, not at first migrate
        # Django sends these once per app; the receivers act on this app's turn only. Not
        # `sender=self`: a rebuilt app registry (override_settings) would add a receiver per
        # AppConfig instance; one dispatch_uid keeps a single connection.
        pre_migrate.connect(
            receivers.drop_views_before_migrations, dispatch_uid="django_orm_views_hook.pre"
        )
        post_migrate.connect(
            receivers.rebuild_views_after_migrations, dispatch_uid="django_orm_views_hook.post"
        )
        # On every app's turn: content types and permissions of that app's readable views.
        post_migrate.connect(create_for_readable_views, dispatch_uid="django_orm_views_hook.perms")
        if apps.is_installed("django_tenants"):
            from . import tenant_checks
            from .migrate import tenants

            register(tenant_checks.check_tenants)

            # A deleted tenant (delete_tenant, or auto_drop_schema) takes its views schemas.
            post_delete.connect(
                tenants.drop_views_of_deleted_tenant, dispatch_uid="django_orm_views_hook.tenant"
            )
