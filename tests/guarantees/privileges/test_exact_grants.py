"""The privileges on the managed views and schemas are exactly the declared ones.

A difference in privileges alone (a hand GRANT, a role added to or removed from
ORM_VIEWS_GRANT_SELECT_TO) is put right with GRANT and REVOKE: the views keep their oids.
"""

from __future__ import annotations

import io
import logging
import uuid

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings

from django_orm_views_hook import sync_views
from tests.support.catalog import catalog, view_oids
from tests.support.migrating import ddl_statements, execute, migrate

pytestmark = pytest.mark.django_db(transaction=True)

VIEW = '"views"."customer_cities"'


@pytest.fixture
def roles():
    """Three NOLOGIN roles (unique names: roles are server-wide); the first one is declared."""
    names = [f"orm_grants_{uuid.uuid4().hex[:10]}" for _ in range(3)]
    for name in names:
        execute(f"CREATE ROLE {name} NOLOGIN")
    try:
        with override_settings(ORM_VIEWS_GRANT_SELECT_TO=names[:1]):
            sync_views(using="default")
            yield names
    finally:
        sync_views(using="default")  # the setting back: no roles, nothing granted
        for name in names:
            execute(f"DROP OWNED BY {name}")
            execute(f"DROP ROLE {name}")


def privileges(role: str) -> dict[str, bool]:
    (row,) = catalog(
        "SELECT has_table_privilege(%s, %s, 'SELECT'), has_table_privilege(%s, %s, 'INSERT'),"
        " has_schema_privilege(%s, 'views', 'USAGE'), has_schema_privilege(%s, 'views', 'CREATE')",
        [role, VIEW, role, VIEW, role, role],
    )
    return dict(zip(["select", "insert", "usage", "create"], row, strict=True))


def test_hand_grants_are_revoked_by_the_next_migrate_without_a_rebuild(roles, run_command, caplog):
    declared, hand, _ = roles
    execute(f"GRANT SELECT, INSERT ON {VIEW} TO {hand}")
    execute(f"GRANT SELECT ON {VIEW} TO PUBLIC")
    execute(f"GRANT USAGE, CREATE ON SCHEMA views TO {hand}")
    execute(f"REVOKE SELECT ON {VIEW} FROM {declared}")
    before = view_oids()

    logger = "django_orm_views_hook.executor"
    with caplog.at_level(logging.WARNING, logger=logger), CaptureQueriesContext(connection) as q:
        output = run_command("migrate", verbosity=1)  # nothing pending

    assert view_oids() == before  # put right in place: no view rebuilt
    assert not [sql for sql in ddl_statements(q) if sql.startswith(("DROP", "CREATE"))]
    assert privileges(hand) == {"select": False, "insert": False, "usage": False, "create": False}
    assert privileges(declared) == {"select": True, "insert": False, "usage": True, "create": False}
    assert catalog(f"SELECT has_table_privilege('public', '{VIEW}', 'SELECT')") == [(False,)]
    for privilege in ("SELECT", "INSERT"):
        line = f'revoked {privilege} on view "views"."customer_cities" from role "{hand}"'
        assert line in output.stdout
    assert 'revoked CREATE on schema "views" from role' in output.stdout
    assert 'revoked SELECT on view "views"."customer_cities" from PUBLIC' in output.stdout
    logged = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any(hand in m and "customer_cities" in m and "INSERT" in m for m in logged)

    with CaptureQueriesContext(connection) as queries:
        (again,) = sync_views(using="default")
    assert again.status.value == "up to date"
    assert len(queries.captured_queries) == 1  # nothing to do: the one catalog query


def test_a_role_added_to_or_removed_from_the_setting_changes_grants_only(roles):
    declared, added, _ = roles
    before = view_oids()
    with override_settings(ORM_VIEWS_GRANT_SELECT_TO=[declared, added]):
        (result,) = sync_views(using="default")
        assert result.built == ()
        assert privileges(added)["select"] and privileges(added)["usage"]
        assert not privileges(added)["insert"]
    (result,) = sync_views(using="default")
    assert result.built == ()
    assert not privileges(added)["select"] and not privileges(added)["usage"]
    assert privileges(declared)["select"]
    assert view_oids() == before


def test_check_reports_privilege_drift_by_view_and_role(roles, run_command):
    declared, hand, _ = roles
    assert "up to date" in run_command("sync_views", "--check", "--database", "default").stdout
    execute(f"GRANT SELECT ON {VIEW} TO {hand}")
    execute(f'REVOKE SELECT ON "views"."test_dependentview" FROM {declared}')
    out = io.StringIO()
    with pytest.raises(SystemExit) as exit:
        call_command("sync_views", "--check", "--database", "default", stdout=out)
    assert exit.value.code == 1
    assert privileges(hand)["select"]  # --check changes nothing
    assert out.getvalue().splitlines() == [
        'Views on database "default" differ from the code:',
        f'  view "views"."customer_cities": role "{hand}" holds SELECT, which is not declared',
        f'  view "views"."test_dependentview": role "{declared}" lacks SELECT, which is declared',
    ]


def test_a_one_off_grant_warns_and_lasts_until_the_next_sync(roles, run_command):
    _, _, once = roles
    output = run_command(
        "sync_views", "--database", "default", "--grant-select-permissions-to-user", once
    )
    assert "lasts only until the next sync" in output.stderr
    assert "ORM_VIEWS_GRANT_SELECT_TO" in output.stderr
    assert privileges(once)["select"]
    output = run_command("sync_views", "--database", "default")
    assert f'revoked SELECT on view "views"."customer_cities" from role "{once}"' in output.stdout
    assert not privileges(once)["select"]


def test_a_rebuilt_view_says_which_undeclared_grants_it_lost(roles, run_command):
    """A forced rebuild drops the view: a hand grant on it goes, and is named like a revoke."""
    _, hand, _ = roles
    execute(f"GRANT SELECT ON {VIEW} TO {hand}")
    output = run_command("sync_views", "--database", "default", "--force")
    line = (
        f'revoked SELECT on view "views"."customer_cities" from role "{hand}": not declared; '
        "the view was dropped and built again without it"
    )
    assert line in output.stdout
    assert not privileges(hand)["select"]


@pytest.mark.usefixtures("migrating_project")
def test_a_view_dropped_before_a_migration_statement_says_which_grants_it_lost(roles):
    _, hand, _ = roles
    migrate("migrationapp", "0002")
    execute(f'GRANT SELECT ON "views"."mig_itemamounts" TO {hand}')
    output = migrate("migrationapp", "0003")  # retypes a column the view reads
    line = (
        f'revoked SELECT on view "views"."mig_itemamounts" from role "{hand}": not declared; '
        "the view was dropped and built again without it"
    )
    assert line in output.stdout
