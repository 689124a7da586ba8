"""Run a plan on a database: lock, safety checks, DDL in one transaction, fingerprint.

The executor never prints: it returns a SyncResult and logs; commands decide what to show.
"""

from __future__ import annotations

import enum
import functools
import hashlib
import logging
import time
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import DatabaseError, transaction
from django.db.backends.base.base import BaseDatabaseWrapper

from . import conf, ddl, introspection
from .ddl import Quoting, Statement
from .exceptions import SyncLockTimeout, UnsafeSchemaError, ViewBuildError, ViewDefinitionError
from .plan import Plan, ViewSpec

logger = logging.getLogger(__name__)

#: Key of the transaction-scoped advisory lock that serialises syncs on one database.
ADVISORY_LOCK_KEY = zlib.crc32(b"django_orm_views_hook")
LOCK_NOT_AVAILABLE = "55P03"


class SyncStatus(enum.Enum):
    REBUILT = "rebuilt"
    UP_TO_DATE = "up to date"
    DRY_RUN = "dry run"
    DROPPED = "dropped"


@dataclass(frozen=True)
class SyncResult:
    using: str
    status: SyncStatus
    views: tuple[ViewSpec, ...]
    statements: tuple[str, ...]
    duration: float

    @property
    def script(self) -> str:
        return "".join(f"{sql};\n" for sql in self.statements)


def quoting(connection: BaseDatabaseWrapper) -> Quoting:
    """Identifiers quoted by the connection, literals by the driver."""
    # The same few literals (the ownership comment) recur once per view: quote each once.
    literal = functools.lru_cache(maxsize=64)(
        lambda value: connection.ops.compose_sql("%s", [value])
    )
    return Quoting(name=connection.ops.quote_name, literal=literal)


def code_fingerprint(plan: Plan, q: Quoting) -> str:
    """A digest of the SQL the code would run: any change to a view or a grant changes it."""
    return hashlib.sha256(ddl.as_script(ddl.create_plan(q, plan)).encode()).hexdigest()


def _state(fingerprint: str, states: Sequence[introspection.SchemaState]) -> str:
    digests = "\n".join(f"{s.name}:{s.digest}" for s in sorted(states, key=lambda s: s.name))
    return hashlib.sha256(f"{fingerprint}\n{digests}".encode()).hexdigest()


def _is_current(
    plan: Plan, fingerprint: str, states: Sequence[introspection.SchemaState]
) -> bool:
    by_name = {s.name: s for s in states}
    wanted = set(plan.schemas)
    if {s.name for s in states if s.marked} != wanted or not wanted <= by_name.keys():
        return False
    expected = _state(fingerprint, [by_name[name] for name in wanted])
    return all(by_name[name].recorded_state == expected for name in wanted)


def is_current(plan: Plan, connection: BaseDatabaseWrapper) -> bool:
    """Whether the database holds exactly the views (and grants) of `plan`. One query."""
    with connection.cursor() as cursor:
        states = introspection.schema_states(cursor, plan.schemas)
    return _is_current(plan, code_fingerprint(plan, quoting(connection)), states)


def _check_safe(plan_label: str, contents: introspection.Contents, keep: set[tuple[str, str]]):
    foreign = [
        r.description
        for r in contents.relations
        if (r.is_view and not r.marked and (r.schema, r.name) not in keep)
        or (not r.is_view and r.kind not in ("i", "I"))
    ]
    foreign += [f'{kind} "{schema}"."{name}"' for schema, kind, name in contents.other_objects]
    if foreign:
        raise UnsafeSchemaError(
            f"{plan_label}: refusing to drop the managed views: the managed schema holds "
            f"{', '.join(foreign)}, which this package did not create. Move or drop "
            "it yourself, or give the views a schema of their own (ORM_VIEWS_SCHEMA)."
        )
    if contents.outside_dependents:
        readers = ", ".join(
            f'"{schema}"."{name}" (reads {what})'
            for schema, name, what in contents.outside_dependents
        )
        raise UnsafeSchemaError(
            f"{plan_label}: refusing to drop the managed views: objects outside the managed "
            f"schema depend on them: {readers}. Drop those first or make them managed views."
        )


def _drop_statements(
    q: Quoting,
    plan: Plan,
    cursor: Any,
    states: Sequence[introspection.SchemaState],
) -> list[Statement]:
    """Drop every view the managed schemas hold, and the marked schemas the plan no longer uses."""
    marked = [s.name for s in states if s.marked]
    contents = introspection.contents(cursor, sorted(set(marked) | set(plan.schemas)))
    _check_safe(f'database "{plan.using}"', contents, {v.key for v in plan.views})
    triples = [(v.schema, v.name, v.kind == "m") for v in contents.views_in_drop_order]
    statements = ddl.drop_views(q, triples)
    statements += [ddl.drop_schema(q, s) for s in marked if s not in plan.schemas]
    return statements


def _execute(cursor: Any, connection: BaseDatabaseWrapper, statements: Sequence[Statement]):
    """Send the statements as one script; on failure, replay them one by one to name the view.

    One round trip for the whole plan keeps the time locks are held close to the DDL's own.
    """
    if not statements:
        return
    savepoint = transaction.savepoint(using=connection.alias)
    try:
        cursor.execute(ddl.as_script(statements))
    except DatabaseError as batch_error:
        transaction.savepoint_rollback(savepoint, using=connection.alias)
        for statement in statements:
            try:
                cursor.execute(statement.sql)
            except DatabaseError as exc:
                _raise_for(statement, exc)
        raise batch_error  # pragma: no cover - the replay fails where the script did
    else:
        transaction.savepoint_commit(savepoint, using=connection.alias)


def _raise_for(statement: Statement, exc: DatabaseError) -> None:
    cause = getattr(exc, "__cause__", None)
    sqlstate = getattr(cause, "pgcode", None) or getattr(cause, "sqlstate", None)
    message = str(exc).strip()
    if sqlstate == LOCK_NOT_AVAILABLE:
        raise SyncLockTimeout(
            f"could not take the locks for `{statement.sql.splitlines()[0]}` within "
            f"ORM_VIEWS_LOCK_TIMEOUT ({conf.lock_timeout()}); nothing changed."
        ) from exc
    if statement.owner is None:
        raise exc
    raise ViewBuildError(statement.owner, statement.sql, message) from exc


def _check_columns(cursor: Any, plan: Plan) -> None:
    """Fail the sync when a readable view's model names a column its view does not have."""
    checked = [view for view in plan.views if view.required_columns]
    if not checked:
        return
    found = introspection.columns(cursor, [view.key for view in checked])
    for view in checked:
        actual = found.get(view.key, [])
        missing = [c for c in view.required_columns if c not in actual]
        if missing:
            extra = [c for c in actual if c not in view.required_columns]
            raise ViewDefinitionError(
                f"{view.label}: the model's fields and the view's columns disagree. Missing "
                f"from the view: {', '.join(missing)}. In the view but not the model: "
                f"{', '.join(extra) or 'none'}. Fix the fields or the view's query."
            )


def _lock(cursor: Any, q: Quoting) -> None:
    timeout = conf.lock_timeout()
    if timeout is not None:
        cursor.execute(ddl.set_lock_timeout(q, timeout).sql)
    try:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ADVISORY_LOCK_KEY])
    except DatabaseError as exc:
        _raise_for(Statement("SELECT pg_advisory_xact_lock(...)"), exc)


def sync_plan(
    plan: Plan,
    connection: BaseDatabaseWrapper,
    *,
    dry_run: bool = False,
    force: bool = False,
) -> SyncResult:
    """Make the database's managed views match `plan`, in one transaction.

    Nothing is done (one catalog query) when the database's recorded state matches the plan,
    unless `force`. With `dry_run`, the statements are returned and none is run.
    """
    started = time.monotonic()
    q = quoting(connection)
    fingerprint = code_fingerprint(plan, q)

    def result(status: SyncStatus, statements: Sequence[Statement] = ()) -> SyncResult:
        return SyncResult(
            plan.using,
            status,
            plan.views,
            tuple(s.sql for s in statements),
            time.monotonic() - started,
        )

    with connection.cursor() as cursor:
        states = introspection.schema_states(cursor, plan.schemas)
    if not force and _is_current(plan, fingerprint, states):
        return result(SyncStatus.UP_TO_DATE)

    if dry_run:
        with connection.cursor() as cursor:
            statements = _rebuild_statements(q, plan, cursor, states, for_dry_run=True)
        return result(SyncStatus.DRY_RUN, statements)

    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        _lock(cursor, q)
        # Another process may have synced while this one waited for the lock.
        states = introspection.schema_states(cursor, plan.schemas)
        if not force and _is_current(plan, fingerprint, states):
            return result(SyncStatus.UP_TO_DATE)
        statements = _rebuild_statements(q, plan, cursor, states)
        _execute(cursor, connection, statements)
        _check_columns(cursor, plan)
        new_states = introspection.schema_states(cursor, plan.schemas)
        state = _state(fingerprint, [s for s in new_states if s.name in plan.schemas])
        _execute(cursor, connection, [ddl.mark_schema(q, s, state) for s in plan.schemas])
    logger.info(
        'Rebuilt %d views on database "%s" in %.3fs',
        len(plan.views),
        plan.using,
        time.monotonic() - started,
    )
    return result(SyncStatus.REBUILT, statements)


def _rebuild_statements(
    q: Quoting,
    plan: Plan,
    cursor: Any,
    states: Sequence[introspection.SchemaState],
    *,
    for_dry_run: bool = False,
) -> list[Statement]:
    statements = _drop_statements(q, plan, cursor, states) + ddl.create_plan(q, plan)
    if for_dry_run:
        # The state digest only exists once the views do: the printed script marks the
        # schemas as managed, and the next sync records the state.
        statements += [ddl.mark_schema(q, s, None) for s in plan.schemas]
    return statements


def drop_managed_views(plan: Plan, connection: BaseDatabaseWrapper) -> SyncResult:
    """Drop every managed view of the database (dependents first) in the caller's transaction.

    `migrate` calls this before the migrations run, so that they can alter and drop the
    columns the views read; the views are rebuilt after them, before the commit.
    """
    started = time.monotonic()
    q = quoting(connection)
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        _lock(cursor, q)
        states = introspection.schema_states(cursor, plan.schemas)
        statements = _drop_statements(q, plan, cursor, states)
        _execute(cursor, connection, statements)
    return SyncResult(
        plan.using,
        SyncStatus.DROPPED,
        plan.views,
        tuple(s.sql for s in statements),
        time.monotonic() - started,
    )
