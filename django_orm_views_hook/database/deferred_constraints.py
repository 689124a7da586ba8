"""Deferred constraint checks in one transaction for all the migrations, as if each committed.

Plain Django commits after each migration, which fires the deferred checks (foreign keys are
`DEFERRABLE INITIALLY DEFERRED`) and puts every constraint back in its initial mode. In our one
transaction, two things differ. Checks queued by an earlier migration are still pending when a
later one alters, drops or truncates the table, which PostgreSQL refuses ("cannot ALTER TABLE
... because it has pending trigger events"); worse, after a table rewrite (a column's type
changed) every row is new in the transaction, so even an UPDATE that leaves the key alone queues
a check, and a migration that updates rows then alters the table fails, which plain Django
applies. And a `SET CONSTRAINTS` of one migration would last into the next ones.

So: just before a statement that refuses pending events on a table, the checks of that table's
constraints are fired (`SET CONSTRAINTS ... IMMEDIATE`, then back to their initial mode); and
after each migration, every pending check fires and every constraint gets its initial mode back.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any

from ..exceptions import SqlSyntaxError
from ..planning import grammar

#: The statements PostgreSQL refuses while the table has pending trigger events.
_CHECKED = re.compile(r"\b(?:ALTER|DROP|TRUNCATE)\b", re.IGNORECASE)

_CONSTRAINTS_ON = """
SELECT DISTINCT quote_ident(n.nspname) || '.' || quote_ident(c.conname), t.tginitdeferred
FROM unnest(%s::text[], %s::text[]) AS target(schema_name, relation)
JOIN pg_trigger t ON t.tgrelid = to_regclass(
    coalesce(quote_ident(target.schema_name) || '.', '') || quote_ident(target.relation))
JOIN pg_constraint c ON c.oid = t.tgconstraint
JOIN pg_namespace n ON n.oid = c.connamespace
WHERE t.tgdeferrable
"""

_INITIALLY_IMMEDIATE = """
SELECT quote_ident(n.nspname) || '.' || quote_ident(c.conname)
FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
WHERE c.condeferrable AND NOT c.condeferred
"""


@functools.lru_cache(maxsize=512)
def tables_checked_by(sql: str) -> tuple[tuple[str | None, str], ...]:
    """The tables (schema or None, name) that `sql` alters, drops or truncates."""
    if not _CHECKED.search(sql):
        return ()  # most statements of a migrate, told without parsing
    try:
        parsed = grammar.parse(sql)
    except SqlSyntaxError:
        return ()  # the server will say what is wrong with it
    found = [table for statement in parsed for table in _tables(statement)]
    return tuple(dict.fromkeys(found))


def _tables(statement: grammar.Statement) -> list[tuple[str | None, str]]:
    if statement.kind == "AlterTableStmt":
        relations = [statement.get("relation") or {}]
    elif statement.kind == "TruncateStmt":
        relations = [grammar.unwrap(node)[1] for node in statement.get("relations", ())]
    elif statement.kind == "DropStmt" and statement.get("removeType") == "OBJECT_TABLE":
        objects = [grammar.unwrap(node)[1] for node in statement.get("objects", ())]
        names = [grammar.strings(name.get("items", ())) for name in objects]
        return [(name[-2] if len(name) > 1 else None, name[-1]) for name in names]
    else:
        return []
    return [(r.get("schemaname"), r["relname"]) for r in relations if r.get("relname")]


def fire_pending(cursor: Any, tables: tuple[tuple[str | None, str], ...]) -> None:
    """Fire the pending checks of the deferrable constraints on `tables`, keeping their mode."""
    cursor.execute(_CONSTRAINTS_ON, [[s for s, _ in tables], [r for _, r in tables]])
    rows = cursor.fetchall()
    if not rows:
        return
    cursor.execute(f"SET CONSTRAINTS {', '.join(name for name, _ in rows)} IMMEDIATE")
    deferred = [name for name, initially_deferred in rows if initially_deferred]
    if deferred:
        cursor.execute(f"SET CONSTRAINTS {', '.join(deferred)} DEFERRED")


def as_if_committed(cursor: Any) -> None:
    """After a migration: fire every pending check and give each constraint its initial mode."""
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE; SET CONSTRAINTS ALL DEFERRED")
    cursor.execute(_INITIALLY_IMMEDIATE)
    immediate = [name for (name,) in cursor.fetchall()]
    if immediate:
        cursor.execute(f"SET CONSTRAINTS {', '.join(immediate)} IMMEDIATE")


class FirePendingChecks:
    """An execute wrapper for a migrate's transaction: `fire_pending` before each statement that
    alters, drops or truncates a table."""

    def __init__(self, connection: Any) -> None:
        self.connection = connection

    def __call__(
        self, execute: Callable[..., Any], sql: Any, params: Any, many: bool, context: Any
    ) -> Any:
        # Django's schema editor sends its DDL as text, parameters inlined.
        if isinstance(sql, str) and params is None:
            tables = tables_checked_by(sql)
            if tables:
                with self.connection.cursor() as cursor:
                    fire_pending(cursor, tables)
        return execute(sql, params, many, context)
