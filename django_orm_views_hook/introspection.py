"""Read-only catalog queries: what the managed schemas hold and what depends on it.

None of these take a lock on a relation: they read the catalogs only (no pg_get_viewdef,
which locks what a view reads), so "nothing changed" costs one query and blocks nobody.
"""

from __future__ import annotations

import graphlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .ddl import OWNER_MARK, STATE_PREFIX

# One row per schema that the plan names or that this package marked as its own. The digest
# covers every relation in it: a view dropped, replaced (its rule's xmin changes) or re-granted
# by hand changes it. Refreshing a materialised view does not (its rule stays as it was).
SCHEMA_STATE_SQL = """
SELECT n.nspname,
       coalesce(obj_description(n.oid, 'pg_namespace'), ''),
       md5(concat_ws(E'\\n', n.oid, n.nspacl::text, (
           SELECT string_agg(
                      concat_ws(':', c.oid, c.relname, c.relkind, c.relacl::text, r.xmin),
                      E'\\n' ORDER BY c.relname)
           FROM pg_class c
           LEFT JOIN pg_rewrite r ON r.ev_class = c.oid AND r.rulename = '_RETURN'
           WHERE c.relnamespace = n.oid)))
FROM pg_namespace n
WHERE n.nspname = ANY(%s) OR obj_description(n.oid, 'pg_namespace') LIKE %s
ORDER BY n.nspname
"""

RELATIONS_SQL = """
SELECT c.oid, n.nspname, c.relname, c.relkind,
       coalesce(obj_description(c.oid, 'pg_class'), '') LIKE %s
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = ANY(%s)
ORDER BY n.nspname, c.relname
"""

# (dependent view, relation it reads) for every view that reads a relation in the schemas.
DEPENDENCIES_SQL = """
SELECT DISTINCT r.ev_class, d.refobjid, dn.nspname, dc.relname
FROM pg_depend d
JOIN pg_rewrite r ON d.classid = 'pg_rewrite'::regclass AND d.objid = r.oid
JOIN pg_class rc ON rc.oid = d.refobjid
JOIN pg_namespace rn ON rn.oid = rc.relnamespace
JOIN pg_class dc ON dc.oid = r.ev_class
JOIN pg_namespace dn ON dn.oid = dc.relnamespace
WHERE d.refclassid = 'pg_class'::regclass AND d.refobjid <> r.ev_class
  AND rn.nspname = ANY(%s)
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

# Who this session is, where unqualified names resolve, and which of the grantees exist.
SESSION_SQL = """
SELECT current_user::text, current_schemas(false)::text[],
       ARRAY(SELECT rolname::text FROM pg_roles WHERE rolname = ANY(%s))
"""

# Roles holding USAGE on the managed schemas (besides their owner): revoked when dropped
# from ORM_VIEWS_GRANT_SELECT_TO.
SCHEMA_GRANTEES_SQL = """
SELECT n.nspname, pg_get_userbyid(a.grantee)
FROM pg_namespace n, aclexplode(n.nspacl) a
WHERE n.nspname = ANY(%s) AND a.privilege_type = 'USAGE'
  AND a.grantee <> n.nspowner AND a.grantee <> 0
ORDER BY 1, 2
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


@dataclass(frozen=True)
class SchemaState:
    name: str
    comment: str
    digest: str

    @property
    def marked(self) -> bool:
        return self.comment.startswith(OWNER_MARK)

    @property
    def recorded_state(self) -> str | None:
        return self.comment[len(STATE_PREFIX) :] if self.comment.startswith(STATE_PREFIX) else None


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
    def description(self) -> str:
        return f'{RELKIND_NAMES.get(self.kind, self.kind)} "{self.schema}"."{self.name}"'


@dataclass(frozen=True)
class Contents:
    """What the managed schemas hold, with views in drop order (dependents first)."""

    relations: tuple[Relation, ...]
    views_in_drop_order: tuple[Relation, ...]
    outside_dependents: tuple[tuple[str, str, str], ...]  # (schema, name, what it reads)
    other_objects: tuple[tuple[str, str, str], ...]  # (schema, kind, name)
    schema_grantees: tuple[tuple[str, str], ...]  # (schema, role) holding USAGE


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


def schema_states(cursor: Any, schemas: Sequence[str]) -> list[SchemaState]:
    cursor.execute(SCHEMA_STATE_SQL, [list(schemas), OWNER_MARK + "%"])
    return [SchemaState(*row) for row in cursor.fetchall()]


def contents(cursor: Any, schemas: Sequence[str]) -> Contents:
    schemas = list(schemas)
    cursor.execute(RELATIONS_SQL, [OWNER_MARK + "%", schemas])
    relations = tuple(Relation(*row) for row in cursor.fetchall())
    by_oid = {relation.oid: relation for relation in relations}

    cursor.execute(DEPENDENCIES_SQL, [schemas])
    reads: dict[int, set[int]] = {r.oid: set() for r in relations if r.is_view}
    outside = []
    for dependent, referenced, schema, name in cursor.fetchall():
        if dependent in by_oid:
            reads.setdefault(dependent, set()).add(referenced)
        else:
            outside.append((schema, name, by_oid[referenced].description))

    # static_order() yields what is read before its readers; drops go the other way round.
    order = graphlib.TopologicalSorter(reads).static_order()
    views = tuple(by_oid[oid] for oid in reversed(list(order)) if by_oid[oid].is_view)

    cursor.execute(OTHER_OBJECTS_SQL, [schemas, schemas])
    other_objects = tuple(cursor.fetchall())
    cursor.execute(SCHEMA_GRANTEES_SQL, [schemas])
    grantees = tuple(cursor.fetchall())
    return Contents(relations, views, tuple(sorted(set(outside))), other_objects, grantees)


def columns(cursor: Any, keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], list[str]]:
    """{(schema, name): [column, ...]} for the given relations, in column order."""
    cursor.execute(COLUMNS_SQL, [sorted({s for s, _ in keys}), sorted({n for _, n in keys})])
    found: dict[tuple[str, str], list[str]] = {}
    for schema, name, column in cursor.fetchall():
        found.setdefault((schema, name), []).append(column)
    return found
