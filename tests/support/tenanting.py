"""The django-tenants project of tests/tenants, run in child processes, and its databases.

The pytest process runs tests.settings; the tenant project needs django-tenants' backend and
router, so it runs in child processes (`python -m django ...` with tests.tenant_settings), as
its users run it: `migrate_schemas`, `create_tenant`, `delete_tenant`, `clone_tenant`,
`tenant_command`. The databases are scratch databases on the test server; the tests read them
on connections of their own.

A database with three tenants is built once per session, through django-tenants' own commands
and API, and used as a template: each test gets a copy (CREATE DATABASE ... TEMPLATE), which
is a file copy, not a rebuild.
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import importlib.util
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.db import connection, connections

from tests.support.subprocesses import database_url, run, scratch_database


def _django_tenants_version() -> tuple[int, ...] | None:
    if importlib.util.find_spec("django_tenants") is None:
        return None
    version = importlib.metadata.version("django-tenants")
    return tuple(int(part) for part in version.split(".")[:2] if part.isdigit())


requires_django_tenants = pytest.mark.skipif(
    (_django_tenants_version() or (0,)) < (4, 0),
    reason="django-tenants 4 is not installed (pip install 'django-tenants~=4.0'): the "
    "schema-per-tenant project of tests/tenants needs it (its output and executors are 4's)",
)

#: The tenants of the template database, in the order migrate_schemas takes them
#: (TENANT_MIGRATION_ORDER, by id): alpha and gamma saved through the ORM, beta by create_tenant.
TENANTS = ("alpha", "gamma", "beta")

#: What the views modules of tests/tenants define, by kind.
SHARED_VIEWS = {"clients_per_plan", "plan_prices"}
TENANT_VIEWS = {
    "product_sales",
    "product_prices",
    "top_product",
    "prices_per_plan",
    "daily_units",
    "plan_names",
}


def manage(url: str, *args: str, variant: str = "hook", **env: str) -> subprocess.CompletedProcess:
    """`python -m django <args>` in the tenant project (TENANTS_VARIANT=variant)."""
    return run(
        ["django", *args],
        url,
        DJANGO_SETTINGS_MODULE="tests.tenant_settings",
        TENANTS_VARIANT=variant,
        **env,
    )


def manage_py(
    url: str, *args: str, variant: str = "hook", **env: str
) -> subprocess.CompletedProcess:
    """tests/tenants/manage.py run as a module: django-tenants' subprocess executor starts
    `manage.py migrate_schemas` for each tenant, and finds manage.py through sys.argv[0]."""
    return run(
        ["tests.tenants.manage", *args],
        url,
        DJANGO_SETTINGS_MODULE="tests.tenant_settings",
        TENANTS_VARIANT=variant,
        **env,
    )


def create_tenant(url: str, schema: str, **env: str) -> subprocess.CompletedProcess:
    """django-tenants' `create_tenant` command, without prompts."""
    return manage(
        url,
        "create_tenant",
        f"--schema_name={schema}",
        f"--name={schema.title()}",
        f"--domain-domain={schema}.example.com",
        "--domain-is_primary=True",
        "--noinput",
        **env,
    )


def clone_tenant(url: str, source: str, schema: str, **env: str) -> subprocess.CompletedProcess:
    """django-tenants' `clone_tenant` command, every answer given (no prompt)."""
    return manage(
        url,
        "clone_tenant",
        f"--clone_from={source}",
        "--clone_tenant_fields=false",
        f"--schema_name={schema}",
        f"--name={schema.title()}",
        f"--domain-domain={schema}.example.com",
        "--domain-is_primary=True",
        **env,
    )


def succeeded(done: subprocess.CompletedProcess) -> subprocess.CompletedProcess:
    assert done.returncode == 0, f"{done.args}\n{done.stdout}\n{done.stderr}"
    return done


def build(url: str) -> None:
    """Public migrated, then three tenants created through django-tenants, then rows.

    ORM_VIEWS_AUTO_SYNC is off while building: the template holds no views, and each test
    decides what runs with the package on.
    """
    off = {"variant": "hook-off"}
    succeeded(manage(url, "migrate_schemas", "--shared", "--noinput", **off))
    succeeded(manage(url, "seed_tenants", "--create", "alpha", "gamma", **off))
    succeeded(create_tenant(url, "beta", **off))
    succeeded(manage(url, "seed_tenants", "--rows", **off))


@dataclass(frozen=True)
class Database:
    """A scratch database of the tenant project, read on a connection of the test's own."""

    name: str

    @property
    def url(self) -> str:
        return database_url(self.name)

    def query(
        self, sql: str, params: list | None = None, as_role: str | None = None
    ) -> list[tuple]:
        """Rows of `sql` (none for a statement), on a connection of its own (as `as_role`)."""
        settings = {**connection.settings_dict, "NAME": self.name}
        if as_role:
            settings.update(USER=as_role, PASSWORD="")
        scratch = type(connections["default"])(settings, "tenants_scratch")
        try:
            with scratch.cursor() as cursor:
                cursor.execute(sql, params)
                return cursor.fetchall() if cursor.description else []
        finally:
            scratch.close()

    def schemas(self) -> set[str]:
        return {name for (name,) in self.query("SELECT nspname FROM pg_namespace")}

    def views(self, schema: str) -> dict[str, int]:
        """{name: oid} of the views and materialised views in `schema`."""
        rows = self.query(
            "SELECT c.relname, c.oid::int FROM pg_class c"
            " JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = %s AND c.relkind IN ('v', 'm')",
            [schema],
        )
        return dict(rows)

    def reads(self, schema: str) -> dict[str, set[str]]:
        """{view: {"schema.relation", ...}}: what each view of `schema` reads, by pg_depend."""
        rows = self.query(
            "SELECT DISTINCT vc.relname, rn.nspname || '.' || rc.relname"
            " FROM pg_depend d"
            " JOIN pg_rewrite r ON d.classid = 'pg_rewrite'::regclass AND d.objid = r.oid"
            " JOIN pg_class vc ON vc.oid = r.ev_class"
            " JOIN pg_namespace vn ON vn.oid = vc.relnamespace"
            " JOIN pg_class rc ON rc.oid = d.refobjid AND rc.oid <> vc.oid"
            " JOIN pg_namespace rn ON rn.oid = rc.relnamespace"
            " WHERE d.refclassid = 'pg_class'::regclass AND vn.nspname = %s",
            [schema],
        )
        found: dict[str, set[str]] = {}
        for view, relation in rows:
            found.setdefault(view, set()).add(relation)
        return found

    def applied(self, schema: str, app: str) -> list[str]:
        """The migrations of `app` recorded in `schema`'s django_migrations, in order."""
        rows = self.query(
            f'SELECT name FROM "{schema}".django_migrations WHERE app = %s ORDER BY name', [app]
        )
        return [name for (name,) in rows]


@contextlib.contextmanager
def copy_of(template: Database, name: str) -> Iterator[Database]:
    """A new database `name` copied from `template`, dropped afterwards."""
    with scratch_database(name, template=template.name):
        yield Database(name)


def assert_shared_views(db) -> None:
    assert set(db.views("views")) == SHARED_VIEWS
    assert db.reads("views") == {
        "clients_per_plan": {"public.customers_client", "public.customers_plan"},
        "plan_prices": {"public.customers_plan"},
    }


def assert_tenant_views(db, tenant: str, rows_of: str | None = None) -> None:
    """`<tenant>_views` holds every tenant view, each reading that tenant's own tables."""
    schema = f"{tenant}_views"
    assert set(db.views(schema)) == TENANT_VIEWS, schema
    assert db.reads(schema) == {
        "product_sales": {f"{tenant}.shop_order", f"{tenant}.shop_product"},
        "product_prices": {f"{tenant}.shop_product"},
        "top_product": {f"{schema}.product_sales"},
        "prices_per_plan": {f"{tenant}.shop_product", "public.customers_plan"},
        "daily_units": {f"{tenant}.shop_order"},
        "plan_names": {"public.customers_plan"},
    }, schema
    owner = rows_of or tenant
    assert db.query(f'SELECT name FROM "{schema}".product_prices ORDER BY id') == [
        (f"{owner}-widget",),
        (f"{owner}-gadget",),
    ]


@contextlib.contextmanager
def migrated(template, suffix: str) -> Iterator[Database]:
    """A copy of the template, then `migrate_schemas`: the views are built."""
    with copy_of(template, database_name(suffix)) as db:
        succeeded(manage(db.url, "migrate_schemas", "--noinput"))
        yield db


@contextlib.contextmanager
def empty_database(name: str) -> Iterator[Database]:
    with scratch_database(name):
        yield Database(name)


def database_name(suffix: str) -> str:
    """A scratch database name derived from the test database's (so never shared)."""
    return f"{connection.settings_dict['NAME']}_{suffix}"[:63]
