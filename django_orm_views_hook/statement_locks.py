"""Which relations a statement locks against readers, told by PostgreSQL's grammar (pglast).

A reader takes `ACCESS SHARE` on what it reads, which conflicts with `ACCESS EXCLUSIVE` only.
So the relations that matter are those a statement takes in that mode: most `ALTER TABLE`
forms, `DROP`, `TRUNCATE`, `REINDEX`, `CLUSTER`, `VACUUM FULL`, a plain `REFRESH MATERIALIZED
VIEW`, `LOCK TABLE` in its default mode, renames, rules and policies (PostgreSQL's "Explicit
Locking" chapter, and `AlterTableGetLockLevel` for the `ALTER TABLE` subcommands). An index
taken so blocks its table's readers, who lock every index of the table while planning: it
counts as its table. Weaker forms (`CREATE INDEX`, a foreign key's `SHARE ROW EXCLUSIVE`,
`VALIDATE CONSTRAINT`, `SET STATISTICS`) let readers in. Where the answer cannot be told, the
caller gets None and must assume the worst. Pure: nodes in, data out.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from pglast import ast
from pglast.enums import (
    AlterTableType,
    ConstrType,
    DropBehavior,
    ObjectType,
    ReindexObjectType,
)


@dataclass(frozen=True)
class Target:
    """An object a statement acts on, by name: a relation (or one of its columns or
    constraints), an index, a function (every overload of the name) or a type."""

    schema: str | None  # None: found on the search_path
    relation: str  # the relation's name, or the index's, the function's or the type's
    column: str | None = None
    constraint: str | None = None
    #: Also the tables that inherit from it (and partitions): no ONLY in the statement.
    recurse: bool = True
    kind: str = "relation"  # or "index", "function", "type"


#: LOCK TABLE's default mode, the only one that conflicts with readers (lockdefs.h).
ACCESS_EXCLUSIVE = 8

#: ALTER TABLE subcommands that take less than ACCESS EXCLUSIVE (AlterTableGetLockLevel).
_READERS_LET_IN = {
    AlterTableType.AT_EnableTrig,
    AlterTableType.AT_EnableAlwaysTrig,
    AlterTableType.AT_EnableReplicaTrig,
    AlterTableType.AT_EnableTrigAll,
    AlterTableType.AT_EnableTrigUser,
    AlterTableType.AT_DisableTrig,
    AlterTableType.AT_DisableTrigAll,
    AlterTableType.AT_DisableTrigUser,
    AlterTableType.AT_SetStatistics,
    AlterTableType.AT_ClusterOn,
    AlterTableType.AT_DropCluster,
    AlterTableType.AT_SetOptions,
    AlterTableType.AT_ResetOptions,
    AlterTableType.AT_ValidateConstraint,
    AlterTableType.AT_DetachPartitionFinalize,
}
_REL_OPTIONS = {AlterTableType.AT_SetRelOptions, AlterTableType.AT_ResetRelOptions}
#: Storage parameters set under SHARE UPDATE EXCLUSIVE (reloptions.c); any other takes it all.
_LIGHT_OPTIONS = {
    "fillfactor",
    "parallel_workers",
    "toast_tuple_target",
    "vacuum_index_cleanup",
    "vacuum_truncate",
    "log_autovacuum_min_duration",
}
_PARTITIONS = {AlterTableType.AT_AttachPartition, AlterTableType.AT_DetachPartition}
_RELATIONS = {
    ObjectType.OBJECT_TABLE,
    ObjectType.OBJECT_FOREIGN_TABLE,
    ObjectType.OBJECT_VIEW,
    ObjectType.OBJECT_MATVIEW,
    ObjectType.OBJECT_SEQUENCE,
}
#: Dropped or renamed, these lock the table they belong to (named before them).
_ON_A_TABLE = {ObjectType.OBJECT_TRIGGER, ObjectType.OBJECT_RULE, ObjectType.OBJECT_POLICY}
_ROUTINES = {
    ObjectType.OBJECT_FUNCTION,
    ObjectType.OBJECT_PROCEDURE,
    ObjectType.OBJECT_ROUTINE,
    ObjectType.OBJECT_AGGREGATE,
}
_TYPES = {ObjectType.OBJECT_TYPE, ObjectType.OBJECT_DOMAIN}
_ROUTINES_AND_TYPES = _ROUTINES | _TYPES
#: Dropped (without CASCADE), these lock no relation.
_NO_RELATION = _ROUTINES_AND_TYPES | {
    ObjectType.OBJECT_STATISTIC_EXT,
    ObjectType.OBJECT_PUBLICATION,
    ObjectType.OBJECT_EVENT_TRIGGER,
}
_RELATION_RENAMES = _RELATIONS | {ObjectType.OBJECT_COLUMN, ObjectType.OBJECT_TABCONSTRAINT}
#: Statements that take no lock readers wait for (new objects, data, settings, grants...).
LOCK_NOTHING = (
    ast.SelectStmt,
    ast.InsertStmt,
    ast.UpdateStmt,
    ast.DeleteStmt,
    ast.MergeStmt,
    ast.CopyStmt,
    ast.ExplainStmt,
    ast.PrepareStmt,
    ast.DeallocateStmt,
    ast.DeclareCursorStmt,
    ast.FetchStmt,
    ast.ClosePortalStmt,
    ast.TransactionStmt,
    ast.VariableSetStmt,
    ast.VariableShowStmt,
    ast.ConstraintsSetStmt,
    ast.NotifyStmt,
    ast.ListenStmt,
    ast.UnlistenStmt,
    ast.CheckPointStmt,
    ast.IndexStmt,
    ast.CommentStmt,
    ast.GrantStmt,
    ast.GrantRoleStmt,
    ast.AlterDefaultPrivilegesStmt,
    ast.CreateFunctionStmt,
    ast.CreateExtensionStmt,
    ast.CreateTableAsStmt,
    ast.CreateSeqStmt,
    ast.AlterSeqStmt,
    ast.CreateSchemaStmt,
    ast.AlterOwnerStmt,
    ast.CreateTrigStmt,
    ast.CreateEnumStmt,
    ast.AlterEnumStmt,
    ast.CompositeTypeStmt,
    ast.CreateDomainStmt,
    ast.DefineStmt,
    ast.CreateStatsStmt,
    ast.CreateRoleStmt,
    ast.AlterRoleStmt,
    ast.CreateEventTrigStmt,
    ast.CreatePublicationStmt,
    ast.AlterPublicationStmt,
)


def exclusive(statement: ast.Node) -> list[Target] | None:
    """The relations `statement` takes in ACCESS EXCLUSIVE mode; None when that cannot be told."""
    if isinstance(statement, ast.AlterTableStmt):
        return _altered(statement)
    if isinstance(statement, ast.DropStmt):
        return _dropped(statement)
    if isinstance(statement, ast.RenameStmt):
        return _renamed(statement)
    if isinstance(statement, ast.AlterObjectSchemaStmt):
        moved = statement.objectType in _RELATIONS and statement.relation is not None
        return [_relation(statement.relation)] if moved else []
    if isinstance(statement, ast.TruncateStmt):
        if statement.behavior == DropBehavior.DROP_CASCADE:
            return None  # and the tables that reference them
        return [_relation(r) for r in statement.relations or ()]
    if isinstance(statement, ast.LockStmt):
        taken = statement.mode == ACCESS_EXCLUSIVE
        return [_relation(r) for r in statement.relations or ()] if taken else []
    if isinstance(statement, (ast.ReindexStmt, ast.ClusterStmt, ast.VacuumStmt)):
        return _maintained(statement)
    if isinstance(statement, ast.RefreshMatViewStmt):
        return [] if statement.concurrent else [_relation(statement.relation)]
    if isinstance(statement, ast.ViewStmt):  # OR REPLACE locks the view it replaces
        return [_relation(statement.view)] if statement.replace else []
    if isinstance(statement, ast.CreateStmt):  # PARTITION OF locks the partitioned table
        parents = [replace(_relation(p), recurse=False) for p in statement.inhRelations or ()]
        return parents if statement.partbound is not None else []
    if isinstance(statement, ast.RuleStmt):
        return [_relation(statement.relation)]
    if isinstance(statement, (ast.CreatePolicyStmt, ast.AlterPolicyStmt)):
        return [_relation(statement.table)]
    return [] if isinstance(statement, LOCK_NOTHING) else None


def _relation(relation: ast.RangeVar | None, kind: str = "relation") -> Target:
    if relation is None or relation.relname is None:  # pragma: no cover - the grammar names it
        raise ValueError("a statement without its relation")
    return Target(relation.schemaname, relation.relname, recurse=bool(relation.inh), kind=kind)


def _altered(statement: ast.AlterTableStmt) -> list[Target]:
    kind = "index" if statement.objtype == ObjectType.OBJECT_INDEX else "relation"
    found: list[Target] = []
    for command in statement.cmds or ():
        if command.subtype in _PARTITIONS:
            partition = command.def_
            if not getattr(partition, "concurrent", False):
                found.append(_relation(partition.name))  # the partition itself
            if command.subtype == AlterTableType.AT_AttachPartition or partition.concurrent:
                continue  # the partitioned table: SHARE UPDATE EXCLUSIVE
        elif command.subtype in _READERS_LET_IN or _light(command):
            continue
        found.append(_relation(statement.relation, kind))
    return list(dict.fromkeys(found))


def _light(command: ast.AlterTableCmd) -> bool:
    """A foreign key added, or storage parameters that take SHARE UPDATE EXCLUSIVE only."""
    if command.subtype == AlterTableType.AT_AddConstraint:
        return getattr(command.def_, "contype", None) == ConstrType.CONSTR_FOREIGN
    if command.subtype in _REL_OPTIONS:
        options: Any = command.def_ or ()
        names = [(option.defnamespace, option.defname) for option in options]
        return all(
            namespace == "toast" or name in _LIGHT_OPTIONS or name.startswith("autovacuum_")
            for namespace, name in names
        )
    return False


def _dropped(statement: ast.DropStmt) -> list[Target] | None:
    kind = statement.removeType
    if kind in _ROUTINES_AND_TYPES and statement.behavior == DropBehavior.DROP_CASCADE:
        # What CASCADE removes with them (columns, defaults, triggers, views...) locks its table.
        return [_routine_or_type(kind, name) for name in statement.objects or ()]
    if kind in _NO_RELATION:
        return []
    if kind not in _RELATIONS | _ON_A_TABLE | {ObjectType.OBJECT_INDEX}:
        return None  # a schema, an extension...: what goes with it is not known
    names = [[part.sval for part in name] for name in statement.objects or ()]
    if kind in _RELATIONS:
        return [named(name) for name in names]
    if kind == ObjectType.OBJECT_INDEX:
        return [] if statement.concurrent else [named(name, "index") for name in names]
    return [named(name[:-1]) for name in names]  # a trigger, rule or policy: its table


def _renamed(statement: ast.RenameStmt) -> list[Target]:
    if statement.renameType in _RELATION_RENAMES or statement.renameType in _ON_A_TABLE:
        return [_relation(statement.relation)]
    return []  # an index (SHARE UPDATE EXCLUSIVE), a schema, a function, a type...


def _maintained(
    statement: ast.ReindexStmt | ast.ClusterStmt | ast.VacuumStmt,
) -> list[Target] | None:
    if isinstance(statement, ast.VacuumStmt):
        options = {option.defname for option in statement.options or ()}
        if "full" not in options:
            return []
        relations = [r.relation for r in statement.rels or ()]
        return [_relation(r) for r in relations] if relations else None
    if isinstance(statement, ast.ReindexStmt):
        if any(p.defname == "concurrently" for p in statement.params or ()):
            return []
        if statement.kind == ReindexObjectType.REINDEX_OBJECT_INDEX:
            return [_relation(statement.relation, "index")]
        if statement.kind != ReindexObjectType.REINDEX_OBJECT_TABLE:
            return None  # a schema, the database, the system catalogs
    if statement.relation is None:
        return None  # CLUSTER of every clustered table
    return [_relation(statement.relation)]


def _routine_or_type(kind: ObjectType, name: Any) -> Target:
    if kind in _ROUTINES:  # an ObjectWithArgs
        return named([part.sval for part in name.objname or ()], "function")
    return named([part.sval for part in name.names or ()], "type")  # a TypeName


def named(name: list[str], kind: str = "relation") -> Target:
    """The object a statement names by a (possibly qualified) name."""
    *qualifiers, last = name
    return Target(qualifiers[-1] if qualifiers else None, last, kind=kind)
