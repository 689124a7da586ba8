"""The analyst use case: granted roles read every non-hidden view and nothing else."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connections
from django.test.utils import override_settings

from django_orm_views_hook import sync_views
from tests.integration.migrating import execute, migrate

pytestmark = pytest.mark.django_db(transaction=True)

ROLES = ["orm_analyst", "Analyst Team"]


@pytest.fixture
def roles():
    for role in ROLES:
        execute(f'DROP ROLE IF EXISTS "{role}"')
        execute(f'CREATE ROLE "{role}" NOLOGIN')
    try:
        with override_settings(ORM_VIEWS_GRANT_SELECT_TO=ROLES):
            yield
    finally:
        sync_views(using="default")  # revokes, with the setting back to no roles
        for role in ROLES:
            execute(f'DROP OWNED BY "{role}"')
            execute(f'DROP ROLE "{role}"')


def as_role(role: str, sql: str) -> str:
    """Run `sql` as `role` on a separate connection: "ok" or the database's error."""
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute(f'SET ROLE "{role}"')
            cursor.execute(sql)
        return "ok"
    except DatabaseError as exc:
        return str(exc).splitlines()[0]
    finally:
        other.close()


def assert_reads_views_only(role: str) -> None:
    assert as_role(role, 'SELECT * FROM "views"."customer_cities"') == "ok"
    assert as_role(role, 'SELECT * FROM "views"."test_dependentview"') == "ok"
    assert as_role(role, 'SELECT * FROM "views"."test_simplematerializedview"') == "ok"
    assert "permission denied" in as_role(role, 'SELECT * FROM "views"."test_hiddenview"')
    assert "permission denied" in as_role(role, "SELECT * FROM testapp_customer")
    assert "permission denied" in as_role(role, 'CREATE VIEW "views"."mine" AS SELECT 1 AS one')


@pytest.mark.parametrize("role", ROLES)
def test_granted_roles_read_views_and_nothing_else(roles, role):
    sync_views(using="default")
    assert_reads_views_only(role)


def test_grants_survive_every_rebuild_path(roles, migrating_project):
    sync_views(using="default", force=True)
    assert_reads_views_only("orm_analyst")
    migrate("migrationapp", "0003", views="postgres_views")  # pending migrations: rebuilt
    assert_reads_views_only("orm_analyst")
    migrate("migrationapp", "0003", views="postgres_views")  # nothing pending: untouched
    assert_reads_views_only("orm_analyst")


def test_a_role_removed_from_the_setting_loses_its_grants(roles):
    sync_views(using="default")
    assert as_role("orm_analyst", 'SELECT * FROM "views"."customer_cities"') == "ok"
    with override_settings(ORM_VIEWS_GRANT_SELECT_TO=["Analyst Team"]):
        sync_views(using="default")
        assert as_role("Analyst Team", 'SELECT * FROM "views"."customer_cities"') == "ok"
    assert "permission denied" in as_role("orm_analyst", 'SELECT * FROM "views"."customer_cities"')
    assert (
        as_role("orm_analyst", "SELECT has_schema_privilege('views', 'USAGE') OR 1/0 = 1") != "ok"
    )
