"""What SQL text is, as PostgreSQL's own grammar reads it (libpg_query, see grammar.py).

A hand-written lexer disagrees with the server somewhere (`€$$` is an identifier, not a dollar
quote; `$é$` is one), and any disagreement about where a statement ends lets a view's `sql` run
a second statement. The parser reads strings with `standard_conforming_strings = on`, the
server's default; the sync runs view SQL with that setting too, whatever the session's.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable

from ..exceptions import SqlSyntaxError, ViewDefinitionError
from . import grammar
from .plan import ViewSpec


@functools.lru_cache(maxsize=16384)
def statement_kinds(sql: str) -> tuple[str, ...]:
    """The node type of each statement of `sql` ("SelectStmt", "DeleteStmt", ...).

    Cached by text: the plan is built more than once in a process (checks, sync, migrate).

    Raises:
        SqlSyntaxError: PostgreSQL's grammar rejects `sql`.
    """
    return tuple(statement.kind for statement in grammar.parse(sql))


def check_queries(views: Iterable[ViewSpec]) -> None:
    """Read each SQL view's query with PostgreSQL's grammar, in order; the first that is not
    exactly one query raises ViewDefinitionError naming its class.

    A plan built with `check_sql=True` has done it; the sync does it for the views it is about
    to build, before any DDL, so that a re-sync with nothing changed parses nothing.
    """
    for view in views:
        if view.from_sql:
            check_one_query(view.label, view.query)


def check_one_query(owner: str, sql: str) -> None:
    """Refuse SQL that is several statements, or one that is not a query, as PostgreSQL reads it."""
    try:
        found = statement_kinds(sql)
    except SqlSyntaxError as exc:
        raise ViewDefinitionError(f"{owner}: `sql` is not valid SQL: {exc}.") from exc
    if len(found) != 1:
        raise ViewDefinitionError(
            f"{owner}: `sql` holds {len(found)} statements; a view is one SELECT."
        )
    if found[0] != "SelectStmt":  # SELECT, VALUES, TABLE, WITH ... SELECT and set operations
        raise ViewDefinitionError(
            f"{owner}: `sql` is not a query (PostgreSQL reads it as {found[0]}); a view's `sql` "
            "must be a SELECT (or WITH ... SELECT, VALUES, TABLE)."
        )
