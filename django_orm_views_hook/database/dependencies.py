"""Views and what they read: the managed schemas' contents in drop order, and what breaks.

From the dependency catalogue (`pg_depend` and the views' rewrite rules), never from the
views' definitions: the catalogue is what PostgreSQL will act on.
"""

from __future__ import annotations

import graphlib
from collections.abc import Sequence
from typing import Any

from ..planning.plan import Key
from ..planning.state import Contents, Edge, Relation
from ..planning.statement_locks import Target
from ..sql import marks
from . import attached

RELATIONS_SQL = """
SELECT c.oid, n.nspname, c.relname, c.relkind,
       strpos(coalesce(obj_description(c.oid, 'pg_class'), ''), %s) > 0
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = ANY(%s)
ORDER BY n.nspname, c.relname
"""

# Every "view reads relation" edge with either end in the schemas: what depends on the managed
# views (from anywhere), and what they read (from anywhere).
EDGES_SQL = """
SELECT DISTINCT r.ev_class, vn.nspname, vc.relname, d.refobjid, rn.nspname, rc.relname, rc.relkind
FROM pg_depend d
JOIN pg_rewrite r ON d.classid = 'pg_rewrite'::regclass AND d.objid = r.oid
JOIN pg_class vc ON vc.oid = r.ev_class
JOIN pg_namespace vn ON vn.oid = vc.relnamespace
JOIN pg_class rc ON rc.oid = d.refobjid
JOIN pg_namespace rn ON rn.oid = rc.relnamespace
WHERE d.refclassid = 'pg_class'::regclass AND d.refobjid <> r.ev_class
  AND (vn.nspname = ANY(%s) OR rn.nspname = ANY(%s))
ORDER BY 2, 3, 5, 6
"""

# The views whose rule depends on what statements are about to drop: relations (and the tables
# that inherit from them), columns (refobjsubid is the column's number; a whole-row reference
# depends on the relation only, and survives a dropped column), constraints (a GROUP BY on a
# primary key), functions (every overload of the name), types (and the columns of that type,
# which a DROP TYPE ... CASCADE drops). Names resolve as the statements' own would: qualified,
# or on the search_path.
BREAKING_SQL = """
WITH RECURSIVE target AS (
    SELECT t.kind, t.s, t.r, t.col, t.con, t.rec,
           CASE WHEN t.kind = 'relation' THEN
               to_regclass(CASE WHEN t.s IS NULL THEN quote_ident(t.r)
                                ELSE quote_ident(t.s) || '.' || quote_ident(t.r) END)::oid
           END AS relid
    FROM unnest(%s::text[], %s::text[], %s::text[], %s::text[], %s::text[], %s::bool[])
         AS t(kind, s, r, col, con, rec)
), rel AS (
    SELECT relid, col, con, rec FROM target WHERE relid IS NOT NULL
    UNION
    SELECT i.inhrelid, rel.col, rel.con, true
    FROM rel JOIN pg_inherits i ON i.inhparent = rel.relid WHERE rel.rec
), routines AS (
    SELECT p.oid FROM target t
    JOIN pg_proc p ON p.proname = t.r JOIN pg_namespace n ON n.oid = p.pronamespace
    WHERE t.kind = 'function' AND (n.nspname = t.s OR t.s IS NULL AND pg_function_is_visible(p.oid))
), types AS (
    SELECT ty.oid FROM target t
    JOIN pg_type ty ON ty.typname = t.r JOIN pg_namespace n ON n.oid = ty.typnamespace
    WHERE t.kind = 'type' AND (n.nspname = t.s OR t.s IS NULL AND pg_type_is_visible(ty.oid))
), object AS (
    SELECT 'pg_class'::regclass AS classid, relid AS objid, NULL::int AS objsubid
    FROM rel WHERE col IS NULL AND con IS NULL
    UNION ALL
    SELECT 'pg_class'::regclass, a.attrelid, a.attnum::int
    FROM rel JOIN pg_attribute a ON a.attrelid = rel.relid AND a.attname = rel.col
    WHERE NOT a.attisdropped
    UNION ALL
    SELECT 'pg_constraint'::regclass, c.oid, 0
    FROM rel JOIN pg_constraint c ON c.conrelid = rel.relid AND c.conname = rel.con
    UNION ALL
    SELECT 'pg_proc'::regclass, oid, NULL FROM routines
    UNION ALL
    SELECT 'pg_type'::regclass, oid, NULL FROM types
    UNION ALL
    SELECT 'pg_class'::regclass, a.attrelid, a.attnum::int
    FROM types JOIN pg_type ty ON ty.oid = types.oid OR ty.typelem = types.oid
    JOIN pg_attribute a ON a.atttypid = ty.oid
    WHERE a.attnum > 0 AND NOT a.attisdropped
)
SELECT DISTINCT vn.nspname, vc.relname
FROM object o
JOIN pg_depend d ON d.refclassid = o.classid AND d.refobjid = o.objid
                AND (o.objsubid IS NULL OR d.refobjsubid = o.objsubid)
JOIN pg_rewrite r ON d.classid = 'pg_rewrite'::regclass AND d.objid = r.oid
JOIN pg_class vc ON vc.oid = r.ev_class AND vc.oid <> d.refobjid
JOIN pg_namespace vn ON vn.oid = vc.relnamespace
"""

# Functions, types and other non-relation objects nobody may leave in a managed schema.
OTHER_OBJECTS_SQL = """
SELECT n.nspname, 'function', p.proname FROM pg_proc p
JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = ANY(%s)
UNION ALL
SELECT n.nspname, 'type', t.typname FROM pg_type t
JOIN pg_namespace n ON n.oid = t.typnamespace
WHERE n.nspname = ANY(%s) AND t.typrelid = 0 AND t.typelem = 0
ORDER BY 1, 3
"""


def edges(cursor: Any, schemas: Sequence[str]) -> list[Edge]:
    cursor.execute(EDGES_SQL, [list(schemas), list(schemas)])
    return [Edge(*row) for row in cursor.fetchall()]


def views_broken_by(cursor: Any, targets: Sequence[Target]) -> set[Key]:
    """(schema, name) of every view that reads one of `targets` directly, in any schema."""
    fields = ("kind", "schema", "relation", "column", "constraint", "recurse")
    cursor.execute(BREAKING_SQL, target_arrays(targets, fields))
    return set(cursor.fetchall())


def target_arrays(targets: Sequence[Target], fields: Sequence[str]) -> list[list[Any]]:
    """The targets as one array per field, in that order, for a query to unnest."""
    return [[getattr(target, name) for target in targets] for name in fields]


def contents(cursor: Any, schemas: Sequence[str]) -> Contents:
    """What `schemas` hold: relations, views in drop order (dependents first), what reads them
    from elsewhere, other objects, and what besides views their drops would destroy."""
    schemas = list(schemas)
    cursor.execute(RELATIONS_SQL, [marks.OWNER_MARK, schemas])
    relations = tuple(Relation(*row) for row in cursor.fetchall())
    by_oid = {relation.oid: relation for relation in relations}

    found = tuple(edges(cursor, schemas))
    reads: dict[int, set[int]] = {r.oid: set() for r in relations if r.is_view}
    readers: dict[Key, set[Key]] = {}
    outside = []
    for edge in found:
        if edge.read_oid not in by_oid:
            continue  # a managed view reading a table elsewhere: no bearing on drops
        if edge.view_oid in by_oid:
            reads.setdefault(edge.view_oid, set()).add(edge.read_oid)
            readers.setdefault(by_oid[edge.read_oid].key, set()).add(by_oid[edge.view_oid].key)
        else:
            outside.append((edge.view_schema, edge.view_name, by_oid[edge.read_oid]))

    # static_order() yields what is read before its readers; drops go the other way round.
    order = graphlib.TopologicalSorter(reads).static_order()
    views = tuple(by_oid[oid] for oid in reversed(list(order)) if by_oid[oid].is_view)

    cursor.execute(OTHER_OBJECTS_SQL, [schemas, schemas])
    other_objects = tuple(cursor.fetchall())
    foreign = attached.foreign_dependents(cursor, [r for r in relations if r.is_view])
    return Contents(
        relations=relations,
        views_in_drop_order=views,
        outside_dependents=tuple(sorted(set(outside), key=lambda o: (o[0], o[1], o[2].key))),
        dependents={key: frozenset(value) for key, value in readers.items()},
        other_objects=other_objects,
        foreign_dependents=tuple(foreign),
        read_elsewhere=len({edge.read_oid for edge in found if edge.read_oid not in by_oid}),
    )
