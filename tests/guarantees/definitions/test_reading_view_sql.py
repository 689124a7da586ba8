"""A SQL view's `sql` is read with PostgreSQL's grammar before it is built, and only then: a
sync or migrate with nothing changed parses no view SQL; `manage.py check` reads it all."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test.utils import override_settings

from django_orm_views_hook import sync_views
from django_orm_views_hook.definitions.registry import default_registry
from django_orm_views_hook.definitions.views import PostgresViewFromQueryset
from django_orm_views_hook.planning import sql_text
from tests.support.migrating import applied, capture, ddl_statements, migrate

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("migrating_project")]


def views_read(action) -> int:
    """How many SQL texts `action` had PostgreSQL's grammar read (the parse cache emptied)."""
    sql_text.statement_kinds.cache_clear()
    action()
    return sql_text.statement_kinds.cache_info().misses


def sql_views(module: str) -> int:
    with override_settings(ORM_VIEWS_MODULE_NAME=module):
        classes = default_registry.for_database("default")
    return sum(not issubclass(cls, PostgresViewFromQueryset) for cls in classes)


def test_nothing_changed_reads_no_view_sql():
    migrate("migrationapp", "0003", views="views_v1")
    quiet = {"stdout": io.StringIO(), "verbosity": 0}
    with override_settings(ORM_VIEWS_MODULE_NAME="views_v1"):
        assert views_read(lambda: sync_views(using="default")) == 0
        assert views_read(lambda: call_command("sync_views", database="default", **quiet)) == 0
        assert views_read(lambda: call_command("migrate", "migrationapp", "0003", **quiet)) == 0
        assert views_read(lambda: call_command("check", **quiet)) == sql_views("views_v1") > 3


def test_a_changed_view_is_read_before_it_is_built():
    migrate("migrationapp", "0004", views="views_v2")
    with override_settings(ORM_VIEWS_MODULE_NAME="views_v1b"):  # ItemTotals changed
        assert views_read(lambda: sync_views(using="default")) == 1


def test_a_changed_view_that_is_not_one_query_fails_migrate_before_its_migrations():
    migrate("migrationapp", "0002", views="views_v1")
    with capture() as queries, pytest.raises(CommandError) as excinfo:
        migrate("migrationapp", "0003", views="views_two_statements")
    assert str(excinfo.value).startswith(
        "tests.migrationapp.views_two_statements.ItemTotals: `sql` holds 2 statements"
    )
    assert applied("migrationapp") == ["0001_initial", "0002_seed"]
    assert ddl_statements(queries) == []
