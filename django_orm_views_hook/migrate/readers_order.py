"""The execute wrapper of a migrate: each statement of the migrations takes its locks in the
readers' order, after the drops of the views it breaks, in short retried attempts.

Readers lock a view, then what it reads; a statement that takes a relation in ACCESS EXCLUSIVE
mode must not wait for it while readers of the views over it queue behind. So the views come
first, then the relation, all in one short attempt (database/locking.py), retried.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.db import connections

from ..database import dialect, locking
from ..planning import statement_effects
from ..planning.plan import Key
from ..sync import before_statement, executor
from .run import MigrateRun

logger = logging.getLogger(__name__)


class ReadersOrder:
    """An execute wrapper: each statement of the migrations takes its locks in the readers' order.

    It sees every statement, whatever runs it (an operation, `RunSQL`, `RunPython`'s schema
    editor, a third-party operation), so what is locked and dropped follows from the SQL that
    runs, not from a prediction. Before a statement that takes a relation in ACCESS EXCLUSIVE
    mode, the managed views whose readers would wait for it are locked (sync/before_statement.py);
    the views it breaks are dropped; and those locks and the statement's own are taken together
    in short retried attempts, so that no reader queues behind a wait.
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
        before = before_statement.before_statement(
            run.plan, self.connection, effects, schemas=run.schemas, held=run.held
        )
        q = dialect.quoting(self.connection)
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
        dropped: tuple[Key, ...] = ()
        if effects.breaks_views:
            breaking = None if effects.unknown else effects.targets
            # The schemas the run watches: in a django-tenants run of the shared schema, the
            # tenants' views schemas too, as for an atomic migration's statements.
            dropped = before_statement.drop_managed_views(
                run.plan, self.connection, breaking=breaking, schemas=run.schemas
            ).dropped
            self._dropped(dropped, sql, effects)
        if effects.locks_out_readers:
            with self.connection.cursor() as cursor:
                value = locking.in_autocommit(cursor, dialect.quoting(self.connection), statement)
        else:
            value = statement()
        if dropped:
            self._rebuild_now()
        return value

    def _dropped(
        self, dropped: tuple[Key, ...], sql: Any, effects: statement_effects.Effects
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
