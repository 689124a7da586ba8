"""The migrate hook: views are dropped just before a statement breaks them, rebuilt after.

Our `migrate` command opens a `MigrateRun`; inside one, `pre_migrate` takes the lock and starts
watching the migrations' statements, and the drops, the migrations and the `post_migrate`
rebuild share one transaction. Each statement that locks a relation out of its readers' reach
first locks the managed views those readers come through (the readers' order), and takes its
locks in short retried attempts with them. Outside a run (Django's own migrate, `flush`),
`post_migrate` still syncs, which costs one catalog query when nothing changed.
"""

from __future__ import annotations

import contextvars
import logging
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from typing import Any

from django.db import connections, transaction

from .. import conf
from ..database import deferred_constraints, introspection, locking, pg_cron
from ..planning import diff, statement_effects
from ..planning.plan import Plan
from ..sync import executor
from ..sync.api import is_postgres, plan_for
from ..sync.executor import SyncResult
from . import preflight, unmigrated

logger = logging.getLogger(__name__)


@dataclass
class MigrateRun:
    """State shared by our `migrate` command and the signal handlers for one database."""

    using: str
    fake: bool = False
    #: Build every view the database accepts, leave out (dropped) those it rejects.
    skip_unbuildable: bool = False
    warn: Callable[[str], None] = logger.warning
    stack: ExitStack = field(default_factory=ExitStack)
    non_atomic: tuple[str, ...] = ()
    #: The views dropped before the statements that break them; the rebuild recreates them.
    dropped: tuple[tuple[str, str], ...] = ()
    #: True from pre_migrate to post_migrate: statements are checked for what they break.
    watching: bool = False
    #: Built once before the migrations and reused after them: the code does not change.
    plan: Plan | None = None
    #: The managed schemas and views as they were before the migrations.
    catalog: introspection.Catalog | None = None
    #: The schemas of the managed views: the plan's, and those marked as ours before.
    schemas: tuple[str, ...] = ()
    #: Non-atomic runs: the dropped views built again before their migration committed.
    rebuilt_early: set[tuple[str, str]] = field(default_factory=set)
    #: The relations (oids) this transaction holds in ACCESS EXCLUSIVE mode, taken in order.
    held: set[int] = field(default_factory=set)
    result: SyncResult | None = None
    #: The migration being applied or unapplied (set by our migrate's progress callback).
    migration: str | None = None
    #: The views dropped before a statement that renames or moves what they read, with that
    #: statement and its migration: if one fails to rebuild, that is why (the message says so).
    renamed_by: dict[tuple[str, str], tuple[str, str | None]] = field(default_factory=dict)


current_run: contextvars.ContextVar[MigrateRun | None] = contextvars.ContextVar(
    "django_orm_views_hook_migrate_run", default=None
)


def _is_ours(sender: Any) -> bool:
    return getattr(sender, "name", None) == conf.APP_NAME


def _run_for(using: str) -> MigrateRun | None:
    run = current_run.get()
    return run if run is not None and run.using == using else None


def drop_views_before_migrations(
    sender: Any, using: str, plan: Any = None, apps: Any = None, **kwargs: Any
) -> None:
    """Open the run's transaction, take the lock and watch the migrations' statements."""
    run = _run_for(using)
    if not _is_ours(sender) or run is None or not conf.auto_sync() or not is_postgres(using):
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
        executor.hold_lock(connection)
        checks = deferred_constraints.FirePendingChecks(connection)
        run.stack.enter_context(connection.execute_wrapper(checks))
    run.plan = plan_for(using)
    with connection.cursor() as cursor:
        run.catalog = introspection.catalog(cursor, run.plan.schemas)
    # A changed view's `sql` is read now: a bad one fails before the migrations run.
    executor.check_changed_queries(run.plan, connection, run.catalog)
    run.schemas = tuple(sorted(set(run.catalog.marked) | set(run.plan.schemas)))
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


class ReadersOrder:
    """An execute wrapper: each statement of the migrations takes its locks in the readers' order.

    It sees every statement, whatever runs it (an operation, `RunSQL`, `RunPython`'s schema
    editor, a third-party operation), so what is locked and dropped follows from the SQL that
    runs, not from a prediction. Before a statement that takes a relation in ACCESS EXCLUSIVE
    mode, the managed views whose readers would wait for it are locked (`executor.
    before_statement`); the views it breaks are dropped; and those locks and the statement's own
    are taken together in short retried attempts, so that no reader queues behind a wait.
    """

    def __init__(self, run: MigrateRun) -> None:
        self.run = run
        self.connection = connections[run.using]
        self.busy = False  # our own statements pass through too

    def __call__(
        self, execute: Callable[..., Any], sql: Any, params: Any, many: bool, context: Any
    ) -> Any:
        run = self.run
        if not run.watching or self.busy or run.plan is None:
            return execute(sql, params, many, context)
        effects = self._effects(sql, params)
        if not (effects.breaks_views or effects.locks_out_readers):
            return execute(sql, params, many, context)
        if many:
            params = list(params)  # an attempt may be repeated: not a one-pass iterator
        self.busy = True
        try:
            if self.connection.in_atomic_block:
                return self._in_order(effects, lambda: execute(sql, params, many, context), sql)
            return self._alone(effects, lambda: execute(sql, params, many, context), sql)
        finally:
            self.busy = False

    def _in_order(
        self, effects: statement_effects.Effects, statement: Callable[[], Any], sql: Any
    ) -> Any:
        run = self.run
        assert run.plan is not None
        before = executor.before_statement(
            run.plan, self.connection, effects, schemas=run.schemas, held=run.held
        )
        q = executor.quoting(self.connection)
        with self.connection.cursor() as cursor:
            value = locking.take(
                cursor, self.connection, q, before.statements, before.relations, then=statement
            )
        run.held |= before.held
        self._dropped(before.dropped, sql, effects)
        if run.non_atomic and before.dropped:
            self._rebuild_now()
        return value

    def _alone(
        self, effects: statement_effects.Effects, statement: Callable[[], Any], sql: Any
    ) -> Any:
        """A statement of a non-atomic migration commits on its own: the drops before it too."""
        run = self.run
        assert run.plan is not None
        dropped: tuple[tuple[str, str], ...] = ()
        if effects.breaks_views:
            breaking = None if effects.unknown else effects.targets
            dropped = executor.drop_managed_views(
                run.plan, self.connection, breaking=breaking
            ).dropped
            self._dropped(dropped, sql, effects)
        if effects.locks_out_readers:
            with self.connection.cursor() as cursor:
                value = locking.in_autocommit(cursor, executor.quoting(self.connection), statement)
        else:
            value = statement()
        if dropped:
            self._rebuild_now()
        return value

    def _dropped(
        self, dropped: tuple[tuple[str, str], ...], sql: Any, effects: statement_effects.Effects
    ) -> None:
        if not dropped:
            return
        text = sql if isinstance(sql, str) else repr(sql)
        logger.info(
            'Dropped %d views on database "%s" before: %s', len(dropped), self.run.using, text
        )
        self.run.dropped += dropped
        if effects.renames:
            for key in dropped:
                self.run.renamed_by.setdefault(key, (text, self.run.migration))

    def _rebuild_now(self) -> None:
        """In a non-atomic run, each migration commits on its own: build the views a statement
        dropped right after it, so that they are there when its migration commits. Those the
        schema does not allow yet are built after the migrations."""
        run = self.run
        assert run.plan is not None
        result = executor.sync_plan(run.plan, self.connection, skip_unbuildable=True)
        run.rebuilt_early.update(view.key for view in result.built)

    def _effects(self, sql: Any, params: Any) -> statement_effects.Effects:
        if isinstance(sql, bytes):
            sql = sql.decode()
        elif not isinstance(sql, str):  # e.g. a psycopg sql.Composed
            try:
                sql = sql.as_string(self.connection.connection)
            except Exception:  # noqa: BLE001 - what cannot be read drops every view
                return statement_effects.UNKNOWN
        return statement_effects.of_execution(sql, params is not None)


def rebuild_views_after_migrations(sender: Any, using: str, **kwargs: Any) -> None:
    """Rebuild the views (or find them up to date) once the migrations are applied."""
    if not _is_ours(sender) or not conf.auto_sync() or not is_postgres(using):
        return
    run = _run_for(using)
    if run is not None:
        run.watching = False  # the rebuild's own statements need no watching
        if run.non_atomic:
            run.warn(_dropped_message(run))
    plan = run.plan if run is not None and run.plan is not None else plan_for(using)
    skip = run is not None and run.skip_unbuildable
    result = _sync_after_migrate(plan, using, skip, kwargs.get("apps"))
    result = pg_cron.keep_jobs(plan, connections[using], result)
    if run is not None:
        run.result = _with_lost_privileges(run, result)


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


def _names(keys: list[tuple[str, str]]) -> str:
    return ", ".join(f"{schema}.{name}" for schema, name in keys)
