"""What the sync refuses to drop, and refuses to manage, before any DDL runs."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import override_settings

from django_orm_views_hook import PostgresMaterialisedViewMixin, PostgresViewFromSQL, sync_views
from django_orm_views_hook.definitions.registry import Registry
from django_orm_views_hook.exceptions import (
    GrantError,
    UnsafeSchemaError,
    ViewBuildError,
    ViewDefinitionError,
)
from tests.support.catalog import catalog, schema_exists, view_oids, views_in_schema
from tests.support.migrating import execute

pytestmark = pytest.mark.django_db(transaction=True)


class InPublic(PostgresViewFromSQL):
    schema = "public"
    sql = "SELECT 1 AS one"


class InCatalog(PostgresViewFromSQL):
    schema = "pg_catalog"
    sql = "SELECT 1 AS one"


class Plain(PostgresViewFromSQL):
    schema = "scratch_views"
    sql = "SELECT 1 AS one"


@pytest.fixture
def scratch():
    """Views in schema scratch_views only; the schema is removed afterwards."""
    yield Registry([Plain])
    execute("DROP SCHEMA IF EXISTS scratch_views CASCADE")
    execute("DROP VIEW IF EXISTS public.reads_scratch")


@pytest.mark.parametrize("view", [InPublic, InCatalog])
def test_reserved_schemas_are_refused_before_any_sql(view):
    before = view_oids("public")
    with pytest.raises(ViewDefinitionError, match=view.__qualname__):
        sync_views(using="default", registry=Registry([view]))
    assert view_oids("public") == before


def test_the_users_own_schema_is_refused(scratch):
    user = catalog("SELECT current_user")[0][0]
    with override_settings(ORM_VIEWS_SCHEMA=user), pytest.raises(UnsafeSchemaError, match="own"):
        sync_views(
            using="default",
            registry=Registry(
                [
                    type(
                        "Mine",
                        (PostgresViewFromSQL,),
                        {"sql": "SELECT 1 AS one", "__module__": __name__},
                    )
                ]
            ),
        )
    assert not schema_exists(user)


def test_a_schema_on_the_search_path_is_refused(scratch):
    execute("CREATE SCHEMA scratch_views")
    execute("SET search_path TO public, scratch_views")
    try:
        with pytest.raises(UnsafeSchemaError, match="search_path"):
            sync_views(using="default", registry=scratch)
    finally:
        execute("RESET search_path")
    assert views_in_schema("scratch_views") == {}


@pytest.mark.parametrize(
    ("create", "described"),
    [
        (
            "CREATE TABLE scratch_views.legacy_report (id int)",
            'table "scratch_views"."legacy_report"',
        ),
        ("CREATE SEQUENCE scratch_views.counter", 'sequence "scratch_views"."counter"'),
        ("CREATE VIEW scratch_views.by_hand AS SELECT 2 AS two", 'view "scratch_views"."by_hand"'),
        (
            "CREATE FUNCTION scratch_views.f() RETURNS int LANGUAGE sql AS 'SELECT 1'",
            'function "scratch_views"."f"',
        ),
    ],
)
def test_foreign_objects_in_the_schema_stop_the_sync(scratch, create, described):
    sync_views(using="default", registry=scratch)
    execute(create)
    before = view_oids("scratch_views")
    with pytest.raises(UnsafeSchemaError) as excinfo:
        sync_views(using="default", registry=scratch, force=True)
    assert described in str(excinfo.value)
    assert "did not create" in str(excinfo.value)
    assert view_oids("scratch_views") == before


def test_a_view_of_the_same_name_as_a_defined_one_is_adopted(scratch):
    # A project switching from django-orm-views has such unmarked views: the code defines them.
    execute("CREATE SCHEMA scratch_views")
    execute("CREATE VIEW scratch_views.plain AS SELECT 2 AS one")
    sync_views(using="default", registry=scratch)
    assert catalog("SELECT one FROM scratch_views.plain") == [(1,)]


def test_outside_dependents_stop_the_sync_unless_cascade_is_allowed(scratch):
    sync_views(using="default", registry=scratch)
    execute("CREATE VIEW public.reads_scratch AS SELECT one FROM scratch_views.plain")
    with pytest.raises(UnsafeSchemaError) as excinfo:
        sync_views(using="default", registry=scratch, force=True)
    assert '"public"."reads_scratch"' in str(excinfo.value)
    assert "ORM_VIEWS_ALLOW_CASCADE" in str(excinfo.value)
    assert catalog("SELECT to_regclass('public.reads_scratch')::text") == [("reads_scratch",)]
    with override_settings(ORM_VIEWS_ALLOW_CASCADE=True):
        sync_views(using="default", registry=scratch, force=True)
    assert catalog("SELECT to_regclass('public.reads_scratch')::text") == [(None,)]
    assert views_in_schema("scratch_views") == {"plain": "v"}


def test_unknown_role_fails_before_any_ddl(scratch):
    with pytest.raises(GrantError, match="no_such_analyst"):
        sync_views(
            using="default", registry=scratch, grant_select_permissions_to_user="no_such_analyst"
        )
    assert not schema_exists("scratch_views")


def test_a_schema_no_longer_used_is_dropped_with_its_views(scratch):
    sync_views(using="default", registry=scratch)
    assert schema_exists("scratch_views")
    sync_views(using="default", registry=Registry([]))
    assert not schema_exists("scratch_views")
    assert connection.is_usable()


class BadPk(PostgresMaterialisedViewMixin, PostgresViewFromSQL):
    schema = "scratch_views"
    pk_field = "no_such_column"
    sql = "SELECT 1 AS one"


def test_a_pk_field_that_is_not_a_column_fails_naming_the_class(scratch):
    sync_views(using="default", registry=scratch)
    before = view_oids("scratch_views")
    with pytest.raises(ViewBuildError) as excinfo:
        sync_views(using="default", registry=Registry([Plain, BadPk]))
    assert "BadPk" in str(excinfo.value)
    assert "no_such_column" in str(excinfo.value)
    assert view_oids("scratch_views") == before


def test_role_names_with_quotes_are_refused_before_any_ddl(scratch):
    with pytest.raises(ViewDefinitionError, match="double quote"):
        sync_views(using="default", registry=scratch, grant_select_permissions_to_user='x"; --')
    assert not schema_exists("scratch_views")
