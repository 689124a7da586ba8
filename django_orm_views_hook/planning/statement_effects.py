"""What an SQL statement drops that a view can read, told by PostgreSQL's own grammar.

`migrate` asks this of every statement it is about to run, so that it drops only the views the
statement would break: a dropped or retyped column, a dropped table, constraint, function or
type; and a renamed or moved (SET SCHEMA) column, table, function or type. A view survives a
rename in the database (it reads by oid, and shows the new name), but its SQL in the code still
names the old one: dropped before the rename and rebuilt from the code after the migrations,
stale SQL fails in that migrate, naming the view, instead of at some later, unrelated rebuild.
Data statements and DDL that leaves columns alone (indexes, comments, grants, new tables,
functions, extensions, renamed indexes or constraints) break no view. The same reading says
which relations the statement locks out of readers' reach (`statement_locks`), so that the
views over them are locked first, in the readers' order. What cannot be told (a `DO` block, a
procedure call, SQL that does not parse) answers `unknown`: every managed view must go. Pure:
text in, data out.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from ..exceptions import SqlSyntaxError
from . import grammar, statement_locks
from .statement_locks import RELATIONS as _RELATIONS
from .statement_locks import ROUTINES as _ROUTINES
from .statement_locks import TYPES as _TYPES
from .statement_locks import Target

#: Statements that break no view (their node types).
_SAFE_STATEMENTS = statement_locks.LOCK_NOTHING | {
    # (CREATE FUNCTION, among LOCK_NOTHING: OR REPLACE cannot change what it returns.)
    "TruncateStmt",
    "LockStmt",
    "VacuumStmt",
    "ClusterStmt",
    "ReindexStmt",
    "CreateStmt",
    "ViewStmt",  # OR REPLACE can only add columns
    "RefreshMatViewStmt",
    "CreatePolicyStmt",
    "AlterPolicyStmt",
}
#: Dropping these breaks no view: a view never depends on them.
_UNREAD = {
    "OBJECT_INDEX",
    "OBJECT_TRIGGER",
    "OBJECT_POLICY",
    "OBJECT_STATISTIC_EXT",
    "OBJECT_PUBLICATION",
    "OBJECT_EVENT_TRIGGER",
}
_COLUMN_CHANGES = {"AT_DropColumn", "AT_AlterColumnType"}
#: Statements that give something another name or schema.
_MOVES = ("RenameStmt", "AlterObjectSchemaStmt")
_DATA_ONLY = re.compile(r"\s*(?:SELECT|INSERT|UPDATE|DELETE|SAVEPOINT|RELEASE)\b", re.IGNORECASE)
_PLACEHOLDER = re.compile(r"%%|%(?:\([^)]*\))?s")


@dataclass(frozen=True)
class Effects:
    targets: tuple[Target, ...] = ()
    #: The relations it takes in ACCESS EXCLUSIVE mode, which their readers wait for.
    exclusive: tuple[Target, ...] = ()
    #: What the SQL drops or locks cannot be told: every managed view must be dropped first.
    unknown: bool = False
    #: Some of `targets` are renamed or moved, not dropped: what reads them fails to rebuild
    #: only if its SQL in the code still names them as they were.
    renames: bool = False

    @property
    def breaks_views(self) -> bool:
        return self.unknown or bool(self.targets)

    @property
    def locks_out_readers(self) -> bool:
        return self.unknown or bool(self.exclusive)


NOTHING = Effects()
UNKNOWN = Effects(unknown=True)


def of_execution(sql: str, has_params: bool) -> Effects:
    """The effects of `cursor.execute(sql, params)`: placeholders count only with params."""
    if _DATA_ONLY.match(sql) and ";" not in sql:
        return NOTHING  # most statements of a migrate, told without parsing
    if has_params:
        sql = _PLACEHOLDER.sub(lambda m: "%" if m.group() == "%%" else "NULL", sql)
    return of_sql(sql)


@functools.lru_cache(maxsize=512)
def of_sql(sql: str) -> Effects:
    """What the statements of `sql` drop and lock, in the catalog as it is before they run."""
    try:
        parsed = grammar.parse(sql)
    except SqlSyntaxError:
        return UNKNOWN
    targets: list[Target] = []
    exclusive: list[Target] = []
    renamed = renames = False
    for statement in parsed:
        found = _targets(statement)
        locked = statement_locks.exclusive(statement)
        if found is None or locked is None or ((found or locked) and renamed):
            return UNKNOWN
        targets += found
        exclusive += locked
        renamed = renamed or _renames(statement)
        renames = renames or bool(found) and statement.kind in _MOVES
    return Effects(tuple(dict.fromkeys(targets)), tuple(dict.fromkeys(exclusive)), renames=renames)


def _renames(statement: grammar.Statement) -> bool:
    """After it, a name in the same text may mean another relation than it does now."""
    if statement.kind == "VariableSetStmt":
        return statement.get("name") in (None, "search_path")  # RESET ALL has no name
    return statement.kind in _MOVES


def _targets(statement: grammar.Statement) -> list[Target] | None:
    """What one statement drops; None when that cannot be told."""
    if statement.kind == "AlterTableStmt":
        return _altered(statement)
    if statement.kind in _MOVES:
        return _moved(statement)
    if statement.kind == "DropStmt":
        remove_type = statement.get("removeType")
        if remove_type in _UNREAD:
            return []
        objects = [grammar.unwrap(node)[1] for node in statement.get("objects", ())]
        if remove_type in _RELATIONS:
            names = [grammar.strings(name.get("items", ())) for name in objects]
            return [statement_locks.named(name) for name in names]
        if remove_type in _ROUTINES:
            names = [grammar.strings(o.get("objname", ())) for o in objects]
            return [statement_locks.named(name, "function") for name in names]
        if remove_type in _TYPES:
            names = [grammar.strings(o.get("names", ())) for o in objects]
            return [statement_locks.named(name, "type") for name in names]
        return None  # a schema, an extension, an operator...: their readers are not looked up
    return [] if statement.kind in _SAFE_STATEMENTS else None


def _altered(statement: grammar.Statement) -> list[Target] | None:
    relation = statement.get("relation") or {}
    if not relation.get("relname"):
        return None
    found = []
    for node in statement.get("cmds", ()):
        command = grammar.unwrap(node)[1]
        if command.get("subtype") in _COLUMN_CHANGES:
            column, constraint = command.get("name"), None
        elif command.get("subtype") == "AT_DropConstraint":
            column, constraint = None, command.get("name")
        else:
            continue
        if statement.get("objtype") == "OBJECT_TYPE":
            return None  # a composite type's attribute: its readers are not looked up
        found.append(
            Target(
                relation.get("schemaname"),
                relation["relname"],
                column,
                constraint,
                bool(relation.get("inh")),
            )
        )
    return found


def _moved(statement: grammar.Statement) -> list[Target] | None:
    """What a RENAME or SET SCHEMA gives another name that a view's SQL can name."""
    relation = statement.get("relation") or {}
    if statement.kind == "RenameStmt":
        object_type = statement.get("renameType")
        if object_type == "OBJECT_COLUMN" and relation.get("relname"):  # of a table, a view...
            column = statement.get("subname")
            return [_in(relation, column=column, recurse=bool(relation.get("inh")))]
    else:
        object_type = statement.get("objectType")
    if object_type in _RELATIONS and relation.get("relname"):
        return [_in(relation, recurse=False)]
    named = grammar.unwrap(statement.get("object"))[1] if statement.get("object") else {}
    if object_type in _ROUTINES:
        return [statement_locks.named(grammar.strings(named.get("objname", ())), "function")]
    if object_type in _TYPES:
        return [statement_locks.named(grammar.strings(named.get("items", ())), "type")]
    if object_type in ("OBJECT_SCHEMA", "OBJECT_ATTRIBUTE", "OBJECT_COLUMN", *_RELATIONS):
        return None  # what a schema holds, a composite type's attribute: readers not looked up
    return []  # an index, a constraint, a trigger...: a view's SQL does not name them


def _in(relation: grammar.Node, column: str | None = None, *, recurse: bool) -> Target:
    return Target(relation.get("schemaname"), relation["relname"], column, recurse=recurse)
