"""The database as the planner sees it: what the catalog queries (database/) find, as data.

Plain frozen dataclasses, so that the decisions made on them (the diff, the lock table's
arithmetic, the refusals, the statements of a sync) are pure functions that tests can feed.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..definitions.naming import relation_label
from .plan import Key

RELKIND_NAMES = {
    "r": "table",
    "p": "table",
    "S": "sequence",
    "f": "foreign table",
    "v": "view",
    "m": "materialized view",
    "i": "index",
    "I": "index",
    "c": "type",
    "t": "TOAST table",
}

#: (privilege, grantee) as the catalog has it: ("SELECT", "analyst"); grantee None is PUBLIC.
Privilege = tuple[str, str | None]


@dataclass(frozen=True)
class ViewState:
    """A view as the database has it: kind, recorded digest, untouched by hand, privileges."""

    materialized: bool
    digest: str | None
    intact: bool
    privileges: frozenset[Privilege] = frozenset()


@dataclass(frozen=True)
class Catalog:
    """The managed schemas as they are: one query, no relation locks."""

    schemas: dict[str, bool]  # name -> marked as ours
    privileges: dict[str, frozenset[Privilege]]  # schema -> privileges on it, owner aside
    views: dict[Key, ViewState]
    #: Build areas (`sql.marks.build_schema`) a sync that did not finish left behind.
    abandoned_areas: tuple[str, ...] = ()

    @property
    def marked(self) -> list[str]:
        return [name for name, marked in self.schemas.items() if marked]


@dataclass(frozen=True)
class Relation:
    oid: int
    schema: str
    name: str
    kind: str
    marked: bool

    @property
    def is_view(self) -> bool:
        return self.kind in ("v", "m")

    @property
    def key(self) -> Key:
        return (self.schema, self.name)

    @property
    def description(self) -> str:
        return f"{RELKIND_NAMES.get(self.kind, self.kind)} {relation_label(self.schema, self.name)}"


@dataclass(frozen=True)
class Edge:
    """A view and a relation it reads."""

    view_oid: int
    view_schema: str
    view_name: str
    read_oid: int
    read_schema: str
    read_name: str
    read_kind: str


@dataclass(frozen=True)
class ForeignDependent:
    """Something other than a view that dropping the views of `via` would destroy.

    `index` is the index's name when it is an index on one of them; `marked` when its comment
    says this package created it.
    """

    via: frozenset[Key]  # the managed views whose drop destroys it
    description: str  # PostgreSQL's own, e.g. 'trigger t on view views.v'
    index: str = ""
    marked: bool = False


@dataclass(frozen=True)
class Contents:
    """What the managed schemas hold, with views in drop order (dependents first)."""

    relations: tuple[Relation, ...]
    views_in_drop_order: tuple[Relation, ...]
    outside_dependents: tuple[tuple[str, str, Relation], ...]  # (schema, name, what it reads)
    dependents: dict[Key, frozenset[Key]]  # view -> views reading it
    other_objects: tuple[tuple[str, str, str], ...]  # (schema, kind, name)
    foreign_dependents: tuple[ForeignDependent, ...] = ()  # what else their drops destroy
    read_elsewhere: int = 0  # relations outside the schemas that the views read


@dataclass(frozen=True)
class Session:
    """Who the sync runs as, where unqualified names resolve, which grantees exist."""

    user: str
    search_path: tuple[str, ...]
    existing_roles: frozenset[str]
