"""The drops before a statement of the migrations: what it breaks, in the readers' lock order.

`migrate` asks, of each statement its migrations run (migrate/readers_order.py), what it breaks
and locks (planning/statement_effects.py); this finds the managed views concerned in the
catalogue and writes what must run first, in one short attempt with the statement.
"""

from __future__ import annotations

import time
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.backends.base.base import BaseDatabaseWrapper

from ..database import catalog, dependencies, deploy_lock, dialect, locking, locks
from ..planning import diff, lock_entries
from ..planning.plan import Key, Plan
from ..planning.statement_effects import Effects
from ..planning.statement_locks import Target
from ..sql import ddl
from ..sql.statement import Quoting, Statement
from . import steps
from .result import SyncResult, SyncStatus


def drop_managed_views(
    plan: Plan,
    connection: BaseDatabaseWrapper,
    *,
    breaking: Sequence[Target] | None = None,
    schemas: Sequence[str] | None = None,
) -> SyncResult:
    """Drop managed views (dependents first) in a transaction of their own, or the caller's.

    A non-atomic `migrate` calls this just before a statement that would break views:
    `breaking` names what the statement drops or retypes, and only the managed views that read
    it (and what reads them) go; None drops them all. `schemas` are those whose views may go
    (by default the plan's and those marked as ours). The views are rebuilt after the
    migrations.
    """
    started = time.monotonic()
    q = dialect.quoting(connection)
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        deploy_lock.hold_in_transaction(cursor)
        if schemas is None:
            schemas = steps.managed_schemas(
                plan, catalog.catalog(cursor, plan.schemas, plan.tenant)
            )
        statements, relations, dropped = _drops_before(cursor, q, plan, schemas, breaking)
        locking.take(cursor, connection, q, statements, relations)
    return SyncResult(
        plan.using,
        SyncStatus.DROPPED,
        plan.views,
        (),
        tuple(s.sql for s in statements),
        time.monotonic() - started,
        dropped=dropped,
    )


@dataclass(frozen=True)
class BeforeStatement:
    """What runs before a migration's statement, in one attempt with it (see `locking.take`)."""

    statements: tuple[Statement, ...]  # the views over what it locks, readers first; the drops
    relations: tuple[Key, ...]  # what those and the statement lock, to name their holders
    dropped: tuple[Key, ...]  # the managed views dropped, dependents first
    held: frozenset[int]  # the relations (oids) held once the statement has run


def before_statement(
    plan: Plan,
    connection: BaseDatabaseWrapper,
    effects: Effects,
    *,
    schemas: Sequence[str],
    held: Collection[int] = (),
) -> BeforeStatement:
    """Take the readers' lock order for a statement of the migrations, and drop what it breaks.

    Readers lock a view, then what it reads. So before the statement takes a relation in
    ACCESS EXCLUSIVE mode, the managed views whose readers wait for that relation are locked,
    each before the views it reads: once a reader waits for the relation, none of them is then
    needed from that reader (a later statement may drop them, the rebuild may replace them).
    `held` are the relations this transaction holds already. Refusals (objects attached to a
    dropped view, the lock table) are raised here, before anything runs.
    """
    q = dialect.quoting(connection)
    with connection.cursor() as cursor:
        waiting = locks.waiting_for(cursor, effects.exclusive, schemas)
        statements = [
            ddl.lock_view(q, view.schema, view.name, view.owner, materialized=False)
            for view in waiting.views
            if view.oid not in held
        ]
        drops: list[Statement] = []
        locked: list[Key] = []
        dropped: tuple[Key, ...] = ()
        if effects.breaks_views:
            breaking = None if effects.unknown else effects.targets
            drops, locked, dropped = _drops_before(cursor, q, plan, schemas, breaking)
    relations = [view.key for view in waiting.views] + locked + [r.key for r in waiting.locked]
    return BeforeStatement(
        tuple(statements + drops),
        tuple(dict.fromkeys(relations)),
        dropped,
        frozenset(r.oid for r in (*waiting.views, *waiting.locked)),
    )


def _drops_before(
    cursor: Any,
    q: Quoting,
    plan: Plan,
    schemas: Sequence[str],
    breaking: Sequence[Target] | None,
) -> tuple[list[Statement], list[Key], tuple[Key, ...]]:
    """The DROPs of the managed views a statement breaks (all for None) and of their readers;
    what they lock; what they drop, dependents first. Refusals are raised before any DDL."""
    broken = None if breaking is None else dependencies.views_broken_by(cursor, breaking)
    if broken is not None and not broken:
        return [], [], ()  # the usual case: nothing reads what the statement changes
    contents = dependencies.contents(cursor, schemas)
    existing = {view.key for view in contents.views_in_drop_order}
    dropping = diff.with_dependents(
        existing if broken is None else broken & existing, contents.dependents
    )
    statements, locked = steps.drop_statements(q, plan, contents, dropping)
    # The sync after the migrations creates them again, and the views not there yet.
    rebuilt = [v for v in plan.views if v.key in dropping or v.key not in existing]
    lock_entries.in_place_to_fit(locks.capacity(cursor), plan, contents, dropping, rebuilt)
    dropped = tuple(v.key for v in contents.views_in_drop_order if v.key in dropping)
    return statements, locked, dropped
