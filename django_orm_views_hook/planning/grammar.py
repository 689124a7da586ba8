"""PostgreSQL's own grammar, as plain data: the statements of a piece of SQL.

The parser is libpg_query (PostgreSQL's parser as a C library, BSD-3-Clause), through postgast
(BSD-2-Clause), which returns its parse tree as protobuf messages. The package reads the trees
through this module only, in libpg_query's JSON form (protobuf's `MessageToDict` gives exactly
that form: the schema names its JSON fields), so it depends on libpg_query's tree, the same
whichever binding produced it, and not on a binding's classes: a node is a dict with one key,
its type (`{"RangeVar": {"relname": "t", ...}}`), except where a field's type is fixed
(`AlterTableStmt.relation` is a RangeVar's fields directly); a false, zero or empty field is
left out. A statement's fields are converted only when asked for: telling a statement's type
costs no conversion. postgast (and protobuf) are imported at the first parse, not with the
package: a process that parses nothing (a web worker, a migrate with nothing to do) does not
load them. docs/dependencies.md says why postgast, and what was compared.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import Any

from ..exceptions import SqlSyntaxError

Node = dict[str, Any]

_MISSING = (
    "django-orm-views-hook reads SQL with PostgreSQL's own grammar through postgast, which "
    "cannot be imported here ({error}). postgast installs from binary wheels on Linux (x86_64 "
    "and aarch64, glibc or musl), macOS on Apple silicon and Windows (x86_64), for CPython 3.10 "
    "to 3.14; elsewhere (macOS on Intel, among others) pip builds it from source, which needs a "
    "C compiler and make. See the Dependencies section of the README."
)


@functools.cache
def _binding() -> Any:
    """postgast, imported once; ImportError saying what to do where it cannot be."""
    try:
        import postgast
        from google.protobuf import json_format  # noqa: F401 - MessageToDict, used by _dict
    except ImportError as exc:
        raise ImportError(_MISSING.format(error=exc)) from exc
    return postgast


class Statement:
    """One statement: its node type ("SelectStmt", "AlterTableStmt", ...) and its fields."""

    def __init__(self, kind: str, fields: Callable[[], Node]) -> None:
        self.kind = kind
        self._fields = fields

    @functools.cached_property
    def fields(self) -> Node:
        return self._fields()

    def get(self, name: str, default: Any = None) -> Any:
        return self.fields.get(name, default)

    def __repr__(self) -> str:
        return f"Statement({self.kind!r})"


def parse(sql: str) -> tuple[Statement, ...]:
    """The statements of `sql`, as PostgreSQL's grammar reads them (empty ones left out).

    Raises:
        SqlSyntaxError: the grammar rejects `sql`; the message says where.
    """
    return tuple(_raw(sql))


def _raw(sql: str) -> list[Statement]:
    postgast = _binding()
    try:
        tree = postgast.parse(sql)
    except postgast.PgQueryError as exc:
        raise SqlSyntaxError(explain(sql, exc.message, exc.cursorpos)) from exc
    found = []
    for raw in tree.stmts:
        which = raw.stmt.WhichOneof("node")
        if which is not None:
            message = getattr(raw.stmt, which)
            found.append(Statement(message.DESCRIPTOR.name, functools.partial(_dict, message)))
    return found


def _dict(message: Any) -> Node:
    from google.protobuf.json_format import MessageToDict

    return dict(MessageToDict(message))


def explain(sql: str, message: str, cursorpos: int | None) -> str:
    """The parser's message, and the text where it stopped.

    `cursorpos` is PostgreSQL's: the 1-based position of a character (not a byte) of `sql`;
    one past the end (or 0) says nothing more than "at end of input", so it is left out.
    """
    index = (cursorpos or 0) - 1
    if not 0 <= index < len(sql):
        return message
    return f"{message}, at character {index + 1}: {sql[index : index + 30]!r}"


def unwrap(node: Node) -> tuple[str, Node]:
    """A node's type and fields: `{"RangeVar": {...}}` -> ("RangeVar", {...})."""
    ((kind, fields),) = node.items()
    return kind, fields


def strings(items: Iterable[Node]) -> list[str]:
    """The values of a list of String nodes (a qualified name): [{"String": {"sval": ...}}]."""
    return [unwrap(item)[1].get("sval", "") for item in items]


def relations(sql: str) -> set[tuple[str | None, str]]:
    """The relations `sql` names, as (schema, name); schema None when unqualified (a CTE's
    name too: the grammar alone cannot tell it from a table's)."""
    postgast = _binding()
    try:
        tree = postgast.parse(sql)
    except postgast.PgQueryError as exc:
        raise SqlSyntaxError(explain(sql, exc.message, exc.cursorpos)) from exc
    found = postgast.find_nodes(tree, postgast.pg_query_pb2.RangeVar)
    return {(node.schemaname or None, node.relname) for node in found}
