"""The server's lock table: whether a sync's locks fit in it, checked before any DDL runs.

Every relation and catalog object a transaction locks strongly takes one entry of a table that
the whole server shares, sized `max_locks_per_transaction` × (server processes + prepared
transactions); a transaction that overflows it fails with "out of shared memory". A rebuild
locks every view it drops and creates until it commits, so at thousands of views the size of
that table, not time, is the limit. Measured per view (benchmarks/locks.py): a DROP VIEW takes 4
entries (the view, its rule, its row type and that type's array type), a CREATE VIEW 1 (its
comment and grants lock the same view again).
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Sequence
from typing import Any

from .exceptions import LockCapacityError
from .introspection import Contents
from .plan import Plan, ViewSpec

DROP_ENTRIES = 4
CREATE_ENTRIES = 1
#: A materialised view's TOAST table and its index, when its rows need one.
TOAST_ENTRIES = 2
#: The system catalogs (and their indexes) the sync's queries read, once the backend's 16
#: fast-path slots are full; its advisory lock, its transaction id.
OVERHEAD_ENTRIES = 40

# The lock table's size as PostgreSQL computes it (MaxBackends, PostgreSQL 12+), and the
# entries other sessions and this one hold in it now (fast-path locks are kept elsewhere).
CAPACITY_SQL = """
SELECT current_setting('max_locks_per_transaction')::int,
       current_setting('max_connections')::int + current_setting('autovacuum_max_workers')::int
       + 1 + current_setting('max_worker_processes')::int
       + current_setting('max_wal_senders')::int,
       current_setting('max_prepared_transactions')::int,
       (SELECT count(*) FROM (
            SELECT DISTINCT locktype, database, relation, page, tuple, virtualxid,
                   transactionid, classid, objid, objsubid, pid
            FROM pg_locks WHERE NOT fastpath) AS held)
"""


def entries(
    dropped: Iterable[tuple[bool, int]], built: Sequence[ViewSpec], tables_read: int = 0
) -> int:
    """Lock table entries for dropping `dropped` ((materialised, indexes) pairs), creating
    `built` and reading `tables_read` relations elsewhere."""
    total = OVERHEAD_ENTRIES + tables_read
    for materialized, indexes in dropped:
        total += DROP_ENTRIES + (indexes + TOAST_ENTRIES if materialized else 0)
    for view in built:
        if view.materialized:
            indexes = len(view.indexes) + (1 if view.pk_field else 0)
            total += CREATE_ENTRIES + indexes + TOAST_ENTRIES
        else:
            total += CREATE_ENTRIES
    return total


def check(
    cursor: Any,
    plan: Plan,
    contents: Contents,
    dropping: Collection[tuple[str, str]],
    built: Sequence[ViewSpec],
) -> None:
    """Refuse, before any DDL, a sync whose drops of `dropping` and creation of `built` (and
    what the migrate in the same transaction holds already) overflow the lock table."""
    dropped = [view for view in contents.views_in_drop_order if view.key in dropping]
    indexes = [d.via for d in contents.foreign_dependents if d.index]
    needed = entries(
        [(view.kind == "m", sum(view.key in via for via in indexes)) for view in dropped],
        built,
        contents.read_elsewhere,
    )
    what = f"dropping {len(dropped):,} views and creating {len(built):,}"
    check_capacity(cursor, plan.using, needed, what)


def check_capacity(cursor: Any, using: str, needed: int, what: str) -> None:
    """Raise LockCapacityError, naming the setting and the value it needs, unless `needed`
    more entries fit beside those held now."""
    cursor.execute(CAPACITY_SQL)
    per_transaction, processes, prepared, held = cursor.fetchone()
    slots = processes + prepared
    capacity = per_transaction * slots
    if held + needed <= capacity:
        return
    # A quarter more than this run needs, for the sessions working beside it, in steps of 64.
    wanted = math.ceil((held + needed) * 1.25 / slots / 64) * 64
    raise LockCapacityError(
        f'database "{using}": {what} in one transaction takes about {needed:,} entries of the '
        f"server's lock table, which holds {capacity:,} (max_locks_per_transaction = "
        f"{per_transaction} × {slots} server processes and prepared transactions), {held:,} of "
        f"them in use now. Nothing was changed. Raise max_locks_per_transaction to at least "
        f"{wanted}: ALTER SYSTEM SET max_locks_per_transaction = {wanted}; then restart "
        "PostgreSQL (it is read at server start only; on a managed service, set it in the "
        "server's parameters). Standbys need at least the primary's value."
    )
