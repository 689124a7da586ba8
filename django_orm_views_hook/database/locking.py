"""Exclusive locks taken in short attempts, so that readers never queue behind us for long.

A statement waiting for an `ACCESS EXCLUSIVE` lock makes every later reader of the relation
queue behind it: one long analyst query becomes an outage. So the statements that take such
locks (a sync's drops, a migration's `ALTER TABLE`, with the view locks that must come first)
run in a savepoint, with a short `lock_timeout`. When one of them would wait longer, the
savepoint is rolled back, which releases what the attempt took and dissolves the queue behind
it, and the attempt is repeated after a backoff with jitter until the budget is spent; then the
run fails naming the sessions that hold the relations, and nothing is applied.

One wait can never end that way: a session that holds what the attempt needs while it waits
for a lock this transaction took earlier (a reader that read a table, then asks for a view this
run holds). It cannot finish before our commit, and we cannot commit without its lock; the
server sees no deadlock, since our attempts give up before its deadlock check. Retrying would
only spend the budget, so such a query is cancelled (`ORM_VIEWS_CANCEL_STUCK_QUERIES`), as the
server's deadlock detector would cancel one of the two, or the run fails at once, naming it.

(`LOCK TABLE` is no use for views: on a view it also locks every table the view reads, in the
same mode, and it refuses materialised views; see `ddl.lock_view`.)
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from django.db import DatabaseError
from django.db.backends.base.base import BaseDatabaseWrapper

from .. import conf
from ..exceptions import LockTimeoutError, StuckLockError
from ..planning.plan import Key
from ..sql import ddl, sqlstate
from ..sql.statement import Quoting, Statement, as_script
from . import batch, deploy_lock, locks

logger = logging.getLogger(__name__)

SAVEPOINT = "orm_views_lock_attempt"
#: The longest pause between two attempts: a deploy starts within this of the holder's end.
MAX_BACKOFF = 2.0
#: lock_timeout, and deadlock_detected (a reader taking the locks in another order).
RETRIED = frozenset({sqlstate.LOCK_NOT_AVAILABLE, sqlstate.DEADLOCK_DETECTED})

T = TypeVar("T")


def take(
    cursor: Any,
    connection: BaseDatabaseWrapper,
    q: Quoting,
    statements: Sequence[Statement],
    relations: Sequence[Key],
    then: Callable[[], T] | None = None,
) -> T | None:
    """Run `statements`, then `then()`, in retried short attempts, and return what it returns.

    `relations` are what they lock, to name their holders. The locks are held until the
    transaction ends. Raises LockTimeoutError, naming the holders, once ORM_VIEWS_LOCK_BUDGET
    is spent, and StuckLockError when a holder waits for this transaction and may not be
    cancelled.
    """
    if not statements and then is None:
        return None
    attempt = conf.lock_attempt_timeout()
    budget = conf.lock_budget()
    deadline = time.monotonic() + budget
    before = as_script(
        [
            Statement(f"SAVEPOINT {SAVEPOINT}"),
            ddl.set_lock_timeout(q, ddl.milliseconds(attempt)),
            *statements,
        ]
    )
    after = as_script(
        [
            Statement(f"RELEASE SAVEPOINT {SAVEPOINT}"),
            ddl.set_lock_timeout(q, deploy_lock.sync_lock_timeout()),  # the sync's own
        ]
    )
    attempts = 0
    while True:
        attempts += 1
        try:
            cursor.execute(before)
            value = then() if then is not None else None
            cursor.execute(after)
            return value
        except DatabaseError as exc:
            batch.raise_if_connection_lost(connection, exc)
            cursor.execute(f"ROLLBACK TO SAVEPOINT {SAVEPOINT}; RELEASE SAVEPOINT {SAVEPOINT}")
            if sqlstate.of(exc) not in RETRIED:
                batch.raise_if_server_wide(exc)
                raise
            held = locks.holders(cursor, relations)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise LockTimeoutError(_spent(held, relations, attempts, attempt, budget)) from exc
            if not _unstick(cursor, held):
                time.sleep(min(remaining, backoff(attempts, attempt)))
            # Else at once: the next attempt queues for the cancelled session's locks, so that
            # it does not take them again first.


def in_autocommit(cursor: Any, q: Quoting, then: Callable[[], T]) -> T:
    """`then()`, a statement that commits on its own, in retried short attempts.

    Outside a transaction there is no savepoint to roll back to and nothing held across
    statements: a statement that waits too long fails alone and is run again.
    """
    attempt = conf.lock_attempt_timeout()
    deadline = time.monotonic() + conf.lock_budget()
    cursor.execute("SELECT current_setting('lock_timeout')")
    restore = cursor.fetchone()[0]
    attempts = 0
    try:
        cursor.execute(ddl.set_lock_timeout(q, ddl.milliseconds(attempt), local=False).sql)
        while True:
            attempts += 1
            try:
                return then()
            except DatabaseError as exc:
                if sqlstate.of(exc) != sqlstate.LOCK_NOT_AVAILABLE:
                    raise
                if time.monotonic() > deadline:
                    raise
                time.sleep(backoff(attempts, attempt))
    finally:
        cursor.execute(ddl.set_lock_timeout(q, restore, local=False).sql)


def backoff(attempts: int, attempt: float) -> float:
    """Seconds to wait after `attempts` failed attempts: doubling, capped, with jitter.

    Half of it is fixed, so that readers get at least that much time between two attempts; the
    other half is random, so that two deploys (or a deploy and a periodic job) drift apart.
    """
    delay: float = min(MAX_BACKOFF, attempt * 2.0 ** (attempts - 1))
    return delay / 2 + random.uniform(0, delay / 2)


def _unstick(cursor: Any, held: Sequence[locks.Holder]) -> bool:
    """Cancel the queries of holders that wait for this transaction; True if any was.

    Raises StuckLockError when there are such holders and they may not be cancelled.
    """
    stuck = [holder for holder in held if holder.waits_for_us]
    if not stuck:
        return False
    described = locks.describe(stuck)
    if not conf.cancel_stuck_queries():
        raise StuckLockError(
            f"{_STUCK} {described}. Nothing changed. Let those sessions end, or set "
            "ORM_VIEWS_CANCEL_STUCK_QUERIES = True to cancel such queries, and run it again."
        )
    cursor.execute(f"SAVEPOINT {SAVEPOINT}")
    try:
        pids = list(dict.fromkeys(holder.pid for holder in stuck))
        cursor.execute("SELECT pg_cancel_backend(pid) FROM unnest(%s::int[]) AS pid", [pids])
    except DatabaseError as exc:
        cursor.execute(f"ROLLBACK TO SAVEPOINT {SAVEPOINT}; RELEASE SAVEPOINT {SAVEPOINT}")
        if sqlstate.of(exc) != sqlstate.INSUFFICIENT_PRIVILEGE:
            raise
        raise StuckLockError(
            f"{_STUCK} {described}. Nothing changed. This role may not cancel their queries "
            f"({str(exc).strip()}): GRANT pg_signal_backend TO it, or end those sessions, and "
            "run it again."
        ) from exc
    cursor.execute(f"RELEASE SAVEPOINT {SAVEPOINT}")
    logger.warning(
        "Cancelled the query of %s: it held what this transaction needs while waiting for a "
        "lock this transaction holds until it commits, so neither could go on.",
        described,
    )
    return True


_STUCK = (
    "could not take the locks this transaction needs: these sessions hold them while they wait "
    "for locks this transaction holds until it commits, so neither can go on:"
)


def _spent(
    held: Sequence[locks.Holder],
    relations: Sequence[Key],
    attempts: int,
    attempt: float,
    budget: float,
) -> str:
    who = locks.describe(held)
    return (
        f"could not take the exclusive locks on {len(relations)} relation(s) within "
        f"ORM_VIEWS_LOCK_BUDGET ({budget:g}s: {attempts} attempts of {attempt * 1000:g} ms): "
        f"held by {who or 'sessions that have finished since'}; nothing changed. Let those "
        "finish (or end them with pg_terminate_backend(pid)) and run it again."
    )
