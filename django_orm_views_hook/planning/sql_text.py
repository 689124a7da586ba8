"""What SQL text is, as PostgreSQL's own grammar reads it (libpg_query, see grammar.py).

A hand-written lexer disagrees with the server somewhere (`€$$` is an identifier, not a dollar
quote; `$é$` is one), and any disagreement about where a statement ends lets a view's `sql` run
a second statement. The parser reads strings with `standard_conforming_strings = on`, the
server's default; the executor runs view SQL with that setting too, whatever the session's.
"""

from __future__ import annotations

import functools

from . import grammar


@functools.lru_cache(maxsize=16384)
def statement_kinds(sql: str) -> tuple[str, ...]:
    """The node type of each statement of `sql` ("SelectStmt", "DeleteStmt", ...).

    Cached by text: the plan is built more than once in a process (checks, sync, migrate).

    Raises:
        SqlSyntaxError: PostgreSQL's grammar rejects `sql`.
    """
    return tuple(statement.kind for statement in grammar.parse(sql))
