"""The managed schemas and their views as they are: one query, and the columns of views.

None of these take a lock on a relation: they read the catalogs only (no pg_get_viewdef,
which locks what a view reads), so "nothing changed" costs one query and blocks nobody.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..planning.plan import Key
from ..planning.state import Catalog, Privilege, ViewState
from ..sql import marks
from .privileges import acl_sql, parse_acl

# One row per view of every schema that the plan names or that this package marked as its own
# (and one per such schema without views). Marked as its own, in a django-tenants project, means
# for the plan's tenant (the comment names it), or, for the views built once, not for a tenant
# whose schema still exists: a deleted tenant's views schema is the shared sync's to drop.
# `intact` is false once a view was replaced by hand: its rule no longer shares the xmin of the
# comment written with it. The schema part is MATERIALIZED so that its ACL is read once per
# schema, not once per view. Privileges come as 'PRIVILEGE:grantee', the owner's left out, ''
# for PUBLIC.
CATALOG_SQL = f"""
WITH d AS MATERIALIZED (
    SELECT n.oid, n.nspname, n.nspacl, n.nspowner,
           coalesce(obj_description(n.oid, 'pg_namespace'), '') AS comment
    FROM pg_namespace n
), m AS MATERIALIZED (
    SELECT d.*,
           CASE WHEN %(tenant_mark)s::text IS NOT NULL THEN d.comment = %(tenant_mark)s
           ELSE d.comment LIKE %(owner_mark)s AND (
               left(d.comment, length(%(tenants_mark)s)) <> %(tenants_mark)s
               OR NOT EXISTS (SELECT FROM pg_namespace t
                              WHERE t.nspname = substr(d.comment, length(%(tenants_mark)s) + 1))
           ) END AS marked
    FROM d
), n AS MATERIALIZED (
    SELECT m.oid, m.nspname, m.marked, {acl_sql("m.nspacl", "m.nspowner")} AS privileges
    FROM m
    WHERE m.nspname = ANY(%(names)s) OR m.marked
)
SELECT n.nspname, n.marked, n.privileges, c.relname, c.relkind, d.description, d.xmin = r.xmin,
       CASE WHEN c.relacl IS NULL THEN '{{}}'::text[] ELSE
       {acl_sql("c.relacl", "c.relowner")} END
FROM n
LEFT JOIN pg_class c ON c.relnamespace = n.oid AND c.relkind IN ('v', 'm')
LEFT JOIN pg_rewrite r ON r.ev_class = c.oid AND r.rulename = '_RETURN'
LEFT JOIN LATERAL (
    SELECT d.description, d.xmin FROM pg_description d
    WHERE d.objoid = c.oid AND d.classoid = 'pg_class'::regclass AND d.objsubid = 0
    LIMIT 1
) d ON true
"""

# The comment of a schema; no row when there is no such schema.
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


def catalog(cursor: Any, schemas: Sequence[str], tenant: str | None = None) -> Catalog:
    """The managed schemas (`schemas` and those marked as ours: for `tenant`, or for the views
    built once), their views' kinds, recorded digests, privileges, and the build areas an
    unfinished sync left behind."""
    areas = {marks.build_schema(schema) for schema in schemas} - set(schemas)
    params = {
        "tenant_mark": None if tenant is None else marks.schema_mark(tenant),
        "owner_mark": marks.OWNER_MARK + "%",
        "tenants_mark": marks.TENANT_MARK,
        "names": [*schemas, *sorted(areas)],
    }
    cursor.execute(CATALOG_SQL, params)
    found: dict[str, bool] = {}
    granted: dict[str, frozenset[Privilege]] = {}
    views: dict[Key, ViewState] = {}
    abandoned: dict[str, None] = {}
    for schema, marked, on_schema, name, kind, comment, intact, on_view in cursor.fetchall():
        if schema in areas:
            abandoned[schema] = None
            continue
        found[schema] = marked
        granted[schema] = parse_acl(on_schema)
        if name is not None:
            digest = marks.recorded_digest(comment)
            views[(schema, name)] = ViewState(kind == "m", digest, bool(intact), parse_acl(on_view))
    return Catalog(found, granted, views, tuple(abandoned))


def is_populated(cursor: Any, key: Key) -> bool | None:
    """Whether materialised view `key` has rows to read (not WITH NO DATA and never refreshed);
    None when there is no such materialised view."""
    cursor.execute(
        "SELECT c.relispopulated FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = %s AND c.relname = %s AND c.relkind = 'm'",
        list(key),
    )
    row = cursor.fetchone()
    return None if row is None else bool(row[0])


def schema_comment(cursor: Any, schema: str) -> str | None:
    """The comment of `schema` ('' when none); None when there is no such schema."""
    cursor.execute(SCHEMA_COMMENT_SQL, [schema])
    row = cursor.fetchone()
    return None if row is None else str(row[0])


def columns(cursor: Any, keys: Sequence[Key]) -> dict[Key, list[str]]:
    """{(schema, name): [column, ...]} for the given relations, in column order."""
    cursor.execute(COLUMNS_SQL, [sorted({s for s, _ in keys}), sorted({n for _, n in keys})])
    found: dict[Key, list[str]] = {}
    for schema, name, column in cursor.fetchall():
        found.setdefault((schema, name), []).append(column)
    return found
