"""Which relations a statement locks against readers, told by PostgreSQL's grammar.

A reader takes `ACCESS SHARE` on what it reads, which conflicts with `ACCESS EXCLUSIVE` only.
So the relations that matter are those a statement takes in that mode: most `ALTER TABLE`
forms, `DROP`, `TRUNCATE`, `REINDEX`, `CLUSTER`, `VACUUM FULL`, a plain `REFRESH MATERIALIZED
VIEW`, `LOCK TABLE` in its default mode, renames, rules and policies (PostgreSQL's "Explicit
Locking" chapter, and `AlterTableGetLockLevel` for the `ALTER TABLE` subcommands). An index
taken so blocks its table's readers, who lock every index of the table while planning: it
counts as its table. Weaker forms (`CREATE INDEX`, a foreign key's `SHARE ROW EXCLUSIVE`,
`VALIDATE CONSTRAINT`, `SET STATISTICS`) let readers in. Where the answer cannot be told, the
caller gets None and must assume the worst. Pure: nodes in (grammar.Statement), data out.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from . import grammar
from .grammar import Node, Statement


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
    "AT_EnableTrig",
    "AT_EnableAlwaysTrig",
    "AT_EnableReplicaTrig",
    "AT_EnableTrigAll",
    "AT_EnableTrigUser",
    "AT_DisableTrig",
    "AT_DisableTrigAll",
    "AT_DisableTrigUser",
    "AT_SetStatistics",
    "AT_ClusterOn",
    "AT_DropCluster",
    "AT_SetOptions",
    "AT_ResetOptions",
    "AT_ValidateConstraint",
    "AT_DetachPartitionFinalize",
}
_REL_OPTIONS = {"AT_SetRelOptions", "AT_ResetRelOptions"}
#: Storage parameters set under SHARE UPDATE EXCLUSIVE (reloptions.c); any other takes it all.
_LIGHT_OPTIONS = {
    "fillfactor",
    "parallel_workers",
    "toast_tuple_target",
    "vacuum_index_cleanup",
    "vacuum_truncate",
    "log_autovacuum_min_duration",
}
_PARTITIONS = {"AT_AttachPartition", "AT_DetachPartition"}
RELATIONS = {
    "OBJECT_TABLE",
    "OBJECT_FOREIGN_TABLE",
    "OBJECT_VIEW",
    "OBJECT_MATVIEW",
    "OBJECT_SEQUENCE",
}
#: Dropped or renamed, these lock the table they belong to (named before them).
_ON_A_TABLE = {"OBJECT_TRIGGER", "OBJECT_RULE", "OBJECT_POLICY"}
ROUTINES = {"OBJECT_FUNCTION", "OBJECT_PROCEDURE", "OBJECT_ROUTINE", "OBJECT_AGGREGATE"}
TYPES = {"OBJECT_TYPE", "OBJECT_DOMAIN"}
_ROUTINES_AND_TYPES = ROUTINES | TYPES
#: Dropped (without CASCADE), these lock no relation.
_NO_RELATION = _ROUTINES_AND_TYPES | {
    "OBJECT_STATISTIC_EXT",
    "OBJECT_PUBLICATION",
    "OBJECT_EVENT_TRIGGER",
}
_RELATION_RENAMES = RELATIONS | {"OBJECT_COLUMN", "OBJECT_TABCONSTRAINT"}
#: Statements that take no lock readers wait for (new objects, data, settings, grants...).
LOCK_NOTHING = frozenset(
    {
        "SelectStmt",
        "InsertStmt",
        "UpdateStmt",
        "DeleteStmt",
        "MergeStmt",
        "CopyStmt",
        "ExplainStmt",
        "PrepareStmt",
        "DeallocateStmt",
        "DeclareCursorStmt",
        "FetchStmt",
        "ClosePortalStmt",
        "TransactionStmt",
        "VariableSetStmt",
        "VariableShowStmt",
        "ConstraintsSetStmt",
        "NotifyStmt",
        "ListenStmt",
        "UnlistenStmt",
        "CheckPointStmt",
        "IndexStmt",
        "CommentStmt",
        "GrantStmt",
        "GrantRoleStmt",
        "AlterDefaultPrivilegesStmt",
        "CreateFunctionStmt",
        "CreateExtensionStmt",
        "CreateTableAsStmt",
        "CreateSeqStmt",
        "AlterSeqStmt",
        "CreateSchemaStmt",
        "AlterOwnerStmt",
        "CreateTrigStmt",
        "CreateEnumStmt",
        "AlterEnumStmt",
        "CompositeTypeStmt",
        "CreateDomainStmt",
        "DefineStmt",
        "CreateStatsStmt",
        "CreateRoleStmt",
        "AlterRoleStmt",
        "CreateEventTrigStmt",
        "CreatePublicationStmt",
        "AlterPublicationStmt",
    }
)


def exclusive(statement: Statement) -> list[Target] | None:
    """The relations `statement` takes in ACCESS EXCLUSIVE mode; None when that cannot be told."""
    kind = statement.kind
    if kind == "AlterTableStmt":
        return _altered(statement)
    if kind == "DropStmt":
        return _dropped(statement)
    if kind == "RenameStmt":
        return _renamed(statement)
    if kind == "AlterObjectSchemaStmt":
        moved = statement.get("objectType") in RELATIONS and statement.get("relation")
        return [_relation(statement.get("relation"))] if moved else []
    if kind == "TruncateStmt":
        if statement.get("behavior") == "DROP_CASCADE":
            return None  # and the tables that reference them
        return [_relation(r) for r in _items(statement.get("relations"))]
    if kind == "LockStmt":
        taken = statement.get("mode") == ACCESS_EXCLUSIVE
        return [_relation(r) for r in _items(statement.get("relations"))] if taken else []
    if kind in ("ReindexStmt", "ClusterStmt", "VacuumStmt"):
        return _maintained(statement)
    if kind == "RefreshMatViewStmt":
        return [] if statement.get("concurrent") else [_relation(statement.get("relation"))]
    if kind == "ViewStmt":  # OR REPLACE locks the view it replaces
        return [_relation(statement.get("view"))] if statement.get("replace") else []
    if kind == "CreateStmt":  # PARTITION OF locks the partitioned table
        parents = [
            replace(_relation(p), recurse=False) for p in _items(statement.get("inhRelations"))
        ]
        return parents if statement.get("partbound") is not None else []
    if kind == "RuleStmt":
        return [_relation(statement.get("relation"))]
    if kind in ("CreatePolicyStmt", "AlterPolicyStmt"):
        return [_relation(statement.get("table"))]
    return [] if kind in LOCK_NOTHING else None


def _items(nodes: Any) -> list[Node]:
    """The fields of each node of a list field: [{"RangeVar": {...}}] -> [{...}]."""
    return [grammar.unwrap(node)[1] for node in nodes or ()]


def _relation(relation: Node | None, kind: str = "relation") -> Target:
    if not relation or not relation.get("relname"):  # pragma: no cover - the grammar names it
        raise ValueError("a statement without its relation")
    return Target(
        relation.get("schemaname"),
        relation["relname"],
        recurse=bool(relation.get("inh")),
        kind=kind,
    )


def _altered(statement: Statement) -> list[Target]:
    kind = "index" if statement.get("objtype") == "OBJECT_INDEX" else "relation"
    found: list[Target] = []
    for command in _items(statement.get("cmds")):
        subtype = command.get("subtype")
        if subtype in _PARTITIONS:
            partition = grammar.unwrap(command["def"])[1]
            if not partition.get("concurrent"):
                found.append(_relation(partition.get("name")))  # the partition itself
            if subtype == "AT_AttachPartition" or partition.get("concurrent"):
                continue  # the partitioned table: SHARE UPDATE EXCLUSIVE
        elif subtype in _READERS_LET_IN or _light(command):
            continue
        found.append(_relation(statement.get("relation"), kind))
    return list(dict.fromkeys(found))


def _light(command: Node) -> bool:
    """A foreign key added, or storage parameters that take SHARE UPDATE EXCLUSIVE only."""
    definition = grammar.unwrap(command["def"]) if command.get("def") else ("", {})
    if command.get("subtype") == "AT_AddConstraint":
        return definition[0] == "Constraint" and definition[1].get("contype") == "CONSTR_FOREIGN"
    if command.get("subtype") in _REL_OPTIONS:
        options = _items(definition[1].get("items"))
        names = [(option.get("defnamespace"), option.get("defname", "")) for option in options]
        return all(
            namespace == "toast" or name in _LIGHT_OPTIONS or name.startswith("autovacuum_")
            for namespace, name in names
        )
    return False


def _dropped(statement: Statement) -> list[Target] | None:
    kind = statement.get("removeType")
    if kind in _ROUTINES_AND_TYPES and statement.get("behavior") == "DROP_CASCADE":
        # What CASCADE removes with them (columns, defaults, triggers, views...) locks its table.
        return [_routine_or_type(kind, name) for name in _items(statement.get("objects"))]
    if kind in _NO_RELATION:
        return []
    if kind not in RELATIONS | _ON_A_TABLE | {"OBJECT_INDEX"}:
        return None  # a schema, an extension...: what goes with it is not known
    names = [grammar.strings(name.get("items", ())) for name in _items(statement.get("objects"))]
    if kind in RELATIONS:
        return [named(name) for name in names]
    if kind == "OBJECT_INDEX":
        return [] if statement.get("concurrent") else [named(name, "index") for name in names]
    return [named(name[:-1]) for name in names]  # a trigger, rule or policy: its table


def _renamed(statement: Statement) -> list[Target]:
    rename_type = statement.get("renameType")
    if rename_type in _RELATION_RENAMES or rename_type in _ON_A_TABLE:
        return [_relation(statement.get("relation"))]
    return []  # an index (SHARE UPDATE EXCLUSIVE), a schema, a function, a type...


def _maintained(statement: Statement) -> list[Target] | None:
    if statement.kind == "VacuumStmt":
        options = {option.get("defname") for option in _items(statement.get("options"))}
        if "full" not in options:
            return []
        relations = [r.get("relation") for r in _items(statement.get("rels"))]
        return [_relation(r) for r in relations] if relations else None
    if statement.kind == "ReindexStmt":
        if any(p.get("defname") == "concurrently" for p in _items(statement.get("params"))):
            return []
        if statement.get("kind") == "REINDEX_OBJECT_INDEX":
            return [_relation(statement.get("relation"), "index")]
        if statement.get("kind") != "REINDEX_OBJECT_TABLE":
            return None  # a schema, the database, the system catalogs
    if not statement.get("relation"):
        return None  # CLUSTER of every clustered table
    return [_relation(statement.get("relation"))]


def _routine_or_type(kind: str, name: Node) -> Target:
    if kind in ROUTINES:  # an ObjectWithArgs
        return named(grammar.strings(name.get("objname", ())), "function")
    return named(grammar.strings(name.get("names", ())), "type")  # a TypeName


def named(name: list[str], kind: str = "relation") -> Target:
    """The object a statement names by a (possibly qualified) name."""
    *qualifiers, last = name
    return Target(qualifiers[-1] if qualifiers else None, last, kind=kind)
