"""django-tenants: each tenant's views through the shared schema's migrations and its lifecycle.

`migrate_schemas` runs our `migrate` once per schema, the connection set to it: a tenant's run
plans, drops and rebuilds that tenant's views like any migrate. The shared schema's run also
watches the tenants' views, which read shared tables too: what its statements break is dropped
in every tenant and rebuilt in the same transaction, tenant by tenant. A deleted tenant takes
its views schemas with it; a cloned one gets views of its own.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import connections, transaction

from .. import conf
from ..database import catalog, dialect, tenants
from ..sql import ddl
from ..sync import executor, schedule
from ..sync.plans import plan_for
from ..sync.result import SyncResult
from .run import MigrateRun

logger = logging.getLogger(__name__)


def watched_schemas(run: MigrateRun, cursor: Any) -> set[str]:
    """Besides its own: the tenants' views schemas, when the run migrates the shared schema."""
    if not conf.tenants() or run.plan is None or run.plan.tenant is not None:
        return set()
    return set(tenants.views_schemas(cursor))


def rebuild_dropped(run: MigrateRun) -> tuple[SyncResult, ...]:
    """The tenants' views that the shared schema's migrations dropped, rebuilt for each of
    those tenants, in the run's transaction."""
    if run.plan is None or not (dropped := {s for s, _ in run.dropped} - set(run.plan.schemas)):
        return ()
    connection = connections[run.using]
    with connection.cursor() as cursor:
        owners = tenants.views_schemas(cursor)
    results = []
    for tenant in sorted({owners[schema] for schema in dropped if schema in owners}):
        results.append(sync_tenant(run.using, tenant, skip_unbuildable=run.skip_unbuildable))
    return tuple(results)


def sync_tenant(using: str, tenant: str, **options: Any) -> SyncResult:
    """Make `tenant`'s views match the code (options: those of `executor.sync_plan`)."""
    connection = connections[using]
    with tenants.set_to(connection, tenant):
        plan = plan_for(using)
        return schedule.keep_jobs(plan, connection, executor.sync_plan(plan, connection, **options))


def drop_views_of_deleted_tenant(sender: Any, instance: Any, using: str, **kwargs: Any) -> None:
    """post_delete of a tenant: its views schemas go with its schema (theirs only, nobody
    else's). A tenant deleted without auto_drop_schema keeps its schema, and its views."""
    if not tenants.is_tenant(instance):
        return
    connection = connections[using]
    q = dialect.quoting(connection)
    with transaction.atomic(using=using), connection.cursor() as cursor:
        kept = catalog.schema_comment(cursor, instance.schema_name) is not None
        if kept and not getattr(instance, "auto_drop_schema", False):
            return
        for schema in tenants.views_schemas(cursor, instance.schema_name):
            cursor.execute(ddl.drop_tenant_views_schema(q, schema).sql)
            logger.info('Dropped schema "%s", the views of deleted tenant %s', schema, instance)
