"""Scheduled refreshes: `refresh_due()`, which `refresh_views --due` runs, and the refresh of
one view in a transaction of its own.

Safe to run every minute from several schedulers at once: a view is claimed by locking its
state row without waiting (`FOR UPDATE SKIP LOCKED`), then checked again to be due, so two runs
never refresh it twice; a run that dies leaves nothing, since each refresh is one transaction.
A failing view is recorded with its error and left for the next run; the others go on.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import Any

from django.db import DatabaseError, connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper

from ..database import batch, catalog, dialect, locking, refresh_state
from ..definitions.naming import label, relation_label
from ..definitions.registry import Registry, default_registry
from ..exceptions import OrmViewsError, RefreshError
from ..planning.plan import Key, Plan, ViewSpec
from ..sql import ddl, sqlstate
from ..sql.refresh_script import RefreshScript, script_for
from ..sql.statement import Quoting, as_script
from ..sync.plans import databases, plan_for
from .result import Outcome, RefreshResult, announce

logger = logging.getLogger(__name__)

#: How soon the server gives up a refresh whose client has gone (PostgreSQL 14+): a killed run
#: releases its view within a second instead of when its statement ends.
CLIENT_CHECK = "1s"
#: How long recording a failure may wait for the view's state row.
RECORD_TIMEOUT = 5.0


OnStart = Callable[[ViewSpec, int, int], None]
OnDone = Callable[[RefreshResult], None]


def refresh_due(
    *,
    using: str | None = None,
    registry: Registry | None = None,
    on_start: OnStart | None = None,
    on_done: OnDone | None = None,
) -> list[RefreshResult]:
    """Refresh the materialised views whose `refresh_every` has passed since their last
    successful refresh, dependencies first, each in a transaction of its own.

    For task queues (a Celery beat task every minute) as `refresh_views --due` is for cron. It
    costs one query when nothing is due, and is safe to run from several workers at once.

    Args:
        using: one database alias; by default "default" and every alias a view names.
        on_start: called as `on_start(view, index, total)` before each refresh (a ViewSpec).
        on_done: called with each RefreshResult as soon as it is known.

    Returns:
        A RefreshResult per due view: REFRESHED, FAILED (recorded with its error; retried by
        the next run) or SKIPPED (another run is refreshing it, or did since; or a migrate or
        sync_views is running).

    Raises:
        RefreshError: called inside a transaction (each refresh needs its own).
        ViewDefinitionError: a bad view class, before anything runs.
    """
    registry = registry or default_registry
    aliases = [using] if using else databases(registry)
    plans = [plan_for(alias, registry=registry) for alias in aliases]
    results: list[RefreshResult] = []
    for plan in plans:
        results += _refresh_due_in(plan, registry, on_start, on_done)
    return results


def _refresh_due_in(
    plan: Plan, registry: Registry, on_start: OnStart | None, on_done: OnDone | None
) -> list[RefreshResult]:
    scheduled = [view for view in plan.views if view.refresh_every is not None]
    if not scheduled:
        return []
    connection = connections[plan.using]
    if connection.in_atomic_block:
        raise RefreshError(
            f'refresh_due() on database "{plan.using}" was called inside a transaction; each '
            "refresh runs in a transaction of its own, so call it outside transaction.atomic()."
        )
    q = dialect.quoting(connection)
    due = _due(connection, q, scheduled)
    if not due:
        return []
    with connection.cursor() as cursor:
        refresh_state.add_rows(cursor, q, due)
    digests = ddl.digests(plan, q)
    classes = {label(cls): cls for cls in registry.for_database(plan.using)}
    results = []
    for index, view in enumerate(due, start=1):
        if on_start is not None:
            on_start(view, index, len(due))
        result = refresh_one(plan, view, connection, q, digests, every=view.refresh_every)
        if on_done is not None:
            on_done(result)
        _announce(classes.get(view.label), result)
        results.append(result)
    return results


def _due(connection: BaseDatabaseWrapper, q: Quoting, scheduled: list[ViewSpec]) -> list[ViewSpec]:
    """The due views: one query, once the state object exists (created here on first use)."""
    try:
        with connection.cursor() as cursor:
            return refresh_state.due(cursor, q, scheduled)
    except DatabaseError as exc:
        if not refresh_state.is_missing(exc):
            raise
    refresh_state.ensure(connection, q)
    with connection.cursor() as cursor:
        return refresh_state.due(cursor, q, scheduled)


class _SkipError(Exception):
    """Leave this view to the next run; nothing is recorded."""


def refresh_one(
    plan: Plan,
    view: ViewSpec,
    connection: BaseDatabaseWrapper,
    q: Quoting,
    digests: Mapping[Key, str],
    *,
    every: timedelta | None,
) -> RefreshResult:
    """Refresh `view` in a transaction of its own, once it is claimed and still due (`every`
    None: whenever it was last refreshed), and record the outcome."""
    started = time.monotonic()
    try:
        with transaction.atomic(using=plan.using), connection.cursor() as cursor:
            # No serialisation failure on the state row, whatever the alias's isolation level.
            cursor.execute("SET TRANSACTION ISOLATION LEVEL READ COMMITTED")
            if connection.pg_version >= 140000:  # type: ignore[attr-defined]
                cursor.execute(f"SET LOCAL client_connection_check_interval = '{CLIENT_CHECK}'")
            claimed = refresh_state.claim(cursor, q, view.key, every)
            if not claimed:
                raise _SkipError(
                    "another run is refreshing it"
                    if claimed is None
                    else "another run refreshed it since this one looked"
                )
            populated = catalog.is_populated(cursor, view.key)
            if populated is None:
                raise RefreshError(
                    f"{view.label}: materialised view {relation_label(*view.key)} does not "
                    "exist; run migrate or sync_views first."
                )
            refresh = script_for(q, plan, view, digests, populated=populated)
            with batch.standard_strings(cursor, connection):
                rows = _run(cursor, connection, q, refresh)
            duration = time.monotonic() - started
            refresh_state.record_success(
                cursor, q, view.key, view.label, duration, rows, refresh.method.value
            )
    except _SkipError as skip:
        return RefreshResult(plan.using, view, Outcome.SKIPPED, _since(started), reason=str(skip))
    except (DatabaseError, OrmViewsError) as exc:
        error = _describe(exc)
        _record_failure(connection, q, view, error)
        logger.warning('Refresh of %s failed on database "%s": %s', view.label, plan.using, error)
        return RefreshResult(plan.using, view, Outcome.FAILED, _since(started), reason=error)
    logger.info("Refreshed %s (%s) in %.3fs", view.label, refresh.method.value, duration)
    return RefreshResult(plan.using, view, Outcome.REFRESHED, duration, rows, refresh.method)


def _run(cursor: Any, connection: BaseDatabaseWrapper, q: Quoting, refresh: RefreshScript) -> Any:
    """Run a refresh script; returns the view's row count."""
    rows = None
    if refresh.setup:
        cursor.execute(as_script(refresh.setup))
    if refresh.populate is not None:
        cursor.execute(refresh.populate.sql)
        rows = cursor.rowcount if cursor.rowcount >= 0 else None
    if refresh.prepare:
        cursor.execute(as_script(refresh.prepare))
    if refresh.guard is not None:
        try:
            cursor.execute(refresh.guard.sql)
        except DatabaseError as exc:
            if sqlstate.of(exc) == sqlstate.DEPLOY_RUNNING:
                raise _SkipError("a migrate or sync_views of this database is running") from exc
            raise
    locking.take(cursor, connection, q, refresh.locked, refresh.locked_keys)
    if refresh.swap:
        cursor.execute(as_script(refresh.swap))
    if refresh.count is not None:
        cursor.execute(refresh.count.sql)
        rows = cursor.fetchone()[0]
    return rows


def _describe(exc: BaseException) -> str:
    """The error in a line or two: the server's primary message when there is one."""
    diag = getattr(exc.__cause__, "diag", None)
    primary = getattr(diag, "message_primary", None)
    return str(primary or exc).strip()


def _record_failure(
    connection: BaseDatabaseWrapper, q: Quoting, view: ViewSpec, error: str
) -> None:
    """Record the error in a short transaction of its own; a failure to do so is only logged."""
    try:
        if connection.connection is not None and not connection.is_usable():
            connection.close()  # the next cursor reconnects
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            cursor.execute(ddl.set_lock_timeout(q, ddl.milliseconds(RECORD_TIMEOUT)).sql)
            refresh_state.record_failure(cursor, q, view.key, view.label, error)
    except DatabaseError:
        logger.exception("Could not record the failed refresh of %s", view.label)


def _announce(cls: type | None, result: RefreshResult) -> None:
    if result.outcome is Outcome.SKIPPED or cls is None:
        return
    error = result.reason if result.outcome is Outcome.FAILED else None
    announce(
        cls,
        result.using,
        result.outcome,
        result.duration,
        result.method,
        rows=result.rows,
        error=error,
    )


def _since(started: float) -> float:
    return time.monotonic() - started
