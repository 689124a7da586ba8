"""Read-only catalog queries: what the managed schemas hold and what depends on it.

None of these take a lock on a relation: they read the catalogs only (no pg_get_viewdef,
which locks what a view reads), so "nothing changed" costs one query and blocks nobody.
"""

from __future__ import annotations

import graphlib
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from ..planning.statement_effects import Target
from ..sql.ddl import DIGEST_PREFIX, OWNER_MARK, build_schema

# One row per view of every schema that the plan names or that this package marked as its own
# (and one per such schema without views). `intact` is false once a view was replaced by hand:
# its rule no longer shares the xmin of the comment written with it. The schema part is
# MATERIALIZED so that its ACL is read once per schema, not once per view. Privileges come as
# 'PRIVILEGE:grantee', the owner's left out, '' for PUBLIC.
CATALOG_SQL = """
WITH n AS MATERIALIZED (
    SELECT n.oid, n.nspname,
           coalesce(obj_description(n.oid, 'pg_namespace'), '') LIKE %s AS marked,
           ARRAY(SELECT a.privilege_type || ':' || CASE WHEN a.grantee = 0 THEN ''
                        ELSE pg_get_userbyid(a.grantee)::text END
                 FROM aclexplode(n.nspacl) a WHERE a.grantee <> n.nspowner
                 ORDER BY 1) AS privileges
    FROM pg_namespace n
    WHERE n.nspname = ANY(%s) OR obj_description(n.oid, 'pg_namespace') LIKE %s
)
SELECT n.nspname, n.marked, n.privileges, c.relname, c.relkind, d.description, d.xmin = r.xmin,
       CASE WHEN c.relacl IS NULL THEN '{}'::text[] ELSE
       ARRAY(SELECT a.privilege_type || ':' || CASE WHEN a.grantee = 0 THEN ''
                    ELSE pg_get_userbyid(a.grantee)::text END
             FROM aclexplode(c.relacl) a WHERE a.grantee <> c.relowner
             ORDER BY 1) END
FROM n
LEFT JOIN pg_class c ON c.relnamespace = n.oid AND c.relkind IN ('v', 'm')
LEFT JOIN pg_rewrite r ON r.ev_class = c.oid AND r.rulename = '_RETURN'
LEFT JOIN LATERAL (
    SELECT d.description, d.xmin FROM pg_description d
    WHERE d.objoid = c.oid AND d.classoid = 'pg_class'::regclass AND d.objsubid = 0
    LIMIT 1
) d ON true
"""

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

# What depends on the given views (or on their row types) besides the views that read them:
# what a DROP would destroy with them (indexes, triggers, rules, statistics, defaults) or a
# CASCADE would (table columns of their type, functions, policies, rules elsewhere). A view's
# own internal parts (its `_RETURN` rule, row type, TOAST table) depend on it internally ('i').
DEPENDENTS_SQL = """
WITH rel AS (SELECT c.oid, c.reltype FROM pg_class c WHERE c.oid = ANY(%s::oid[])),
ref AS (
    SELECT 'pg_class'::regclass::oid AS classid, rel.oid AS objid, rel.oid AS rel FROM rel
    UNION ALL
    SELECT 'pg_type'::regclass::oid, t.oid, rel.oid FROM rel
    JOIN pg_type row_type ON row_type.oid = rel.reltype
    JOIN pg_type t ON t.oid IN (row_type.oid, row_type.typarray)
)
SELECT DISTINCT ref.rel, pg_describe_object(d.classid, d.objid, d.objsubid),
       d.classid = 'pg_rewrite'::regclass AND r.rulename = '_RETURN'
           AND v.relkind IN ('v', 'm'),
       coalesce(r.ev_class, 0)::oid,
       d.classid = 'pg_class'::regclass AND d.objsubid = 0 AND i.relkind IN ('i', 'I'),
       coalesce(i.relname, ''),
       coalesce(strpos(obj_description(i.oid, 'pg_class'), %s) > 0, false)
FROM ref
JOIN pg_depend d ON d.refclassid = ref.classid AND d.refobjid = ref.objid
LEFT JOIN pg_rewrite r ON d.classid = 'pg_rewrite'::regclass AND r.oid = d.objid
LEFT JOIN pg_class v ON v.oid = r.ev_class
LEFT JOIN pg_class i ON d.classid = 'pg_class'::regclass AND i.oid = d.objid
WHERE d.deptype IN ('n', 'a')
ORDER BY 1, 2
"""

# Who this session is, where unqualified names resolve, and which of the grantees exist.
SESSION_SQL = """
SELECT current_user::text, current_schemas(false)::text[],
       ARRAY(SELECT rolname::text FROM pg_roles WHERE rolname = ANY(%s))
"""

# Relations of the managed schemas that other sessions hold locks on.
LOCK_HOLDERS_SQL = """
SELECT DISTINCT n.nspname, c.relname, l.pid, l.mode
FROM pg_locks l
JOIN pg_class c ON c.oid = l.relation
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE l.granted AND l.pid <> pg_backend_pid() AND n.nspname = ANY(%s)
ORDER BY 1, 2
"""

SCHEMA_COMMENT_SQL = (
    "SELECT coalesce(obj_description(oid, 'pg_namespace'), '') FROM pg_namespace WHERE nspname = %s"
)

COLUMNS_SQL = """
SELECT n.nspname, c.relname, a.attname
FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = ANY(%s) AND c.relname = ANY(%s) AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attnum
"""

RELKIND_NAMES = {
    "r": "table",
    "p": "table",
    "S": "sequence",
    "f": "foreign table",
    "v": "view",
    "m": "materialized view",
    "i": "index",
    "I": "index",
    "c": "type",
    "t": "TOAST table",
}


#: (privilege, grantee) as the catalog has it: ("SELECT", "analyst"); grantee None is PUBLIC.
Privilege = tuple[str, str | None]


def _privileges(acl: Sequence[str]) -> frozenset[Privilege]:
    pairs = (item.split(":", 1) for item in acl)
    return frozenset((privilege, grantee or None) for privilege, grantee in pairs)


@dataclass(frozen=True)
class ViewState:
    """A view as the database has it: kind, recorded digest, untouched by hand, privileges."""

    materialized: bool
    digest: str | None
    intact: bool
    privileges: frozenset[Privilege] = frozenset()


@dataclass(frozen=True)
class Catalog:
    """The managed schemas as they are: one query, no relation locks."""

    schemas: dict[str, bool]  # name -> marked as ours
    privileges: dict[str, frozenset[Privilege]]  # schema -> privileges on it, owner aside
    views: dict[tuple[str, str], ViewState]
    #: Build areas (`ddl.build_schema`) a sync that did not finish left behind.
    leftovers: tuple[str, ...] = ()

    @property
    def marked(self) -> list[str]:
        return [name for name, marked in self.schemas.items() if marked]


def catalog(cursor: Any, schemas: Sequence[str]) -> Catalog:
    mark = OWNER_MARK + "%"
    areas = {build_schema(schema) for schema in schemas} - set(schemas)
    cursor.execute(CATALOG_SQL, [mark, [*schemas, *sorted(areas)], mark])
    found: dict[str, bool] = {}
    granted: dict[str, frozenset[Privilege]] = {}
    views: dict[tuple[str, str], ViewState] = {}
    leftovers: dict[str, None] = {}
    for schema, marked, on_schema, name, kind, comment, intact, on_view in cursor.fetchall():
        if schema in areas:
            leftovers[schema] = None
            continue
        found[schema] = marked
        granted[schema] = _privileges(on_schema)
        if name is not None:
            # The record ends the comment, after any documentation for analysts.
            _, found_mark, recorded = (comment or "").rpartition(DIGEST_PREFIX)
            digest = recorded if found_mark else None
            state = ViewState(kind == "m", digest, bool(intact), _privileges(on_view))
            views[(schema, name)] = state
    return Catalog(found, granted, views, tuple(leftovers))


@dataclass(frozen=True)
class Relation:
    oid: int
    schema: str
    name: str
    kind: str
    marked: bool

    @property
    def is_view(self) -> bool:
        return self.kind in ("v", "m")

    @property
    def key(self) -> tuple[str, str]:
        return (self.schema, self.name)

    @property
    def description(self) -> str:
        return f'{RELKIND_NAMES.get(self.kind, self.kind)} "{self.schema}"."{self.name}"'


@dataclass(frozen=True)
class Edge:
    """A view and a relation it reads."""

    view_oid: int
    view_schema: str
    view_name: str
    read_oid: int
    read_schema: str
    read_name: str
    read_kind: str


def edges(cursor: Any, schemas: Sequence[str]) -> list[Edge]:
    cursor.execute(EDGES_SQL, [list(schemas), list(schemas)])
    return [Edge(*row) for row in cursor.fetchall()]


def views_broken_by(cursor: Any, targets: Sequence[Target]) -> set[tuple[str, str]]:
    """(schema, name) of every view that reads one of `targets` directly, in any schema."""
    cursor.execute(
        BREAKING_SQL,
        [
            [t.kind for t in targets],
            [t.schema for t in targets],
            [t.relation for t in targets],
            [t.column for t in targets],
            [t.constraint for t in targets],
            [t.recurse for t in targets],
        ],
    )
    return set(cursor.fetchall())


@dataclass(frozen=True)
class ForeignDependent:
    """Something other than a view that dropping the views of `via` would destroy.

    `index` is the index's name when it is an index on one of them; `marked` when its comment
    says this package created it.
    """

    via: frozenset[tuple[str, str]]  # the managed views whose drop destroys it
    description: str  # PostgreSQL's own, e.g. 'trigger t on view views.v'
    index: str = ""
    marked: bool = False


def foreign_dependents(cursor: Any, views: Collection[Relation]) -> list[ForeignDependent]:
    """What besides views a drop of `views` would destroy, or a CASCADE through them would.

    Views elsewhere that read them are followed, since a CASCADE drops them and with them what
    depends on them; they are not listed (`Contents.outside_dependents` has them). Indexes on
    those views go with them and are left out too.
    """
    managed = {view.oid: view.key for view in views}
    via: dict[int, frozenset[tuple[str, str]]] = {
        oid: frozenset([key]) for oid, key in managed.items()
    }
    frontier = list(managed)
    found: dict[str, ForeignDependent] = {}  # by description: reached again, it goes with more
    while frontier:
        cursor.execute(DEPENDENTS_SQL, [frontier, OWNER_MARK])
        reached: dict[int, set[tuple[str, str]]] = {}
        for rel, description, reads, reader, is_index, index, marked in cursor.fetchall():
            if reads:
                if reader not in managed:
                    reached.setdefault(reader, set()).update(via[rel])
            elif rel in managed or not is_index:
                known = found[description].via if description in found else frozenset()
                found[description] = ForeignDependent(
                    via[rel] | known, description, index if is_index else "", marked
                )
        frontier = []
        for oid, keys in reached.items():
            if not keys <= via.get(oid, frozenset()):
                via[oid] = via.get(oid, frozenset()) | keys
                frontier.append(oid)
    return list(found.values())


@dataclass(frozen=True)
class Contents:
    """What the managed schemas hold, with views in drop order (dependents first)."""

    relations: tuple[Relation, ...]
    views_in_drop_order: tuple[Relation, ...]
    outside_dependents: tuple[tuple[str, str, Relation], ...]  # (schema, name, what it reads)
    dependents: dict[tuple[str, str], frozenset[tuple[str, str]]]  # view -> views reading it
    other_objects: tuple[tuple[str, str, str], ...]  # (schema, kind, name)
    foreign_dependents: tuple[ForeignDependent, ...] = ()  # what else their drops destroy
    read_elsewhere: int = 0  # relations outside the schemas that the views read


@dataclass(frozen=True)
class Session:
    user: str
    search_path: tuple[str, ...]
    existing_roles: frozenset[str]


def session(cursor: Any, roles: Sequence[str]) -> Session:
    cursor.execute(SESSION_SQL, [list(roles)])
    user, search_path, existing = cursor.fetchone()
    return Session(user, tuple(search_path), frozenset(existing))


def lock_holders(cursor: Any, schemas: Sequence[str]) -> list[tuple[str, str, int, str]]:
    """(schema, relation, pid, lock mode) held by other sessions in `schemas`."""
    cursor.execute(LOCK_HOLDERS_SQL, [list(schemas)])
    return list(cursor.fetchall())


def schema_comment(cursor: Any, schema: str) -> str:
    cursor.execute(SCHEMA_COMMENT_SQL, [schema])
    row = cursor.fetchone()
    return str(row[0]) if row else ""


def contents(cursor: Any, schemas: Sequence[str]) -> Contents:
    schemas = list(schemas)
    cursor.execute(RELATIONS_SQL, [OWNER_MARK, schemas])
    relations = tuple(Relation(*row) for row in cursor.fetchall())
    by_oid = {relation.oid: relation for relation in relations}

    found = tuple(edges(cursor, schemas))
    reads: dict[int, set[int]] = {r.oid: set() for r in relations if r.is_view}
    readers: dict[tuple[str, str], set[tuple[str, str]]] = {}
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
    foreign = foreign_dependents(cursor, [r for r in relations if r.is_view])
    return Contents(
        relations=relations,
        views_in_drop_order=views,
        outside_dependents=tuple(sorted(set(outside), key=lambda o: (o[0], o[1], o[2].key))),
        dependents={key: frozenset(value) for key, value in readers.items()},
        other_objects=other_objects,
        foreign_dependents=tuple(foreign),
        read_elsewhere=len({edge.read_oid for edge in found if edge.read_oid not in by_oid}),
    )


def columns(cursor: Any, keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], list[str]]:
    """{(schema, name): [column, ...]} for the given relations, in column order."""
    cursor.execute(COLUMNS_SQL, [sorted({s for s, _ in keys}), sorted({n for _, n in keys})])
    found: dict[tuple[str, str], list[str]] = {}
    for schema, name, column in cursor.fetchall():
        found.setdefault((schema, name), []).append(column)
    return found
