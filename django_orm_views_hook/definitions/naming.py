"""How the package names things: a view from its class, a class and a relation in messages.

A view's name and schema are read from its class at call time (so `override_settings` of
ORM_VIEWS_SCHEMA works); every message names a view class by `label` and a relation by
`relation_label`, so that the same thing reads the same everywhere.
"""

from __future__ import annotations

import contextvars
import re
from collections.abc import Collection, Iterator
from contextlib import contextmanager

from django.db import DEFAULT_DB_ALIAS

from .. import conf

#: While one tenant's views are planned: that tenant's schema, and the classes built per tenant.
_tenant_scope: contextvars.ContextVar[tuple[str, frozenset[type]] | None] = contextvars.ContextVar(
    "django_orm_views_hook_tenant_scope", default=None
)


@contextmanager
def per_tenant_names(tenant: str, classes: Collection[type]) -> Iterator[None]:
    """Within the block, `classes` live in tenant `tenant`'s views schema (ORM_VIEWS_TENANT_SCHEMA):
    their `name_with_schema`, read by the views that read them, names that tenant's copy."""
    token = _tenant_scope.set((tenant, frozenset(classes)))
    try:
        yield
    finally:
        _tenant_scope.reset(token)


def _declared_str(cls: type, attribute: str) -> str | None:
    # A readable view is a model: a field called `name` or `schema` is not a setting.
    value = getattr(cls, attribute, None)
    return value if isinstance(value, str) else None


def derived_name(cls: type) -> str:
    """The name the original package derives: optional `prefix_` + lower-cased class name."""
    prefix = _declared_str(cls, "prefix")
    base = cls.__name__.lower()
    return f"{prefix}_{base}" if prefix else base


def view_name(cls: type) -> str:
    """The view's name in the database (explicit `name`, or derived)."""
    return _declared_str(cls, "name") or derived_name(cls)


def view_schema(cls: type) -> str:
    """The view's schema: its own `schema`, else `ORM_VIEWS_SCHEMA` read now; a tenant's copy
    of it while that tenant's views are planned (`per_tenant_names`)."""
    schema = _declared_str(cls, "schema") or conf.schema()
    scope = _tenant_scope.get()
    if scope is not None and cls in scope[1]:
        return conf.tenant_views_schema(scope[0], schema)
    return schema


def view_database(cls: type) -> str:
    return _declared_str(cls, "database") or DEFAULT_DB_ALIAS


_PLAIN = re.compile(r"[a-z_][a-z0-9_$]*")


def sql_name(identifier: str) -> str:
    """`identifier` as SQL text: as it is when PostgreSQL reads it unchanged unquoted, else
    double-quoted (identifiers the package accepts never hold a double quote)."""
    return identifier if _PLAIN.fullmatch(identifier) else f'"{identifier}"'


def label(cls: type) -> str:
    """`module.ClassName`, the way every message names a view class."""
    return f"{cls.__module__}.{cls.__qualname__}"


def relation_label(schema: str, name: str) -> str:
    """`"schema"."name"`, the way every message names a relation (identifiers never hold `"`)."""
    return f'"{schema}"."{name}"'
