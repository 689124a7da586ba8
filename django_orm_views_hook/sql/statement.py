"""A statement of SQL text and what it is, and the quoting every statement is written with.

`Quoting` comes from the connection (database/dialect.py) or, in tests, from a fake; the SQL
text modules never see a connection.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

#: The kind of a statement that defines a view's query (CREATE [OR REPLACE] [MATERIALIZED]
#: VIEW ... AS): an error in it is an error in the view's own SQL, not in an index or comment.
VIEW_QUERY = "view query"


@dataclass(frozen=True)
class Quoting:
    name: Callable[[str], str]
    literal: Callable[[str], str]

    def qualified(self, schema: str, name: str) -> str:
        return f"{self.name(schema)}.{self.name(name)}"


@dataclass(frozen=True)
class Statement:
    """One SQL statement, the view class it belongs to (for error messages), if any, and what
    kind of statement it is (VIEW_QUERY, or None)."""

    sql: str
    owner: str | None = None
    kind: str | None = None


def as_script(statements: Iterable[Statement]) -> str:
    """The statements as one script, each ending with a semicolon."""
    return "".join(f"{statement.sql};\n" for statement in statements)
