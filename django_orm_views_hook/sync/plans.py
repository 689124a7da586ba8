"""The plan of each database: its registered view classes, planned with its SQL dialect.

planning/ is pure: it takes the driver's quoting and the schema editor from the caller. Here
they come from the database's connection (database/dialect.py), which sends nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db import DEFAULT_DB_ALIAS, connections

from .. import conf
from ..database import dialect
from ..definitions.registry import Registry, default_registry
from ..definitions.views import PostgresView
from ..planning import order
from ..planning.order import check_databases
from ..planning.plan import InlineParams, Plan


def is_postgres(using: str) -> bool:
    return connections[using].vendor == "postgresql"


def build_plan(
    classes: Iterable[type[PostgresView]],
    using: str,
    *,
    roles: Sequence[str] = (),
    inline: InlineParams | None = None,
    check_sql: bool = True,
) -> Plan:
    """`planning.order.build_plan` with the dialect of database `using`: its driver inlines
    queryset parameters (unless `inline` is given), its schema editor writes Meta.indexes."""
    connection = connections[using]
    return order.build_plan(
        classes,
        using,
        roles=roles,
        inline=inline or dialect.inline(connection),
        index_sql=dialect.index_sql(connection),
        check_sql=check_sql,
    )


def plan_for(
    using: str = DEFAULT_DB_ALIAS,
    *,
    roles: Sequence[str] | None = None,
    registry: Registry | None = None,
) -> Plan:
    """The validated plan of database `using`, granting SELECT to `roles` (default: setting).

    The SQL views' `sql` is read with PostgreSQL's grammar later, by the sync, for the views
    it builds only (sql_text.check_queries): a re-sync with nothing changed parses nothing.
    """
    registry = registry or default_registry
    roles = conf.grant_select_to() if roles is None else roles
    check_databases(registry.classes, list(connections))
    return build_plan(registry.for_database(using), using, roles=roles, check_sql=False)


def databases(registry: Registry | None = None) -> list[str]:
    """The PostgreSQL aliases a sync covers by default: "default" and any a view names."""
    registry = registry or default_registry
    aliases = {DEFAULT_DB_ALIAS} | registry.databases()
    return [alias for alias in connections if alias in aliases and is_postgres(alias)]
