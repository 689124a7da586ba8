"""The refresh state, kept in the database: when each materialised view was last refreshed.

Every process and every scheduler (cron, Celery beat, pg_cron) sees the same state, so two of
them never refresh a view twice and `refresh_views --status` tells the truth wherever it runs.

It lives in a schema of its own, `django_orm_views_hook`, created on first use (no migration
file), never in a managed schema of views: the sync refuses anything there that is not a view
of the code, and drops a managed schema once no view uses it. The schema's comment marks it as
the package's (sql.marks.STATE_MARK), and does not start with sql.marks.OWNER_MARK: it is never
taken for a schema of views, so no sync ever drops it. Its objects as SQL: sql/state_schema.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import DatabaseError, transaction
from django.db.backends.base.base import BaseDatabaseWrapper

from ..exceptions import UnsafeSchemaError
from ..planning.identifiers import STATE_SCHEMA
from ..planning.plan import Key, ViewSpec
from ..sql import sqlstate
from ..sql.marks import STATE_MARK, STATE_TABLE
from ..sql.state_schema import create_statements, qualified
from ..sql.statement import Quoting, Statement, as_script
from . import catalog, deploy_lock


def ensure(connection: BaseDatabaseWrapper, q: Quoting, extra: Sequence[Statement] = ()) -> None:
    """Create the state object (and `extra` statements) unless it is there, in a transaction.

    Raises UnsafeSchemaError when a schema of that name exists that the package did not make.
    """
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        deploy_lock.serialise_state_creation(cursor)
        comment = catalog.schema_comment(cursor, STATE_SCHEMA)
        if comment is not None and not comment.startswith(STATE_MARK):
            raise UnsafeSchemaError(
                f'database "{connection.alias}": schema "{STATE_SCHEMA}" exists and was not '
                "created by this package, which keeps the refresh state there. Rename or drop "
                "it; nothing was changed."
            )
        cursor.execute(as_script([*create_statements(q), *extra]))


def is_missing(exc: DatabaseError) -> bool:
    """The error of a query on the state table before anything created it."""
    return sqlstate.of(exc) == sqlstate.UNDEFINED_TABLE


DUE_SQL = """
SELECT w.i::int
FROM unnest(%s::text[], %s::text[], %s::interval[]) WITH ORDINALITY AS w(s, n, every, i)
LEFT JOIN {table} r ON r.view_schema = w.s AND r.view_name = w.n
WHERE r.refreshed_at IS NULL OR r.refreshed_at + w.every <= now()
ORDER BY w.i
"""


def due(cursor: Any, q: Quoting, views: Sequence[ViewSpec]) -> list[ViewSpec]:
    """Those of `views` (which have `refresh_every`) whose interval has passed since their last
    successful refresh, in the order given. One query; raises DatabaseError (is_missing) when
    the state table does not exist yet."""
    cursor.execute(
        DUE_SQL.format(table=qualified(q)),
        [[v.schema for v in views], [v.name for v in views], [v.refresh_every for v in views]],
    )
    return [views[index - 1] for (index,) in cursor.fetchall()]


def add_rows(cursor: Any, q: Quoting, views: Sequence[ViewSpec]) -> None:
    """A state row for each of `views` that has none yet (claim() locks rows)."""
    cursor.execute(
        f"INSERT INTO {qualified(q)} (view_schema, view_name, view_class) "
        "SELECT * FROM unnest(%s::text[], %s::text[], %s::text[]) "
        "ON CONFLICT (view_schema, view_name) DO NOTHING",
        [[v.schema for v in views], [v.name for v in views], [v.label for v in views]],
    )


def claim(cursor: Any, q: Quoting, key: Key, every: timedelta | None) -> bool | None:
    """Lock `view`'s state row for this transaction, without waiting.

    Returns None when another run holds it (it is refreshing the view now), False when the view
    is no longer due (another run refreshed it since this one looked), True to go ahead. With
    `every` None the view is refreshed whenever it was last.
    """
    cursor.execute(
        f"SELECT %s::interval IS NULL OR r.refreshed_at IS NULL "
        f"OR r.refreshed_at + %s::interval <= now() "
        f"FROM {qualified(q)} r WHERE r.view_schema = %s AND r.view_name = %s "
        "FOR UPDATE SKIP LOCKED",
        [every, every, *key],
    )
    row = cursor.fetchone()
    return None if row is None else bool(row[0])


def record_success(
    cursor: Any, q: Quoting, key: Key, label: str, duration: float, rows: int | None, method: str
) -> None:
    """In the refresh's own transaction: its rows are as of the transaction's start."""
    cursor.execute(
        f"INSERT INTO {qualified(q)} AS r (view_schema, view_name, view_class, refreshed_at, "
        "duration, row_count, method, refreshes) "
        "VALUES (%s, %s, %s, now(), make_interval(secs => %s), %s, %s, 1) "
        "ON CONFLICT (view_schema, view_name) DO UPDATE SET view_class = excluded.view_class, "
        "refreshed_at = excluded.refreshed_at, duration = excluded.duration, "
        "row_count = excluded.row_count, method = excluded.method, "
        "refreshes = r.refreshes + 1, failed_at = NULL, last_error = NULL, failures = 0",
        [*key, label, duration, rows, method],
    )


def record_failure(cursor: Any, q: Quoting, key: Key, label: str, error: str) -> None:
    """After the failed refresh rolled back, in a transaction of its own."""
    cursor.execute(
        f"INSERT INTO {qualified(q)} AS r (view_schema, view_name, view_class, failed_at, "
        "last_error, failures) VALUES (%s, %s, %s, now(), %s, 1) "
        "ON CONFLICT (view_schema, view_name) DO UPDATE SET view_class = excluded.view_class, "
        "failed_at = excluded.failed_at, last_error = excluded.last_error, "
        "failures = r.failures + 1",
        [*key, label, error],
    )


def save_success(
    connection: BaseDatabaseWrapper,
    q: Quoting,
    key: Key,
    label: str,
    duration: float,
    rows: int | None,
    method: str,
) -> None:
    """record_success() in the caller's transaction, creating the state object if need be."""
    try:
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            record_success(cursor, q, key, label, duration, rows, method)
            return
    except DatabaseError as exc:
        if not is_missing(exc):
            raise
    ensure(connection, q)
    with connection.cursor() as cursor:
        record_success(cursor, q, key, label, duration, rows, method)


@dataclass(frozen=True)
class Recorded:
    """A view's row of the state table, with its age as the server sees it now."""

    refreshed_at: datetime | None
    age: timedelta | None
    duration: timedelta | None
    row_count: int | None
    method: str | None
    refreshes: int
    failed_at: datetime | None
    last_error: str | None
    failures: int


def read(cursor: Any, q: Quoting) -> dict[Key, Recorded]:
    """Every recorded view; {} while the state object does not exist (nothing is created)."""
    cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [f"{STATE_SCHEMA}.{STATE_TABLE}"])
    if not cursor.fetchone()[0]:
        return {}
    cursor.execute(
        "SELECT view_schema, view_name, refreshed_at, now() - refreshed_at, duration, row_count, "
        f"method, refreshes, failed_at, last_error, failures FROM {qualified(q)}"
    )
    return {(row[0], row[1]): Recorded(*row[2:]) for row in cursor.fetchall()}
