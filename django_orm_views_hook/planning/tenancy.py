"""Which views a django-tenants project builds once per tenant, and which once for all.

A view is per tenant when it reads a table of a TENANT_APPS app (every tenant has its own), or a
view that is per tenant; its class can say so outright with `per_tenant`. The rest read shared
tables only and are built once, in the shared schema. Decided on the plan's compiled queries, by
PostgreSQL's grammar (the names a query reads), so that a QuerySet view and a SQL view over the
same tables are placed alike.
"""

from __future__ import annotations

import functools
from collections.abc import Collection

from django.apps import apps

from .. import conf
from ..definitions.naming import label
from ..exceptions import SqlSyntaxError, ViewDefinitionError
from . import grammar
from .plan import Key, Plan


def tenant_tables() -> frozenset[str]:
    """The tables each tenant has in its own schema: those of the TENANT_APPS apps' models
    (their many-to-many tables included)."""
    names = set(conf.tenant_apps())
    return frozenset(
        model._meta.db_table
        for config in apps.get_app_configs()
        if config.name in names or config.label in names
        for model in config.get_models(include_auto_created=True)
    )


@functools.lru_cache(maxsize=16384)
def _unqualified_names(sql: str) -> frozenset[str]:
    return frozenset(name for schema, name in grammar.relations(sql) if schema is None)


def per_tenant(plan: Plan, classes: Collection[type], tables: Collection[str]) -> frozenset[str]:
    """The labels of the views of `plan` (planned for the shared schema) built per tenant.

    `tables` are the tenants' own tables (`tenant_tables`). Raises ViewDefinitionError, naming
    the class, for a placement that cannot work: a shared view over a tenant's tables or views,
    a tenant's view over a shared view, a readable view per tenant.
    """
    by_label = {label(cls): cls for cls in classes}
    tables = frozenset(tables)
    found: set[str] = set()
    keys: dict[Key, str] = {view.key: view.label for view in plan.views}
    for view in plan.views:  # dependencies first
        cls = by_label[view.label]
        try:
            reads = sorted(_unqualified_names(view.query) & tables)
        except SqlSyntaxError as exc:
            raise ViewDefinitionError(f"{view.label}: `sql` is not valid SQL: {exc}.") from exc
        tenant_views = [keys[key] for key in view.dependencies if keys[key] in found]
        declared = getattr(cls, "per_tenant", None)
        if declared is not None and not isinstance(declared, bool):
            raise ViewDefinitionError(
                f"{view.label}: per_tenant must be True, False or None, not {declared!r}."
            )
        what = [f"table {name}" for name in reads] + [f"view {name}" for name in tenant_views]
        if declared is False and what:
            raise ViewDefinitionError(
                f"{view.label}: per_tenant is False, but it reads {', '.join(what)}, which each "
                "tenant has its own of; a view built once cannot read them. Remove per_tenant."
            )
        if not (declared or what):
            continue
        shared = [keys[key] for key in view.dependencies if keys[key] not in found]
        if shared:
            raise ViewDefinitionError(
                f"{view.label}: it is built per tenant, but it reads {', '.join(shared)}, which "
                "is built once, in the shared schema; a tenant's view reads views of its own "
                "tenant. Set per_tenant = True on those too."
            )
        if getattr(cls, "_meta", None) is not None:
            raise ViewDefinitionError(
                f"{view.label}: a readable view is a model of one table, so it is built once, "
                f"in the shared schema; it cannot read {', '.join(what) or 'per tenant'}. Use a "
                "PostgresViewFromQueryset or PostgresViewFromSQL for a view per tenant."
            )
        found.add(view.label)
    return frozenset(found)
