"""Locks and sessions: the views whose readers wait for a relation, and who holds what.

A reader locks a view, then what the view reads (the rewriter expands it), so a reader of a
plain view over a table waits for that table; a materialised view is read from its own rows and
stops the chain. These read the catalogs and `pg_locks`, never a relation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..definitions.naming import relation_label
from ..planning.lock_entries import Capacity
from ..planning.plan import Key
from ..planning.statement_locks import Target
from .dependencies import target_arrays

# The relations the targets name (an index counts as its table; without ONLY, the tables that
# inherit from it too; a function or type dropped with CASCADE, every relation something that
# goes with it belongs to), then every plain view whose query reaches one of them, directly or
# through other plain views, with its distance: a view is locked before those it reads.
READERS_SQL = """
WITH RECURSIVE target AS (
    SELECT t.kind, t.s, t.r, t.rec,
           CASE WHEN t.kind IN ('relation', 'index') THEN
               to_regclass(CASE WHEN t.s IS NULL THEN quote_ident(t.r)
                                ELSE quote_ident(t.s) || '.' || quote_ident(t.r) END)::oid
           END AS relid
    FROM unnest(%s::text[], %s::text[], %s::text[], %s::bool[]) AS t(kind, s, r, rec)
), dropped AS (
    SELECT p.oid, 'pg_proc'::regclass AS classid FROM target t
    JOIN pg_proc p ON p.proname = t.r JOIN pg_namespace n ON n.oid = p.pronamespace
    WHERE t.kind = 'function' AND (n.nspname = t.s OR t.s IS NULL AND pg_function_is_visible(p.oid))
    UNION ALL
    SELECT ty.oid, 'pg_type'::regclass FROM target t
    JOIN pg_type ty ON ty.typname = t.r JOIN pg_namespace n ON n.oid = ty.typnamespace
    WHERE t.kind = 'type' AND (n.nspname = t.s OR t.s IS NULL AND pg_type_is_visible(ty.oid))
), locked(relid, rec) AS (
    SELECT coalesce(i.indrelid, t.relid), t.rec FROM target t
    LEFT JOIN pg_index i ON t.kind = 'index' AND i.indexrelid = t.relid
    WHERE t.relid IS NOT NULL
    UNION
    SELECT CASE d.classid
               WHEN 'pg_class'::regclass THEN d.objid
               WHEN 'pg_attrdef'::regclass THEN
                   (SELECT adrelid FROM pg_attrdef WHERE oid = d.objid)
               WHEN 'pg_trigger'::regclass THEN
                   (SELECT tgrelid FROM pg_trigger WHERE oid = d.objid)
               WHEN 'pg_constraint'::regclass THEN
                   (SELECT nullif(conrelid, 0) FROM pg_constraint WHERE oid = d.objid)
               WHEN 'pg_rewrite'::regclass THEN
                   (SELECT ev_class FROM pg_rewrite WHERE oid = d.objid)
               WHEN 'pg_policy'::regclass THEN
                   (SELECT polrelid FROM pg_policy WHERE oid = d.objid)
           END, false
    FROM dropped JOIN pg_depend d ON d.refclassid = dropped.classid AND d.refobjid = dropped.oid
    UNION
    SELECT h.inhrelid, true FROM locked JOIN pg_inherits h ON h.inhparent = locked.relid
    WHERE locked.rec
), reader(oid, depth) AS (
    SELECT relid, 0 FROM locked WHERE relid IS NOT NULL
    UNION
    SELECT r.ev_class, reader.depth + 1
    FROM reader
    JOIN pg_depend d ON d.refclassid = 'pg_class'::regclass AND d.refobjid = reader.oid
                    AND d.classid = 'pg_rewrite'::regclass
    JOIN pg_rewrite r ON r.oid = d.objid AND r.ev_class <> reader.oid
    JOIN pg_class v ON v.oid = r.ev_class AND v.relkind = 'v'
)
SELECT c.oid, n.nspname, c.relname, c.relkind, pg_get_userbyid(c.relowner)::text,
       min(reader.depth), max(reader.depth)
FROM reader JOIN pg_class c ON c.oid = reader.oid
JOIN pg_namespace n ON n.oid = c.relnamespace
GROUP BY 1, 2, 3, 4, 5
ORDER BY 7 DESC, 2, 3
"""

# Other sessions holding a lock on one of the relations (or on anything in the schemas), what
# they run, and whether they wait for a lock this session holds (then they cannot end before
# this transaction does).
HOLDERS_SQL = """
SELECT DISTINCT l.pid, n.nspname, c.relname, l.mode, coalesce(a.state, ''),
       coalesce(a.query, ''), coalesce(a.usename::text, ''),
       pg_backend_pid() = ANY(pg_blocking_pids(l.pid))
FROM pg_locks l
JOIN pg_class c ON c.oid = l.relation
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_stat_activity a ON a.pid = l.pid
WHERE l.granted AND l.pid <> pg_backend_pid()
  AND ((n.nspname, c.relname) IN (SELECT * FROM unnest(%s::text[], %s::text[]))
       OR n.nspname = ANY(%s))
ORDER BY 1, 2, 3
"""


@dataclass(frozen=True)
class OwnedRelation:
    """A relation a statement locks, or a view over it, with its owner (to lock the view,
    sql.ddl.lock_view sets its owner to itself)."""

    oid: int
    schema: str
    name: str
    kind: str
    owner: str

    @property
    def key(self) -> Key:
        return (self.schema, self.name)


@dataclass(frozen=True)
class Waiting:
    """What a statement locks, and the managed views whose readers wait for it."""

    #: The relations the statement takes exclusively, as they are now.
    locked: tuple[OwnedRelation, ...]
    #: The managed plain views over them, each before the views it reads: the readers' order.
    views: tuple[OwnedRelation, ...]


def waiting_for(cursor: Any, targets: Sequence[Target], schemas: Sequence[str]) -> Waiting:
    """The relations `targets` name, and the plain views of `schemas` whose readers wait for
    them (directly or through other plain views)."""
    if not targets:
        return Waiting((), ())
    fields = ("kind", "schema", "relation", "recurse")
    cursor.execute(READERS_SQL, target_arrays(targets, fields))
    locked, views = [], []
    for oid, schema, name, kind, owner, nearest, farthest in cursor.fetchall():
        relation = OwnedRelation(oid, schema, name, kind, owner)
        if nearest == 0:
            locked.append(relation)
        if farthest > 0 and kind == "v" and schema in schemas:
            views.append(relation)
    return Waiting(tuple(locked), tuple(views))


@dataclass(frozen=True)
class Holder:
    """A session holding a lock the run needs: who, on what, what it runs, whether it waits
    for this transaction."""

    pid: int
    schema: str
    name: str
    mode: str
    state: str
    query: str
    user: str
    waits_for_us: bool


def holders(
    cursor: Any, relations: Sequence[Key] = (), schemas: Sequence[str] = ()
) -> list[Holder]:
    """The other sessions holding a lock on one of `relations` ((schema, name) pairs) or on
    anything in `schemas`."""
    cursor.execute(
        HOLDERS_SQL, [[s for s, _ in relations], [n for _, n in relations], list(schemas)]
    )
    return [Holder(*row) for row in cursor.fetchall()]


def describe(held: Sequence[Holder]) -> str:
    """Who holds what, one session after another: how every message names the holders."""
    by_pid: dict[int, list[Holder]] = {}
    for holder in held:
        by_pid.setdefault(holder.pid, []).append(holder)
    return "; ".join(_session(pid, found) for pid, found in by_pid.items())


def _session(pid: int, held: Sequence[Holder]) -> str:
    query = " ".join(held[0].query.split())
    if len(query) > 200:
        query = query[:199] + "…"
    relations = ", ".join(f"{relation_label(h.schema, h.name)} ({h.mode})" for h in held)
    who = f"user {held[0].user}, " if held[0].user else ""
    return f"pid {pid} ({who}{held[0].state or 'state unknown'}: {query}) holds {relations}"


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


def capacity(cursor: Any) -> Capacity:
    """The server's lock table: its size, and the entries in use now."""
    cursor.execute(CAPACITY_SQL)
    return Capacity(*cursor.fetchone())
