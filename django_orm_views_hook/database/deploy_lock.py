"""The deploy lock: one `migrate` or `sync_views` of a database at a time, planned under it.

This module is the one place the package takes an advisory lock: the deploy lock (sql.marks.
DEPLOY_LOCK_KEY; a refresh's guard only tries it in shared mode, in its SQL text), and the short
one that serialises the creation of the state objects.

It is a transaction-level advisory lock held by a transaction that stays open for the whole run
on a connection of its own. Behind a transaction-pooling PgBouncer, that transaction pins one
server connection, and the lock ends with it: when the run ends, or when the process dies (the
server, or the pooler, then closes the connection). A session-level lock would stay on whichever
pooled server connection took it. While another run holds it, the lock is tried in short
transactions rather than waited for in one, so that a waiting deploy never holds a pooled server
connection that the running one needs.
"""

from __future__ import annotations

import contextvars
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.db import DatabaseError, connections

from .. import conf
from ..exceptions import LockTimeoutError
from ..sql import ddl, sqlstate
from ..sql.marks import DEPLOY_LOCK_KEY, STATE_LOCK_KEY, tenant_lock_key
from . import dialect, tenants

logger = logging.getLogger(__name__)

#: The aliases whose deploy lock this run holds: the syncs inside it must not take it again.
_held: contextvars.ContextVar[frozenset[str]] = contextvars.ContextVar(
    "django_orm_views_hook_deploy_lock", default=frozenset()
)

_TRY = "SELECT pg_try_advisory_xact_lock(%s)"
_WAIT = "SELECT pg_advisory_xact_lock(%s)"
#: A tenant's run (django-tenants): the database's lock shared, the tenant's own exclusive.
_TRY_TENANT = "SELECT pg_try_advisory_xact_lock_shared(%s) AND pg_try_advisory_xact_lock(%s)"
_WAIT_TENANT = "SELECT pg_advisory_xact_lock_shared(%s), pg_advisory_xact_lock(%s)"
#: Pauses between tries while another run holds the lock, in seconds.
_FIRST_PAUSE, _LONGEST_PAUSE = 0.05, 0.2


def is_held(using: str) -> bool:
    """Whether this run already holds the deploy lock of database `using`."""
    return using in _held.get()


def waiting_message(using: str) -> str:
    return (
        f'Another migrate or sync_views of database "{using}" is running: waiting for it to '
        "finish, then doing what it left to do."
    )


def _say_waiting(using: str) -> None:
    logger.info("%s", waiting_message(using))


#: Who is told when a run must wait for the lock: the log, unless a command says it itself.
_on_wait: contextvars.ContextVar[Callable[[str], None]] = contextvars.ContextVar(
    "django_orm_views_hook_deploy_lock_on_wait", default=_say_waiting
)


@contextmanager
def waits_told_by(on_wait: Callable[[str], None]) -> Iterator[None]:
    """Within the block, a run that waits for the deploy lock calls `on_wait(using)`."""
    token = _on_wait.set(on_wait)
    try:
        yield
    finally:
        _on_wait.reset(token)


class DeployLock:
    """A held deploy lock; `release()` ends the transaction that holds it."""

    def __init__(self, using: str, connection: Any) -> None:
        self._connection = connection
        self._token = _held.set(_held.get() | {using})

    def release(self) -> None:
        _held.reset(self._token)
        if self._connection is None:
            return  # held by the caller's transaction (or an outer run), which ends it
        try:
            self._connection.rollback()
        finally:
            self._connection.close()


def acquire(using: str, on_wait: Callable[[str], None] | None = None) -> DeployLock:
    """Take the deploy lock of database `using`, calling `on_wait(using)` if it must wait
    (by default, whoever `waits_told_by` names: the log, unless a command says it itself).

    Inside a transaction of the caller's, the lock is taken in that transaction (a second
    connection would wait for it); inside a run that holds it, nothing is taken. Raises
    LockTimeoutError after ORM_VIEWS_LOCK_TIMEOUT.
    """
    if is_held(using):
        return DeployLock(using, None)
    on_wait = on_wait or _on_wait.get()
    main = connections[using]
    tenant = tenants.current(main)
    if main.in_atomic_block:
        with main.cursor() as cursor:
            if not _try(cursor, tenant):
                on_wait(using)
                _wait(cursor, using, tenant)
        return DeployLock(using, None)
    connection = main.copy()
    try:
        _wait_for_lock(connection, using, on_wait, tenant)
    except BaseException:
        connection.close()
        raise
    return DeployLock(using, connection)


def _wait_for_lock(
    connection: Any, using: str, on_wait: Callable[[str], None], tenant: str | None
) -> None:
    connection.set_autocommit(False)
    deadline, pause = None, _FIRST_PAUSE
    while True:
        with connection.cursor() as cursor:
            # Whatever the alias's isolation level: no snapshot held for the whole run, which
            # CREATE INDEX CONCURRENTLY would wait for.
            cursor.execute("SET TRANSACTION ISOLATION LEVEL READ COMMITTED")
            if _try(cursor, tenant):
                return
            if deadline is None:
                deadline = _deadline()
                on_wait(using)
        connection.rollback()  # hands the pooled server connection back while waiting
        if time.monotonic() > deadline:
            raise LockTimeoutError(_held_too_long(using))
        time.sleep(pause)
        pause = min(pause * 2, _LONGEST_PAUSE)


def _deadline() -> float:
    """When to stop waiting: ORM_VIEWS_LOCK_TIMEOUT from now."""
    seconds = conf.lock_timeout_seconds()
    return float("inf") if seconds is None else time.monotonic() + seconds


def _lock(tenant: str | None, *, wait: bool) -> tuple[str, list[int]]:
    """The statement that takes the deploy lock (of `tenant`, django-tenants), and its keys."""
    if tenant is None:
        return (_WAIT if wait else _TRY), [DEPLOY_LOCK_KEY]
    return (_WAIT_TENANT if wait else _TRY_TENANT), [DEPLOY_LOCK_KEY, tenant_lock_key(tenant)]


def _try(cursor: Any, tenant: str | None) -> bool:
    cursor.execute(*_lock(tenant, wait=False))
    return bool(cursor.fetchone()[0])


def _wait(cursor: Any, using: str, tenant: str | None) -> None:
    """Wait for the lock in the cursor's transaction, as long as its lock_timeout allows."""
    try:
        cursor.execute(*_lock(tenant, wait=True))
    except DatabaseError as exc:
        if sqlstate.of(exc) != sqlstate.LOCK_NOT_AVAILABLE:
            raise
        raise LockTimeoutError(_held_too_long(using)) from exc


def _held_too_long(using: str) -> str:
    return (
        f'another sync or migrate of database "{using}" held the sync lock longer than '
        f"ORM_VIEWS_LOCK_TIMEOUT ({conf.lock_timeout()}); nothing changed."
    )


def sync_lock_timeout() -> str | None:
    """The lock_timeout a sync's transaction runs with: ORM_VIEWS_LOCK_TIMEOUT as PostgreSQL
    reads it ("5000ms"), None for the session's own."""
    seconds = conf.lock_timeout_seconds()
    return None if seconds is None else ddl.milliseconds(seconds)


def hold_in_transaction(cursor: Any) -> None:
    """ORM_VIEWS_LOCK_TIMEOUT for the cursor's transaction, and the deploy lock until it ends.

    Inside a run that holds the deploy lock already, only the timeout is set.
    """
    connection = cursor.db
    timeout = sync_lock_timeout()
    if timeout is not None:
        cursor.execute(ddl.set_lock_timeout(dialect.quoting(connection), timeout).sql)
    if not is_held(connection.alias):
        _wait(cursor, connection.alias, tenants.current(connection))


def serialise_state_creation(cursor: Any) -> None:
    """Until the cursor's transaction ends, the only one creating the state objects (CREATE ...
    IF NOT EXISTS races otherwise)."""
    cursor.execute(_WAIT, [STATE_LOCK_KEY])


@contextmanager
def hold(using: str, on_wait: Callable[[str], None] | None = None) -> Iterator[None]:
    """The deploy lock of database `using`, for the duration of the block."""
    lock = acquire(using, on_wait)
    try:
        yield
    finally:
        lock.release()
