"""Catalog helpers shared by the tests: what the database holds, read with parameterised SQL."""

from __future__ import annotations

from django.db import connections


def catalog(sql: str, params: list | None = None, using: str = "default") -> list[tuple]:
    with connections[using].cursor() as cursor:
        cursor.execute(sql, params)  # None: no %-placeholder parsing
        return cursor.fetchall()


def views_in_schema(schema: str = "views", using: str = "default") -> dict[str, str]:
    """{name: relkind} of the views ('v') and materialised views ('m') in `schema`."""
    rows = catalog(
        "SELECT c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE n.nspname = %s AND c.relkind IN ('v', 'm') ORDER BY 1",
        [schema],
        using,
    )
    return dict(rows)


def view_oids(schema: str = "views", using: str = "default") -> dict[str, int]:
    rows = catalog(
        "SELECT c.relname, c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE n.nspname = %s AND c.relkind IN ('v', 'm')",
        [schema],
        using,
    )
    return {name: int(oid) for name, oid in rows}


def column_types(relation: str, schema: str = "views", using: str = "default") -> dict[str, str]:
    rows = catalog(
        "SELECT column_name, data_type FROM information_schema.columns"
        " WHERE table_schema = %s AND table_name = %s ORDER BY ordinal_position",
        [schema, relation],
        using,
    )
    return dict(rows)


def schema_exists(schema: str, using: str = "default") -> bool:
    return bool(catalog("SELECT 1 FROM pg_namespace WHERE nspname = %s", [schema], using))
