"""The public functions of a sync: `sync_views`, and `differences` for `sync_views --check`."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connections

from .. import conf
from ..database import deploy_lock
from ..definitions.registry import Registry
from ..planning.plan import Plan
from . import executor, schedule
from .plans import databases, plan_for
from .result import SyncResult


def sync_views(
    *,
    using: str | None = None,
    dry_run: bool = False,
    force: bool = False,
    grant_select_permissions_to_user: str | Sequence[str] | None = None,
    registry: Registry | None = None,
) -> list[SyncResult]:
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


def differences(*, using: str | None = None, registry: Registry | None = None) -> list[SyncResult]:
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


def _sync_one(plan: Plan, *, dry_run: bool, force: bool) -> SyncResult:
    connection = connections[plan.using]
    if dry_run:
        return executor.sync_plan(plan, connection, dry_run=True, force=force)
    # The deploy lock, waited for without holding a pooled server connection (deploy_lock).
    with deploy_lock.hold(plan.using):
        result = executor.sync_plan(plan, connection, force=force)
        return schedule.keep_jobs(plan, connection, result)
