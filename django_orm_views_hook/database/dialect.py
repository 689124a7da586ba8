"""How a database's connection writes SQL: quoting, parameters inlined, index statements.

Planning and the SQL text are pure: they take these from the caller. Nothing here sends a
query; the driver's quoting needs the open connection (its encoding), so it connects.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.postgresql import psycopg_any

from ..planning.plan import IndexSql, InlineParams
from ..sql.statement import Quoting


def quoting(connection: BaseDatabaseWrapper) -> Quoting:
    """Identifiers quoted by the connection, literals by the driver."""
    return Quoting(name=connection.ops.quote_name, literal=_driver_literal(connection))


def inline(connection: BaseDatabaseWrapper) -> InlineParams:
    """The driver's inlining of query parameters as literals (PostgreSQL's `compose_sql`)."""
    return cast(InlineParams, cast(Any, connection.ops).compose_sql)


def index_sql(connection: BaseDatabaseWrapper) -> IndexSql:
    """Meta.indexes entries rendered by the connection's schema editor."""
    # A schema editor that is never entered only renders SQL: no transaction, no query.
    editor = connection.schema_editor()

    def render(model: type, index: Any) -> str:
        return str(index.create_sql(model, editor))

    return render


def _driver_literal(connection: BaseDatabaseWrapper) -> Callable[[str], str]:
    """The driver's own string quoting, called directly.

    `connection.ops.compose_sql` quotes the same way but opens a cursor per call, which at one
    comment per view was a tenth of a cold sync.
    """
    connection.ensure_connection()
    raw = connection.connection
    if psycopg_any.is_psycopg3:
        from psycopg import sql

        def quote(value: str) -> str:
            return sql.Literal(value).as_string(raw)

    else:  # pragma: no cover - exercised by the psycopg2 runs
        from psycopg2.extensions import QuotedString

        def quote(value: str) -> str:
            quoted = QuotedString(value)
            quoted.prepare(raw)
            return str(quoted.getquoted().decode())

    return quote
