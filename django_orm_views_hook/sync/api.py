"""The public functions: `sync_views` and `refresh_materialized_view`."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction

from .. import conf, signals
from ..database import deploy_lock, locking, pg_cron, refresh_state
from ..definitions.registry import Registry, default_registry
from ..definitions.views import PostgresView, label, view_database, view_name, view_schema
from ..exceptions import ViewDefinitionError
from ..planning.plan import Plan, build_plan, check_databases
from ..sql import ddl
from ..sql.refresh_script import Method, Outcome
from . import executor

logger = logging.getLogger(__name__)


def is_postgres(using: str) -> bool:
    return connections[using].vendor == "postgresql"


def plan_for(
    using: str = DEFAULT_DB_ALIAS,
    *,
    roles: Sequence[str] | None = None,
    registry: Registry | None = None,
) -> Plan:
    """The validated plan of database `using`, granting SELECT to `roles` (default: setting).

    The SQL views' `sql` is read with PostgreSQL's grammar later, by the executor, for the
    views it builds only (plan.check_queries): a re-sync with nothing changed parses nothing.
    """
    registry = registry or default_registry
    roles = conf.grant_select_to() if roles is None else roles
    check_databases(registry.classes, list(connections))
    return build_plan(registry.for_database(using), using, roles=roles, check_sql=False)


def databases(registry: Registry | None = None) -> list[str]:
    """The PostgreSQL aliases a sync covers by default: "default" and any a view names."""
    registry = registry or default_registry
    aliases = {DEFAULT_DB_ALIAS} | registry.databases()
    return [alias for alias in connections if alias in aliases and is_postgres(alias)]


def sync_views(
    *,
    using: str | None = None,
    dry_run: bool = False,
    force: bool = False,
    grant_select_permissions_to_user: str | Sequence[str] | None = None,
    registry: Registry | None = None,
) -> list[executor.SyncResult]:
    """Make the managed views of each database match the code, one transaction per database.

    Args:
        using: one database alias; by default "default" and every alias a view names.
        dry_run: return the SQL that would run, and keep none of it: the sync is rehearsed in
            a transaction that is rolled back (its locks taken, every check made), so a dry
            run fails where the sync would.
        force: rebuild even when the database already matches the code.
        grant_select_permissions_to_user: extra role(s) granted SELECT, besides the setting's.

    Returns:
        One SyncResult per database.

    Raises:
        ViewDefinitionError: a bad view class, before any SQL runs.
        UnsafeSchemaError, ViewBuildError: nothing was changed.
    """
    extra = grant_select_permissions_to_user or ()
    roles = (*conf.grant_select_to(), *((extra,) if isinstance(extra, str) else extra))
    aliases = [using] if using else databases(registry)
    plans = [plan_for(alias, roles=roles, registry=registry) for alias in aliases]
    return [_sync_one(plan, dry_run=dry_run, force=force) for plan in plans]


def differences(
    *, using: str | None = None, registry: Registry | None = None
) -> list[executor.SyncResult]:
    """How each database differs from the code (`sync_views --check`): planned, not run.

    Unlike a dry run, nothing is rehearsed: no lock is taken and no DDL runs, so only what
    planning checks (definitions, schemas, roles, the lock table) can fail.
    """
    aliases = [using] if using else databases(registry)
    plans = [plan_for(alias, registry=registry) for alias in aliases]
    return [
        executor.sync_plan(plan, connections[plan.using], dry_run=True, rehearse=False)
        for plan in plans
    ]


def _sync_one(plan: Plan, *, dry_run: bool, force: bool) -> executor.SyncResult:
    connection = connections[plan.using]
    if dry_run:
        return executor.sync_plan(plan, connection, dry_run=True, force=force)
    # The deploy lock, waited for without holding a pooled server connection (deploy_lock).
    with deploy_lock.hold(plan.using):
        result = executor.sync_plan(plan, connection, force=force)
        return pg_cron.keep_jobs(plan, connection, result)


def check_refreshable(cls: type[PostgresView], *, concurrently: bool = False) -> None:
    """Raise ViewDefinitionError unless `cls` is materialised (with `pk_field`, concurrently)."""
    if not getattr(cls, "materialized", False):
        raise ViewDefinitionError(f"{label(cls)} is not a materialised view; nothing to refresh.")
    if concurrently and not getattr(cls, "pk_field", None):
        raise ViewDefinitionError(
            f"{label(cls)}: refreshing concurrently needs a unique index; set `pk_field`."
        )


def refresh_materialized_view(
    view: type[PostgresView] | PostgresView, concurrently: bool = False
) -> None:
    """REFRESH MATERIALIZED VIEW for a view class (or an instance of one).

    The refresh is recorded in the refresh state (`refresh_views --status`) and announced by
    the `view_refreshed` signal.

    Raises:
        ViewDefinitionError: the view is not materialised, or `concurrently` without `pk_field`.
    """
    cls = view if isinstance(view, type) else type(view)
    check_refreshable(cls, concurrently=concurrently)
    using = view_database(cls)
    connection = connections[using]
    q = executor.quoting(connection)
    key = (view_schema(cls), view_name(cls))
    statement = ddl.refresh_view(q, *key, concurrently=concurrently)
    method = Method.CONCURRENTLY if concurrently else Method.IN_PLACE
    started = time.monotonic()
    try:
        with transaction.atomic(using=using), connection.cursor() as cursor:
            if concurrently:  # its lock lets readers in: nobody queues behind it
                cursor.execute(statement.sql)
            else:
                locking.take(cursor, connection, q, [statement], [key])
            duration = time.monotonic() - started
            refresh_state.save_success(connection, q, key, label(cls), duration, None, method.value)
    except DatabaseError as exc:
        _announce(cls, using, Outcome.FAILED, time.monotonic() - started, method, str(exc))
        raise
    logger.info("Refreshed %s", label(cls))
    _announce(cls, using, Outcome.REFRESHED, duration, method, None)


def _announce(
    cls: type, using: str, outcome: Outcome, duration: float, method: Method, error: str | None
) -> None:
    signals.view_refreshed.send(
        sender=cls,
        using=using,
        view=cls,
        outcome=outcome,
        duration=duration,
        rows=None,
        method=method.value,
        error=error,
    )
