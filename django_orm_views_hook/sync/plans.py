"""The plan of each database: its registered view classes, planned with its SQL dialect.

planning/ is pure: it takes the driver's quoting and the schema editor from the caller. Here
they come from the database's connection (database/dialect.py), which sends nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace

from django.db import DEFAULT_DB_ALIAS, connections

from .. import conf
from ..database import dialect, tenants
from ..definitions.naming import label, per_tenant_names
from ..definitions.registry import Registry, default_registry
from ..definitions.views import PostgresView
from ..planning import order, tenancy
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
    classes = registry.for_database(using)
    plan = build_plan(classes, using, roles=roles, check_sql=False)
    if not conf.tenants():
        return plan
    return _tenants_share(plan, classes, roles, tenants.current(connections[using]))


def _tenants_share(
    plan: Plan, classes: Sequence[type[PostgresView]], roles: Sequence[str], tenant: str | None
) -> Plan:
    """django-tenants: the views built once (`tenant` None), or `tenant`'s copies of the views
    built per tenant, named for its views schema and granted to its roles too."""
    per_tenant = tenancy.per_tenant(plan, classes, tenancy.tenant_tables())
    if tenant is None:
        shared = tuple(view for view in plan.views if view.label not in per_tenant)
        return Plan(using=plan.using, views=shared, roles=plan.roles)
    mine = [cls for cls in classes if label(cls) in per_tenant]
    with per_tenant_names(tenant, mine):
        roles = (*roles, *conf.tenant_grant_select_to(tenant))
        built = build_plan(mine, plan.using, roles=roles, check_sql=False)
    return replace(built, tenant=tenant, search_path=(tenant, conf.public_schema()))


def databases(registry: Registry | None = None) -> list[str]:
    """The PostgreSQL aliases a sync covers by default: "default" and any a view names."""
    registry = registry or default_registry
    aliases = {DEFAULT_DB_ALIAS} | registry.databases()
    return [alias for alias in connections if alias in aliases and is_postgres(alias)]
