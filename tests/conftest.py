"""Fixtures and catalog helpers shared by the tests (parameterised SQL only)."""

from __future__ import annotations

import io
from dataclasses import dataclass

import pytest
from django.core.management import call_command
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


@dataclass
class CommandOutput:
    stdout: str
    stderr: str


@pytest.fixture
def run_command():
    """call_command with stdout and stderr captured: run_command("sync_views", "--dry-run")."""

    def run(name: str, *args: str, **options) -> CommandOutput:
        out, err = io.StringIO(), io.StringIO()
        call_command(name, *args, stdout=out, stderr=err, **options)
        return CommandOutput(out.getvalue(), err.getvalue())

    return run
