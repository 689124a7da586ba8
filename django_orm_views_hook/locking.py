"""Exclusive locks on live views, taken in short attempts so that readers never queue behind us.

A DROP waiting for a long analyst query makes every new reader of the view queue behind it: one
long query becomes an outage of the view. So the statements that take exclusive locks on live
views run first, in a savepoint, with a short `lock_timeout`. When one of them would wait longer,
the savepoint is rolled back, which releases what the attempt took and dissolves the queue behind
it, and the attempt is repeated after a backoff with jitter until the budget is spent; then the
sync fails naming the sessions that hold the views, and nothing is applied.

(`LOCK TABLE` is no use here: on a view it also locks every table the view reads, in the same
mode, and it refuses materialised views.)
"""

from __future__ import annotations

import random
import time
from collections.abc import Sequence
from typing import Any

from django.db import DatabaseError
from django.db.backends.base.base import BaseDatabaseWrapper

from . import conf, ddl, introspection, script
from .ddl import Quoting, Statement
from .exceptions import LockTimeoutError

SAVEPOINT = "orm_views_lock_attempt"
#: The longest pause between two attempts: a deploy starts within this of the holder's end.
MAX_BACKOFF = 2.0
#: lock_timeout, and deadlock_detected (a reader taking the locks in another order).
RETRIED = frozenset({script.LOCK_NOT_AVAILABLE, "40P01"})


def take(
    cursor: Any,
    connection: BaseDatabaseWrapper,
    q: Quoting,
    statements: Sequence[Statement],
    relations: Sequence[tuple[str, str]],
) -> int:
    """Run `statements`, which lock the live views `relations`, in retried short attempts.

    Returns the number of attempts. The locks are then held until the transaction ends.
    Raises LockTimeoutError, naming the holders, once ORM_VIEWS_LOCK_BUDGET is spent.
    """
    if not statements:
        return 0
    attempt = conf.lock_attempt_timeout()
    budget = conf.lock_budget()
    deadline = time.monotonic() + budget
    restore = conf.lock_timeout()
    sql = ddl.as_script(
        [
            Statement(f"SAVEPOINT {SAVEPOINT}"),
            ddl.set_lock_timeout(q, f"{max(1, round(attempt * 1000))}ms"),
            *statements,
            Statement(f"RELEASE SAVEPOINT {SAVEPOINT}"),
            ddl.restore_lock_timeout(q, restore),
        ]
    )
    attempts = 0
    while True:
        attempts += 1
        try:
            cursor.execute(sql)
        except DatabaseError as exc:
            script._raise_if_connection_lost(connection, exc)
            cursor.execute(f"ROLLBACK TO SAVEPOINT {SAVEPOINT}; RELEASE SAVEPOINT {SAVEPOINT}")
            if script.sqlstate(exc) not in RETRIED:
                script.raise_if_server_wide(exc)
                raise
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                message = _spent(cursor, relations, attempts, attempt, budget)
                raise LockTimeoutError(message) from exc
            time.sleep(min(remaining, backoff(attempts, attempt)))
        else:
            return attempts


def backoff(attempts: int, attempt: float) -> float:
    """Seconds to wait after `attempts` failed attempts: doubling, capped, with jitter.

    Half of it is fixed, so that readers get at least that much time between two attempts; the
    other half is random, so that two deploys (or a deploy and a periodic job) drift apart.
    """
    delay: float = min(MAX_BACKOFF, attempt * 2.0 ** (attempts - 1))
    return delay / 2 + random.uniform(0, delay / 2)


def _spent(
    cursor: Any,
    relations: Sequence[tuple[str, str]],
    attempts: int,
    attempt: float,
    budget: float,
) -> str:
    holders: dict[int, list[introspection.Blocker]] = {}
    for blocker in introspection.blockers(cursor, relations):
        holders.setdefault(blocker.pid, []).append(blocker)
    described = []
    for pid, held in holders.items():
        query = " ".join(held[0].query.split())
        if len(query) > 200:
            query = query[:199] + "…"
        views = ", ".join(f'"{b.schema}"."{b.name}" ({b.mode})' for b in held)
        described.append(f"pid {pid} ({held[0].state or 'state unknown'}: {query}) holds {views}")
    who = "; ".join(described) or "sessions that have finished since"
    return (
        f"could not take the exclusive locks on {len(relations)} view(s) within "
        f"ORM_VIEWS_LOCK_BUDGET ({budget:g}s: {attempts} attempts of {attempt * 1000:g} ms): "
        f"held by {who}; nothing changed. Let those finish (or end them with "
        "pg_terminate_backend(pid)) and run it again."
    )
