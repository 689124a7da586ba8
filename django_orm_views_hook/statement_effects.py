"""What an SQL statement drops that a view can read, told by PostgreSQL's own grammar (pglast).

`migrate` asks this of every statement it is about to run, so that it drops only the views the
statement would break: a dropped or retyped column, a dropped table, constraint, function or
type. Data statements and DDL that leaves columns alone (indexes, comments, grants, renames,
new tables, functions, extensions) break no view. The same reading says which relations the
statement locks out of readers' reach (`statement_locks`), so that the views over them are
locked first, in the readers' order. What cannot be told (a `DO` block, a procedure call, SQL
that does not parse) answers `unknown`: every managed view must go. Pure: text in, data out.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from pglast import ast
from pglast.enums import AlterTableType, ObjectType

from . import sql_text, statement_locks
from .exceptions import SqlSyntaxError
from .statement_locks import Target as Target

_SAFE_STATEMENTS = (
    *statement_locks.LOCK_NOTHING,  # CREATE FUNCTION's OR REPLACE cannot change what it returns
    ast.TruncateStmt,
    ast.LockStmt,
    ast.VacuumStmt,
    ast.ClusterStmt,
    ast.ReindexStmt,
    ast.CreateStmt,
    ast.ViewStmt,  # OR REPLACE can only add columns
    ast.RefreshMatViewStmt,
    ast.RenameStmt,  # views follow what they read by oid
    ast.AlterObjectSchemaStmt,
    ast.CreatePolicyStmt,
    ast.AlterPolicyStmt,
)
_RELATIONS = {
    ObjectType.OBJECT_TABLE,
    ObjectType.OBJECT_FOREIGN_TABLE,
    ObjectType.OBJECT_VIEW,
    ObjectType.OBJECT_MATVIEW,
    ObjectType.OBJECT_SEQUENCE,
}
_ROUTINES = {
    ObjectType.OBJECT_FUNCTION,
    ObjectType.OBJECT_PROCEDURE,
    ObjectType.OBJECT_ROUTINE,
    ObjectType.OBJECT_AGGREGATE,
}
_TYPES = {ObjectType.OBJECT_TYPE, ObjectType.OBJECT_DOMAIN}
#: Dropping these breaks no view: a view never depends on them.
_UNREAD = {
    ObjectType.OBJECT_INDEX,
    ObjectType.OBJECT_TRIGGER,
    ObjectType.OBJECT_POLICY,
    ObjectType.OBJECT_STATISTIC_EXT,
    ObjectType.OBJECT_PUBLICATION,
    ObjectType.OBJECT_EVENT_TRIGGER,
}
_COLUMN_CHANGES = {AlterTableType.AT_DropColumn, AlterTableType.AT_AlterColumnType}
_DATA_ONLY = re.compile(r"\s*(?:SELECT|INSERT|UPDATE|DELETE|SAVEPOINT|RELEASE)\b", re.IGNORECASE)
_PLACEHOLDER = re.compile(r"%%|%(?:\([^)]*\))?s")


@dataclass(frozen=True)
class Effects:
    targets: tuple[Target, ...] = ()
    #: The relations it takes in ACCESS EXCLUSIVE mode, which their readers wait for.
    exclusive: tuple[Target, ...] = ()
    #: What the SQL drops or locks cannot be told: every managed view must be dropped first.
    unknown: bool = False

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
        parsed = sql_text.parse(sql)
    except SqlSyntaxError:
        return UNKNOWN
    targets: list[Target] = []
    exclusive: list[Target] = []
    renamed = False
    for statement in parsed:
        found = _targets(statement)
        locked = statement_locks.exclusive(statement)
        if found is None or locked is None or ((found or locked) and renamed):
            return UNKNOWN
        targets += found
        exclusive += locked
        renamed = renamed or _renames(statement)
    return Effects(tuple(dict.fromkeys(targets)), tuple(dict.fromkeys(exclusive)))


def _renames(statement: ast.Node) -> bool:
    """After it, a name in the same text may mean another relation than it does now."""
    if isinstance(statement, ast.VariableSetStmt):
        return statement.name in (None, "search_path")  # RESET ALL has no name
    return isinstance(statement, (ast.RenameStmt, ast.AlterObjectSchemaStmt))


def _targets(statement: ast.Node) -> list[Target] | None:
    """What one statement drops; None when that cannot be told."""
    if isinstance(statement, ast.AlterTableStmt):
        return _altered(statement)
    if isinstance(statement, ast.DropStmt):
        if statement.removeType in _UNREAD:
            return []
        objects = statement.objects or ()
        if statement.removeType in _RELATIONS:
            return [statement_locks.named([part.sval for part in name]) for name in objects]
        if statement.removeType in _ROUTINES:
            return [
                statement_locks.named([p.sval for p in o.objname or ()], "function")
                for o in objects
            ]
        if statement.removeType in _TYPES:
            return [statement_locks.named([p.sval for p in o.names or ()], "type") for o in objects]
        return None  # a schema, an extension, an operator...: their readers are not looked up
    return [] if isinstance(statement, _SAFE_STATEMENTS) else None


def _altered(statement: ast.AlterTableStmt) -> list[Target] | None:
    relation = statement.relation
    if relation is None or relation.relname is None:
        return None
    found = []
    for command in statement.cmds or ():
        if command.subtype in _COLUMN_CHANGES:
            column, constraint = command.name, None
        elif command.subtype == AlterTableType.AT_DropConstraint:
            column, constraint = None, command.name
        else:
            continue
        if statement.objtype == ObjectType.OBJECT_TYPE:
            return None  # a composite type's attribute: its readers are not looked up
        found.append(
            Target(relation.schemaname, relation.relname, column, constraint, bool(relation.inh))
        )
    return found
