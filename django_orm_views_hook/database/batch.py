"""Send a sync's statements to the server as one script, and say clearly what went wrong.

One round trip for the whole plan keeps the time locks are held close to the DDL's own. When
the script fails, a replay one view at a time, each in a savepoint, names every view class the
database rejects, in one run; a lock timeout names the relations other sessions hold; a lost
connection says nothing was committed;
a failure of the server itself (out of shared memory, shutdown) is no view's fault.
"""

from __future__ import annotations

import contextlib
from collections.abc import Collection, Iterator, Mapping, Sequence
from itertools import groupby
from typing import Any, cast

from django.db import DatabaseError, transaction
from django.db.backends.base.base import BaseDatabaseWrapper

from .. import conf
from ..exceptions import (
    ConnectionLostError,
    LockTimeoutError,
    Rejection,
    ServerError,
    ViewBuildError,
)
from ..sql import sqlstate
from ..sql.statement import Statement, as_script
from . import locks


def run(
    cursor: Any,
    connection: BaseDatabaseWrapper,
    statements: Sequence[Statement],
    schemas: Sequence[str] = (),
    reads: Mapping[str, Collection[str]] | None = None,
) -> None:
    """Send the statements as one script; on failure, replay them to name every view at fault.

    `schemas` are where to look for the holders of a lock that timed out; `reads` maps a view
    class to the view classes it reads, so that a reader of a rejected view is not tried. When
    views are rejected, the transaction is left as it was before the call.
    """
    if not statements:
        return
    with standard_strings(cursor, connection):
        _run(cursor, connection, statements, schemas, reads or {})


def _run(
    cursor: Any,
    connection: BaseDatabaseWrapper,
    statements: Sequence[Statement],
    schemas: Sequence[str],
    reads: Mapping[str, Collection[str]],
) -> None:
    savepoint = _savepoint(using=connection.alias)
    try:
        cursor.execute(as_script(statements))
    except DatabaseError as batch_error:
        raise_if_connection_lost(connection, batch_error)
        transaction.savepoint_rollback(savepoint, using=connection.alias)
        if sqlstate.of(batch_error) == sqlstate.LOCK_NOT_AVAILABLE:
            _raise_lock_timeout(cursor, schemas, batch_error)
        raise_if_server_wide(batch_error)
        rejections, blocked = _replay(cursor, connection, statements, reads)
        transaction.savepoint_rollback(savepoint, using=connection.alias)
        transaction.savepoint_commit(savepoint, using=connection.alias)
        if rejections:
            raise ViewBuildError(rejections, blocked) from batch_error
        raise  # pragma: no cover - the replay fails where the script did
    else:
        transaction.savepoint_commit(savepoint, using=connection.alias)


def _replay(
    cursor: Any,
    connection: BaseDatabaseWrapper,
    statements: Sequence[Statement],
    reads: Mapping[str, Collection[str]],
) -> tuple[list[Rejection], list[str]]:
    """Run the statements again, each view's in a savepoint, and collect every rejected view.

    A statement of no view (a drop, a grant) that fails is raised as it is: no view is at
    fault. Once a view is rejected, those statements are skipped: grants name every view, and
    the transaction is rolled back anyway.
    """
    rejected: dict[str, Rejection] = {}
    blocked: list[str] = []
    for owner, group in groupby(statements, key=lambda statement: statement.owner):
        if owner is None:
            if not rejected:
                for statement in group:
                    cursor.execute(statement.sql)
            continue
        if owner in rejected or owner in blocked:
            continue
        if any(read in rejected or read in blocked for read in reads.get(owner, ())):
            blocked.append(owner)
            continue
        savepoint = _savepoint(using=connection.alias)
        for statement in group:
            try:
                cursor.execute(statement.sql)
            except DatabaseError as exc:
                raise_if_connection_lost(connection, exc)
                raise_if_server_wide(exc)
                transaction.savepoint_rollback(savepoint, using=connection.alias)
                message = str(exc).strip()
                rejected[owner] = Rejection(
                    owner,
                    statement.sql,
                    message,
                    sqlstate.of(exc),
                    sqlstate.position(exc),
                    statement.kind,
                )
                break
        transaction.savepoint_commit(savepoint, using=connection.alias)
    return list(rejected.values()), blocked


@contextlib.contextmanager
def standard_strings(cursor: Any, connection: BaseDatabaseWrapper) -> Iterator[None]:
    """Run the script with standard_conforming_strings on, whatever the session's setting.

    The one-query check reads view SQL with it on (the server's default); with it off, a
    backslash in a string would end the statement elsewhere. The server lexes a whole script
    before running any of it, so the SET is a round trip of its own, sent only when needed
    (the driver knows the setting: the server reports it), and undone afterwards so that the
    rest of the caller's transaction (a migrate's migrations) runs as before.
    """
    if _parameter(connection, "standard_conforming_strings") == "on":
        yield
        return
    cursor.execute("SET LOCAL standard_conforming_strings = on")
    yield
    cursor.execute("SET LOCAL standard_conforming_strings = off")


def _parameter(connection: BaseDatabaseWrapper, name: str) -> str | None:
    """A setting the server reports to the driver, read without a query (psycopg 2.8+ and 3)."""
    return cast(str | None, connection.connection.info.parameter_status(name))


# Django 6.1 renamed savepoint() to savepoint_create(); 5.2 and 6.0 have only the former.
_savepoint = getattr(transaction, "savepoint_create", transaction.savepoint)


def raise_if_connection_lost(connection: BaseDatabaseWrapper, exc: DatabaseError) -> None:
    raw = connection.connection
    if raw is not None and not getattr(raw, "closed", False):
        return
    raise ConnectionLostError(
        f'the connection to database "{connection.alias}" was lost during the sync ({exc}); '
        "nothing was committed, so the previous views are intact. Run it again."
    ) from exc


def raise_if_server_wide(exc: DatabaseError) -> None:
    """A failure of the server is no view's fault: say so, with PostgreSQL's own hint."""
    code = sqlstate.of(exc) or ""
    if not code.startswith(sqlstate.SERVER_WIDE_CLASSES):
        return
    diag = getattr(exc.__cause__, "diag", None)
    message = getattr(diag, "message_primary", None) or str(exc).strip()
    hint = getattr(diag, "message_hint", None)
    raise ServerError(
        f"the server failed during the sync: {message} (SQLSTATE {code})."
        + (f" PostgreSQL's hint: {hint}" if hint else "")
        + " No view is at fault; nothing was committed, so the previous views are intact."
    ) from exc


def _raise_lock_timeout(cursor: Any, schemas: Sequence[str], exc: DatabaseError) -> None:
    held = locks.describe(locks.holders(cursor, schemas=schemas))
    raise LockTimeoutError(
        f"could not take the locks on the managed views within ORM_VIEWS_LOCK_TIMEOUT "
        f"({conf.lock_timeout()}): held by {held or 'sessions that have finished since'}; "
        "nothing changed."
    ) from exc
