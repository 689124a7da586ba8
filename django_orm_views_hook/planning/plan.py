"""The plan: validated view specs of one database in creation order, as immutable data.

Built from the view classes by `order.build_plan` (each class by `build.build_spec`); read by
everything that decides (the diff, the lock table's arithmetic) and writes SQL (`sql/`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

#: A view or relation by (schema, name): how the package keys what it plans and what it finds.
Key = tuple[str, str]
#: (sql, params) -> the same SQL with the parameters inlined as literals, by the driver.
InlineParams = Callable[[str, Sequence[Any]], str]
#: (model class, Meta.indexes entry) -> its CREATE INDEX statement, as the schema editor writes it.
IndexSql = Callable[[type, Any], str]


@dataclass(frozen=True)
class ViewSpec:
    """Everything needed to create one view, and the class it came from (for messages)."""

    label: str
    schema: str
    name: str
    query: str
    materialized: bool = False
    with_data: bool = True
    pk_field: str | None = None
    hidden: bool = False
    dependencies: tuple[Key, ...] = ()
    #: Columns the view must have after creation (a readable view's model fields); the sync
    #: fails, naming the class, when one is missing.
    required_columns: tuple[str, ...] = ()
    #: The unique index on `pk_field` (materialised only): cut to 63 bytes and never the name
    #: of another relation of the plan.
    unique_index: str | None = None
    #: Documentation for analysts: becomes the view's COMMENT (the class docstring by default).
    comment: str | None = None
    #: (column, text) for COMMENT ON COLUMN: a readable view's field help_text or verbose_name.
    column_comments: tuple[tuple[str, str], ...] = ()
    #: CREATE INDEX statements run after the view is created (a readable materialised view's
    #: Meta.indexes).
    indexes: tuple[str, ...] = ()
    #: The names of those indexes: the sync marks them as its own.
    index_names: tuple[str, ...] = ()
    #: WITH (security_barrier): a reader's functions cannot see the rows the view filters out.
    security_barrier: bool = False
    #: WITH (security_invoker), PostgreSQL 15+: the reader's privileges and row security apply.
    security_invoker: bool = False
    #: The query is a class's `sql`: PostgreSQL's grammar must read it as one query before it
    #: runs (`check_queries`). A queryset's SQL is Django's, compiled: always one SELECT.
    from_sql: bool = False
    #: Materialised only: refreshed once this much time has passed since its last refresh.
    refresh_every: timedelta | None = None

    @property
    def key(self) -> Key:
        return (self.schema, self.name)


@dataclass(frozen=True)
class Plan:
    """The views of one database in creation order (dependencies first), and the grantees."""

    using: str
    views: tuple[ViewSpec, ...]
    roles: tuple[str, ...] = ()
    schemas: tuple[str, ...] = field(default=())
    #: django-tenants: the tenant (its schema) whose copies of the views these are; None for
    #: the views built once. Its views schemas carry a mark of their own (sql.marks).
    tenant: str | None = None
    #: Where the views' unqualified names resolve: the tenant's schema, then the shared one.
    #: Set first in the sync's transaction (and in a dry run's script); empty: the session's.
    search_path: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.schemas:
            ordered = dict.fromkeys(view.schema for view in self.views)
            object.__setattr__(self, "schemas", tuple(ordered))

    def by_label(self, view_label: str) -> ViewSpec:
        return next(view for view in self.views if view.label == view_label)
