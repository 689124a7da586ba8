"""django-tenants' `clone_tenant`, then the clone's own views.

django-tenants copies the source tenant's schema (its tables and rows) and sends no signal once
the copy exists; the views live in the tenant's views schema, which is not copied. So the clone
gets views of its own here, built over its own tables, in the same way a new tenant does.
Listed before django_tenants in INSTALLED_APPS, this command is the one `manage.py` runs.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from ... import conf
from ...migrate.tenants import sync_tenant
from .. import reporting, tenancy

if conf.tenants():  # pragma: no branch - the command is django-tenants' own
    from django_tenants.management.commands.clone_tenant import Command as _CloneTenant
else:

    class _CloneTenant(BaseCommand):  # type: ignore[no-redef]
        def handle(self, *args: Any, **options: Any) -> None:
            raise CommandError("clone_tenant is django-tenants' command: it is not installed.")


class Command(_CloneTenant):  # type: ignore[misc]
    help = "Clone a tenant (django-tenants), then build the clone's own views."

    def store_tenant(self, clone_schema_from: str, clone_tenant_fields: bool, **fields: Any) -> Any:
        tenant = super().store_tenant(clone_schema_from, clone_tenant_fields, **fields)
        if tenant is not None and conf.auto_sync():
            result = sync_tenant(tenancy.tenant_database(), tenant.schema_name)
            reporting.report(self, [result])
        return tenant
