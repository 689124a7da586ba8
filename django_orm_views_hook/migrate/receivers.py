"""The migrate hook: views are dropped just before a statement breaks them, rebuilt after.

Our `migrate` command opens a `MigrateRun`; inside one, `pre_migrate` takes the lock and starts
watching the migrations' statements, and the drops, the migrations and the `post_migrate`
rebuild share one transaction. Each statement that locks a relation out of its readers' reach
first locks the managed views those readers come through (the readers' order), and takes its
locks in short retried attempts with them. Outside a run (Django's own migrate, `flush`),
`post_migrate` still syncs, which costs one catalog query when nothing changed.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

from django.db import connections, transaction

from .. import conf
from ..database import catalog, deferred_constraints, deploy_lock
from ..planning import diff
from ..planning.plan import Key, Plan
from ..sync import executor, schedule
from ..sync.plans import is_postgres, plan_for
from ..sync.result import SyncResult
from . import preflight, tenants, unmigrated
from .readers_order import ReadersOrder
from .run import MigrateRun, is_ours, run_for

logger = logging.getLogger(__name__)


def drop_views_before_migrations(
    sender: Any, using: str, plan: Any = None, apps: Any = None, **kwargs: Any
) -> None:
    """Open the run's transaction, take the lock and watch the migrations' statements."""
    run = run_for(using)
    if not is_ours(sender) or run is None or not conf.auto_sync() or not is_postgres(using):
        return
    plan = plan or []
    will_run_sql = bool(plan) and not run.fake
    if not will_run_sql:
        return  # nothing to migrate: post_migrate checks the views, no lock taken
    connection = connections[using]
    run.non_atomic = tuple(str(m) for m, _ in plan if not m.atomic)
    if not run.non_atomic:
        run.stack.enter_context(transaction.atomic(using=using))
        # The deploy lock is held already: this bounds the migrations' own lock waits.
        with connection.cursor() as cursor:
            deploy_lock.hold_in_transaction(cursor)
        checks = deferred_constraints.FirePendingChecks(connection)
        run.stack.enter_context(connection.execute_wrapper(checks))
    run.plan = plan_for(using)
    with connection.cursor() as cursor:
        run.catalog = catalog.catalog(cursor, run.plan.schemas, run.plan.tenant)
        watched = tenants.watched_schemas(run, cursor)
    # A changed view's `sql` is read now: a bad one fails before the migrations run.
    executor.check_changed_queries(run.plan, connection, run.catalog)
    run.schemas = tuple(sorted(set(run.catalog.marked) | set(run.plan.schemas) | watched))
    preflight.check(run.plan, connection, plan, run.schemas, run.catalog)
    run.watching = True
    run.stack.enter_context(connection.execute_wrapper(ReadersOrder(run)))
    if run.non_atomic:
        run.warn(
            f"This migrate cannot be atomic: {', '.join(run.non_atomic)} set atomic = False "
            f"and cannot run inside a transaction, so each migration commits on its own. A "
            f"view that a statement of the migrations breaks is dropped just before it and "
            f"rebuilt right after it, before its migration commits, if the schema allows; "
            f"else after the migrations, and until then its readers get errors."
        )


def rebuild_views_after_migrations(sender: Any, using: str, **kwargs: Any) -> None:
    """Rebuild the views (or find them up to date) once the migrations are applied."""
    if not is_ours(sender) or not conf.auto_sync() or not is_postgres(using):
        return
    run = run_for(using)
    if run is not None:
        run.watching = False  # the rebuild's own statements need no watching
        if run.non_atomic:
            run.warn(_dropped_message(run))
    plan = run.plan if run is not None and run.plan is not None else plan_for(using)
    skip = run is not None and run.skip_unbuildable
    result = _sync_after_migrate(plan, using, skip, kwargs.get("apps"))
    result = schedule.keep_jobs(plan, connections[using], result)
    if run is not None:
        run.result = _with_lost_privileges(run, result)
        run.tenant_results = tenants.rebuild_dropped(run)


def _with_lost_privileges(run: MigrateRun, result: SyncResult) -> SyncResult:
    """The views dropped before a statement lost their undeclared privileges: say so."""
    if run.catalog is None or run.plan is None or not run.dropped:
        return result
    lost = diff.lost_with(run.plan, run.catalog, run.dropped)
    executor.log_revokes(run.plan, lost)
    return replace(result, drift=(*result.drift, *lost))


def _sync_after_migrate(plan: Plan, using: str, skip: bool, state: Any) -> SyncResult:
    """The rebuild, leaving out the views over tables `state`'s migrations do not create yet."""
    not_created = None if skip else unmigrated.leave_out_not_created(state)
    result = executor.sync_plan(plan, connections[using], skip_unbuildable=not_created or skip)
    if not_created is None or not result.left_out:
        return result
    return replace(result, not_created=result.left_out, left_out=())


def _dropped_message(run: MigrateRun) -> str:
    if not run.dropped:
        return "No statement of these migrations broke a view, so no view was dropped."
    early = [key for key in dict.fromkeys(run.dropped) if key in run.rebuilt_early]
    late = [key for key in dict.fromkeys(run.dropped) if key not in run.rebuilt_early]
    said = []
    if early:
        said.append(
            "Views dropped before statements that broke them and rebuilt before their "
            f"migration committed: {_names(early)}."
        )
    if late:
        said.append(
            f"Views dropped before statements that broke them, rebuilt now: {_names(late)}."
        )
    return " ".join(said)


def _names(keys: list[Key]) -> str:
    return ", ".join(f"{schema}.{name}" for schema, name in keys)
