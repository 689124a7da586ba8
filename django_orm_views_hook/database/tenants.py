"""django-tenants' side of a connection: which tenant it is set to, and the tenants there are.

django-tenants' backend sets every cursor's search_path to the tenant the connection is set to
(`set_schema`); the package reads that to know whose views to plan, and sets it to build one
tenant's views from another tenant's run. django_tenants itself is imported only here, only in
functions, and only in a project that installs it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.db import connections

from .. import conf
from ..sql import marks


def current(connection: Any) -> str | None:
    """The tenant (its schema) `connection` is set to; None when it is set to the shared
    schema, or in a project without django-tenants."""
    if not conf.tenants():
        return None
    schema = getattr(connection, "schema_name", None)
    return None if schema in (None, conf.public_schema()) else str(schema)


@contextmanager
def set_to(connection: Any, tenant: str | None) -> Iterator[None]:
    """Within the block, `connection` is set to `tenant` (None: the shared schema); then back
    to the tenant it was set to before (the same object: a request's tenant stays its own)."""
    before = getattr(connection, "tenant", None)
    connection.set_schema(tenant or conf.public_schema())
    try:
        yield
    finally:
        if before is None:
            connection.set_schema_to_public()
        else:
            connection.set_tenant(before)


def is_tenant(instance: Any) -> bool:
    """Whether `instance` is a row of the project's tenant model (TENANT_MODEL)."""
    from django_tenants.utils import get_tenant_model

    return isinstance(instance, get_tenant_model())


def all_tenants(using: str) -> list[str]:
    """The schemas of the project's tenants, in TENANT_MIGRATION_ORDER when it is set (as
    `migrate_schemas` takes them), the shared schema's own row left out."""
    from django_tenants.utils import get_tenant_model

    with set_to(connections[using], None):
        found = get_tenant_model().objects.using(using).exclude(schema_name=conf.public_schema())
        order = getattr(settings, "TENANT_MIGRATION_ORDER", None)
        found = found.order_by(*order) if order else found.order_by("pk")
        return list(found.values_list("schema_name", flat=True))


#: The views schemas of every tenant whose schema exists, by their comment (sql.marks).
VIEWS_SCHEMAS_SQL = """
SELECT n.nspname, substr(d.comment, length(%(mark)s) + 1)
FROM pg_namespace n,
     LATERAL (SELECT coalesce(obj_description(n.oid, 'pg_namespace'), '') AS comment) d
WHERE left(d.comment, length(%(mark)s)) = %(mark)s
ORDER BY 1
"""


def views_schemas(cursor: Any, tenant: str | None = None) -> dict[str, str]:
    """{views schema: tenant} of every tenant's views (or of `tenant`'s only)."""
    cursor.execute(VIEWS_SCHEMAS_SQL, {"mark": marks.TENANT_MARK})
    found = dict(cursor.fetchall())
    return {s: t for s, t in found.items() if tenant is None or t == tenant}
