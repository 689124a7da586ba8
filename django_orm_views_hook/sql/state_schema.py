"""The package's own schema (planning.identifiers.STATE_SCHEMA) and its refresh state table.

Created on first use, without a migration, marked with sql.marks.STATE_MARK; the pg_cron
schedule table and procedure (pg_cron_procedure.py) live beside it.
"""

from __future__ import annotations

from ..planning.identifiers import STATE_SCHEMA
from .marks import STATE_MARK, STATE_TABLE
from .statement import Quoting, Statement

_COLUMNS = """
    view_schema text NOT NULL,
    view_name text NOT NULL,
    view_class text NOT NULL DEFAULT '',
    refreshed_at timestamptz,
    duration interval,
    row_count bigint,
    method text,
    refreshes bigint NOT NULL DEFAULT 0,
    failed_at timestamptz,
    last_error text,
    failures integer NOT NULL DEFAULT 0,
    PRIMARY KEY (view_schema, view_name)
"""


def qualified(q: Quoting, name: str = STATE_TABLE) -> str:
    """An object of the state schema, quoted: the state table by default."""
    return q.qualified(STATE_SCHEMA, name)


def create_statements(q: Quoting) -> list[Statement]:
    """The state schema and table, marked as the package's; idempotent."""
    schema = q.name(STATE_SCHEMA)
    about = (
        f"{STATE_MARK}: when each materialised view was last refreshed (refresh_views "
        "--status). Created by the package on first use; it is not a schema of views."
    )
    table = (
        f"{STATE_MARK}: one row per materialised view: refreshed_at is the start of its last "
        "successful refresh (its rows are as of then); last_error the error of the last "
        "failed one, cleared by the next success."
    )
    return [
        Statement(f"CREATE SCHEMA IF NOT EXISTS {schema}"),
        Statement(f"COMMENT ON SCHEMA {schema} IS {q.literal(about)}"),
        Statement(f"CREATE TABLE IF NOT EXISTS {qualified(q)} ({_COLUMNS})"),
        Statement(f"COMMENT ON TABLE {qualified(q)} IS {q.literal(table)}"),
    ]
