"""The analyst use case: granted roles read every non-hidden view and nothing else."""

from __future__ import annotations

import uuid

import pytest
from django.db import DatabaseError, connections
from django.test.utils import override_settings

from django_orm_views_hook import sync_views
from tests.support.migrating import execute, migrate

pytestmark = pytest.mark.django_db(transaction=True)

# Roles are server-wide and the server may be shared by other runs: names of this run only.
_RUN = uuid.uuid4().hex[:8]
ROLES = [f"orm_analyst_{_RUN}", f"Analyst Team {_RUN}"]
ANALYST = ROLES[0]


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


@pytest.mark.parametrize("role", ROLES, ids=["plain", "quoted"])
def test_granted_roles_read_views_and_nothing_else(roles, role):
    sync_views(using="default")
    assert_reads_views_only(role)


def test_grants_survive_every_rebuild_path(roles, migrating_project):
    sync_views(using="default", force=True)
    assert_reads_views_only(ANALYST)
    migrate("migrationapp", "0003", views="postgres_views")  # pending migrations: rebuilt
    assert_reads_views_only(ANALYST)
    migrate("migrationapp", "0003", views="postgres_views")  # nothing pending: untouched
    assert_reads_views_only(ANALYST)


def test_a_role_removed_from_the_setting_loses_its_grants(roles):
    sync_views(using="default")
    assert as_role(ANALYST, 'SELECT * FROM "views"."customer_cities"') == "ok"
    with override_settings(ORM_VIEWS_GRANT_SELECT_TO=ROLES[1:]):
        sync_views(using="default")
        assert as_role(ROLES[1], 'SELECT * FROM "views"."customer_cities"') == "ok"
    assert "permission denied" in as_role(ANALYST, 'SELECT * FROM "views"."customer_cities"')
    assert as_role(ANALYST, "SELECT has_schema_privilege('views', 'USAGE') OR 1/0 = 1") != "ok"
