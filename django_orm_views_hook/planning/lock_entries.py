"""The server's lock table: whether a sync's locks fit in it, decided before any DDL runs.

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
from dataclasses import dataclass

from ..exceptions import LockCapacityError
from .plan import Key, Plan, ViewSpec
from .state import Contents

DROP_ENTRIES = 4
CREATE_ENTRIES = 1
#: CREATE OR REPLACE VIEW keeps the view (and its oid): only it is locked.
REPLACE_ENTRIES = 1
#: A materialised view's TOAST table and its index, when its rows need one.
TOAST_ENTRIES = 2
#: The system catalogs (and their indexes) the sync's queries read, once the backend's 16
#: fast-path slots are full; its advisory lock, its transaction id.
OVERHEAD_ENTRIES = 40


@dataclass(frozen=True)
class Capacity:
    per_transaction: int
    processes: int
    prepared: int
    held: int  # entries in use now, by every session

    @property
    def slots(self) -> int:
        return self.processes + self.prepared

    def fits(self, needed: int) -> bool:
        return self.held + needed <= self.per_transaction * self.slots

    def explain(self, using: str, needed: int, what: str) -> str:
        # A quarter more than this run needs, for the sessions working beside it, in steps of 64.
        wanted = math.ceil((self.held + needed) * 1.25 / self.slots / 64) * 64
        return (
            f'database "{using}": {what} in one transaction takes about {needed:,} entries of '
            f"the server's lock table, which holds {self.per_transaction * self.slots:,} "
            f"(max_locks_per_transaction = {self.per_transaction} × {self.slots} server "
            f"processes and prepared transactions), {self.held:,} of them in use now. Nothing "
            f"was changed. Raise max_locks_per_transaction to at least {wanted}: ALTER SYSTEM "
            f"SET max_locks_per_transaction = {wanted}; then restart PostgreSQL (it is read at "
            "server start only; on a managed service, set it in the server's parameters). "
            "Standbys need at least the primary's value."
        )


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


def in_place_to_fit(
    capacity: Capacity,
    plan: Plan,
    contents: Contents,
    dropping: Collection[Key],
    built: Sequence[ViewSpec],
    replaceable: Collection[Key] = (),
) -> set[Key]:
    """The views of `replaceable` to replace in place, so that the sync fits in the lock table
    (`capacity`, read by database/locks.py): none when dropping and creating fit.

    Dropping `dropping` and creating `built` (beside what the migrate in the same transaction
    holds already) comes first; when it does not fit, replacing the `replaceable` views in
    place (CREATE OR REPLACE VIEW, 1 entry each instead of 5) instead; when that does not fit
    either, LockCapacityError, before any DDL.
    """
    full = _needed(contents, dropping, built)
    if capacity.fits(full):
        return set()
    in_place = set(replaceable)
    rest = [view for view in built if view.key not in in_place]
    if in_place and capacity.fits(
        _needed(contents, set(dropping) - in_place, rest) + REPLACE_ENTRIES * len(in_place)
    ):
        return in_place
    dropped = sum(view.key in dropping for view in contents.views_in_drop_order)
    raise LockCapacityError(
        capacity.explain(
            plan.using, full, f"dropping {dropped:,} views and creating {len(built):,}"
        )
    )


def _needed(contents: Contents, dropping: Collection[Key], built: Sequence[ViewSpec]) -> int:
    dropped = [view for view in contents.views_in_drop_order if view.key in dropping]
    indexes = [d.via for d in contents.foreign_dependents if d.index]
    return entries(
        [(view.kind == "m", sum(view.key in via for via in indexes)) for view in dropped],
        built,
        contents.read_elsewhere,
    )
