"""Helpers for tests that drive the real migrations of tests.migrationapp and tests.failapp."""

from __future__ import annotations

import io
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connections
from django.test.utils import CaptureQueriesContext, override_settings

from tests.support.catalog import catalog

MIGRATING_APPS = [*settings.INSTALLED_APPS, "tests.migrationapp"]
#: failapp's second migration always fails, so it is only installed where that is the point.
FAILING_APPS = [*MIGRATING_APPS, "tests.failapp"]


@dataclass
class Output:
    stdout: str
    stderr: str


def migrate(*args: str, views: str = "views_v1", **options) -> Output:
    """`manage.py migrate ARGS` with the views of tests/migrationapp/<views>.py deployed."""
    out, err = io.StringIO(), io.StringIO()
    options.setdefault("verbosity", 1)
    with override_settings(ORM_VIEWS_MODULE_NAME=views):
        call_command("migrate", *args, stdout=out, stderr=err, **options)
    return Output(out.getvalue(), err.getvalue())


def execute(sql: str, params: list | None = None, using: str = "default") -> None:
    with connections[using].cursor() as cursor:
        cursor.execute(sql, params)  # None: no %-placeholder parsing


def applied(app: str, using: str = "default") -> list[str]:
    rows = catalog("SELECT name FROM django_migrations WHERE app = %s ORDER BY id", [app], using)
    return [name for (name,) in rows]


def table_columns(table: str, using: str = "default") -> dict[str, str]:
    rows = catalog(
        "SELECT column_name, data_type FROM information_schema.columns"
        " WHERE table_schema = 'public' AND table_name = %s",
        [table],
        using,
    )
    return dict(rows)


def ddl_statements(queries: CaptureQueriesContext) -> list[str]:
    keywords = ("CREATE ", "DROP ", "ALTER ", "COMMENT ", "GRANT ", "REVOKE ", "LOCK ")
    return [
        q["sql"] for q in queries.captured_queries if q["sql"].lstrip().upper().startswith(keywords)
    ]


def capture(using: str = "default") -> CaptureQueriesContext:
    return CaptureQueriesContext(connections[using])


@pytest.fixture
def migrating_project():
    """INSTALLED_APPS with the migration apps; unapplies their migrations afterwards."""
    with override_settings(INSTALLED_APPS=MIGRATING_APPS):
        try:
            yield
        finally:
            # The default views module of these apps has no views: unapplying leaves the test
            # project's own views rebuilt, and the migration apps' tables gone.
            for alias in ("default", "other"):
                if _has_migrations_table(alias):
                    call_command("migrate", "migrationapp", "zero", database=alias, verbosity=0)


def _has_migrations_table(alias: str) -> bool:
    try:
        return bool(
            catalog("SELECT to_regclass('django_migrations') IS NOT NULL", using=alias)[0][0]
        )
    except Exception:  # the alias's test database was not created for this test
        return False
