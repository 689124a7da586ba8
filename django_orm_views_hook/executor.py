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

from . import conf, ddl, introspection, safety
from .ddl import Quoting, Statement
from .exceptions import ConnectionLostError, LockTimeoutError, ViewBuildError, ViewDefinitionError
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


def _is_current(plan: Plan, fingerprint: str, states: Sequence[introspection.SchemaState]) -> bool:
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


def _managed_schemas(plan: Plan, states: Sequence[introspection.SchemaState]) -> list[str]:
    """The plan's schemas and those this package marked as its own earlier."""
    return sorted({s.name for s in states if s.marked} | set(plan.schemas))


def _drop_statements(
    q: Quoting,
    plan: Plan,
    cursor: Any,
    states: Sequence[introspection.SchemaState],
) -> list[Statement]:
    """Drop every view the managed schemas hold, and the marked schemas the plan no longer uses.

    Raises UnsafeSchemaError or GrantError, before any DDL, for what the sync must not do.
    """
    marked = [s.name for s in states if s.marked]
    session = introspection.session(cursor, plan.roles)
    safety.check_schemas(plan, session)
    safety.check_roles(plan, session)
    contents = introspection.contents(cursor, _managed_schemas(plan, states))
    safety.check_contents(plan, contents)
    triples = [(v.schema, v.name, v.kind == "m") for v in contents.views_in_drop_order]
    statements = ddl.drop_views(q, triples, cascade=bool(contents.outside_dependents))
    statements += [ddl.drop_schema(q, s) for s in marked if s not in plan.schemas]
    for schema in plan.schemas:
        stale = [r for s, r in contents.schema_grantees if s == schema and r not in plan.roles]
        statements += ddl.revoke_usage(q, schema, stale)
    return statements


def _sqlstate(exc: BaseException) -> str | None:
    cause = exc.__cause__
    return getattr(cause, "pgcode", None) or getattr(cause, "sqlstate", None)


def _execute(
    cursor: Any,
    connection: BaseDatabaseWrapper,
    statements: Sequence[Statement],
    schemas: Sequence[str] = (),
) -> None:
    """Send the statements as one script; on failure, replay them one by one to name the view.

    One round trip for the whole plan keeps the time locks are held close to the DDL's own.
    """
    if not statements:
        return
    savepoint = transaction.savepoint(using=connection.alias)
    try:
        cursor.execute(ddl.as_script(statements))
    except DatabaseError as batch_error:
        _raise_if_connection_lost(connection, batch_error)
        transaction.savepoint_rollback(savepoint, using=connection.alias)
        if _sqlstate(batch_error) == LOCK_NOT_AVAILABLE:
            _raise_lock_timeout(cursor, schemas, batch_error)
        for statement in statements:
            try:
                cursor.execute(statement.sql)
            except DatabaseError as exc:
                if statement.owner is None:
                    raise
                raise ViewBuildError(statement.owner, statement.sql, str(exc).strip()) from exc
        raise  # pragma: no cover - the replay fails where the script did
    else:
        transaction.savepoint_commit(savepoint, using=connection.alias)


def _raise_if_connection_lost(connection: BaseDatabaseWrapper, exc: DatabaseError) -> None:
    raw = connection.connection
    if raw is not None and not getattr(raw, "closed", False):
        return
    raise ConnectionLostError(
        f'the connection to database "{connection.alias}" was lost during the sync ({exc}); '
        "nothing was committed, so the previous views are intact. Run it again."
    ) from exc


def _raise_lock_timeout(cursor: Any, schemas: Sequence[str], exc: DatabaseError) -> None:
    holders = introspection.lock_holders(cursor, schemas)
    held = ", ".join(f'"{s}"."{r}" (pid {pid}, {mode})' for s, r, pid, mode in holders)
    raise LockTimeoutError(
        f"could not take the lock on {held or 'the managed views'} within "
        f"ORM_VIEWS_LOCK_TIMEOUT ({conf.lock_timeout()}); nothing changed."
    ) from exc


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
        if _sqlstate(exc) != LOCK_NOT_AVAILABLE:
            raise
        raise LockTimeoutError(
            f"another sync or migrate of this database held the sync lock longer than "
            f"ORM_VIEWS_LOCK_TIMEOUT ({timeout}); nothing changed."
        ) from exc


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
        _execute(cursor, connection, statements, _managed_schemas(plan, states))
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
        _execute(cursor, connection, statements, _managed_schemas(plan, states))
    return SyncResult(
        plan.using,
        SyncStatus.DROPPED,
        plan.views,
        tuple(s.sql for s in statements),
        time.monotonic() - started,
    )
