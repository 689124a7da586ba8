"""What SQL text is, as PostgreSQL's own grammar reads it (pglast embeds the server's parser).

A hand-written lexer disagrees with the server somewhere (`€$$` is an identifier, not a dollar
quote; `$é$` is one), and any disagreement about where a statement ends lets a view's `sql` run
a second statement. The parser reads strings with `standard_conforming_strings = on`, the
server's default; the executor runs view SQL with that setting too, whatever the session's.
"""

from __future__ import annotations

import functools
import re

from pglast import ast, parser

from .exceptions import SqlSyntaxError

#: libpg_query's JSON starts with the node type of the first statement.
_FIRST_NODE = re.compile(r'\{"version":\d+,"stmts":\[\{"stmt":\{"(\w+)"')


def parse(sql: str) -> tuple[ast.Node, ...]:
    """The statements of `sql`, as pglast nodes (ast.SelectStmt, ast.AlterTableStmt, ...).

    Raises:
        SqlSyntaxError: PostgreSQL's grammar rejects `sql`.
    """
    try:
        return tuple(raw.stmt for raw in parser.parse_sql(sql) if raw.stmt is not None)
    except parser.ParseError as exc:
        raise SqlSyntaxError(_explain(sql, exc)) from exc


@functools.lru_cache(maxsize=16384)
def statement_kinds(sql: str) -> tuple[str, ...]:
    """The node type of each statement of `sql` ("SelectStmt", "DeleteStmt", ...).

    Cached by text, since the plan is rebuilt on every `migrate`; and built from the parser's
    statement split and its JSON output, about ten times cheaper than pglast's Python nodes.

    Raises:
        SqlSyntaxError: PostgreSQL's grammar rejects `sql`.
    """
    try:
        count = len(parser.split(sql))
        if count != 1:
            return tuple(type(node).__name__ for node in parse(sql))
        first = _FIRST_NODE.match(parser.parse_sql_json(sql))
    except parser.ParseError as exc:
        raise SqlSyntaxError(_explain(sql, exc)) from exc
    if first is None:  # pragma: no cover - a libpg_query whose JSON starts otherwise
        return tuple(type(node).__name__ for node in parse(sql))
    return (first.group(1),)


def _explain(sql: str, exc: parser.ParseError) -> str:
    """The parser's message and the text where it stopped."""
    message, location = exc.args[0], (exc.args[1:] or [None])[0]
    if location is None:
        return str(message)
    return f"{message}, at character {location + 1}: {sql[location : location + 30]!r}"
