"""sync_views() and `manage.py sync_views` against the real database."""

from __future__ import annotations

import re
import shutil
import subprocess
import uuid

import pytest
from django.db import connection, connections, transaction
from django.db.utils import ProgrammingError
from django.test.utils import CaptureQueriesContext, override_settings

from django_orm_views_hook import PostgresViewFromSQL, sync_views
from django_orm_views_hook.definitions.naming import view_name
from django_orm_views_hook.definitions.registry import Registry, default_registry
from django_orm_views_hook.exceptions import ViewDefinitionError
from django_orm_views_hook.sync.result import SyncStatus
from tests.support.catalog import catalog, schema_exists, view_oids, views_in_schema
from tests.support.subprocesses import database_url, run
from tests.testapp import postgres_views as testapp

pytestmark = pytest.mark.django_db(transaction=True)

DDL = ("CREATE ", "DROP ", "COMMENT ", "GRANT ", "REVOKE ", "ALTER ")


def expected_views(using: str = "default") -> dict[str, str]:
    """{name: relkind} of the views the code defines for `using`."""
    classes = default_registry.for_database(using)
    return {view_name(cls): "m" if cls.materialized else "v" for cls in classes}


def execute(sql: str, using: str = "default") -> None:
    with connections[using].cursor() as cursor:
        cursor.execute(sql)


def current_test_database_url() -> str:
    return database_url(connection.settings_dict["NAME"])


class RemovedLater(PostgresViewFromSQL):
    """Reads a view of the code, so the sync that forgets it must drop it first."""

    view_dependencies = [testapp.DependentView]
    sql = 'SELECT id FROM "views"."test_dependentview"'


class RemovedSchema(PostgresViewFromSQL):
    schema = "views_removed"
    sql = "SELECT 1 AS one"


class EndsWithLineComment(PostgresViewFromSQL):
    sql = "SELECT id FROM testapp_testmodel -- every row"


class TwoStatements(PostgresViewFromSQL):
    sql = "SELECT 1 AS one; SELECT 2 AS two"


def with_code(*extra) -> Registry:
    return Registry([*default_registry.classes, *extra])


@pytest.mark.django_db(transaction=False)
def test_sync_views_takes_keyword_arguments_only():
    with pytest.raises(TypeError):
        sync_views("analyst")  # the original's positional role


def test_creates_every_view_kind_in_dependency_order():
    execute('DROP SCHEMA "views" CASCADE')
    [result] = sync_views(using="default")
    assert result.status is SyncStatus.REBUILT
    assert views_in_schema() == expected_views()
    creates = [s for s in result.statements if s.startswith(("CREATE VIEW", "CREATE MATERIALIZED"))]
    position = {re.search(r'"views"\."([^"]+)"', s).group(1): i for i, s in enumerate(creates)}
    assert len(position) == len(expected_views())
    for view in result.views:
        for _, dependency in view.dependencies:
            assert position[dependency] < position[view.name]
    reads = catalog(
        "SELECT DISTINCT dc.relname FROM pg_depend d JOIN pg_rewrite r ON r.oid = d.objid"
        " JOIN pg_class dc ON dc.oid = r.ev_class WHERE d.refobjid = %s::regclass"
        " AND r.ev_class <> d.refobjid",
        ['"views"."test_dependentview"'],
    )
    assert reads == [("test_secondleveldependentview",)]


@pytest.mark.django_db(transaction=False)
def test_materialised_views_get_their_index_and_with_data():
    index = catalog(
        "SELECT indexdef FROM pg_indexes WHERE schemaname = 'views' AND tablename = %s",
        ["test_simplematerializedview"],
    )
    assert len(index) == 1
    assert index[0][0].startswith("CREATE UNIQUE INDEX") and index[0][0].endswith("(id)")
    populated = dict(
        catalog(
            "SELECT matviewname, ispopulated FROM pg_matviews WHERE schemaname = 'views'"
            " AND matviewname LIKE 'test\\_%%'"
        )
    )
    assert populated == {"test_simplematerializedview": True, "test_emptymaterializedview": False}
    with pytest.raises(Exception, match="has not been populated"), transaction.atomic():
        catalog('SELECT * FROM "views"."test_emptymaterializedview"')


def test_views_removed_from_the_code_are_dropped_and_only_they():
    sync_views(using="default", registry=with_code(RemovedLater, RemovedSchema))
    assert "removedlater" in views_in_schema()
    assert views_in_schema("views_removed") == {"removedschema": "v"}
    before = view_oids()
    [result] = sync_views(using="default")
    assert result.status is SyncStatus.REBUILT
    assert views_in_schema() == expected_views()
    assert not schema_exists("views_removed")
    # What the removed view read is left alone.
    assert view_oids() == {name: oid for name, oid in before.items() if name != "removedlater"}


def test_dependents_are_dropped_first():
    """In the order a reader locks them (DESIGN.md: no deadlock with readers)."""
    [result] = sync_views(using="default", force=True)
    drops = [statement for statement in result.statements if statement.startswith("DROP")]
    dropped = re.findall(r'"views"\."([^"]+)"', " ".join(drops))
    assert set(dropped) == set(expected_views())
    assert dropped.index("test_secondleveldependentview") < dropped.index("test_dependentview")
    assert dropped.index("test_dependentview") < dropped.index("test_simpleviewfromsql")


def test_sql_ending_in_a_line_comment_builds():
    sync_views(using="default", registry=with_code(EndsWithLineComment))
    assert views_in_schema()["endswithlinecomment"] == "v"


def test_sql_with_a_second_statement_fails_naming_the_class():
    before = view_oids()
    with pytest.raises(ViewDefinitionError, match=r"\.TwoStatements: "):
        sync_views(using="default", registry=with_code(TwoStatements))
    assert view_oids() == before


def test_second_run_is_up_to_date_and_changes_nothing(run_command):
    run_command("sync_views", "--database", "default")
    before = view_oids()
    with CaptureQueriesContext(connection) as queries:
        output = run_command("sync_views", "--database", "default")
    assert "already up to date" in output.stdout
    assert view_oids() == before
    assert [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(DDL)] == []


def test_force_rebuilds(run_command):
    run_command("sync_views", "--database", "default")
    before = view_oids()
    output = run_command("sync_views", "--database", "default", "--force")
    assert "Views: rebuilt" in output.stdout
    after = view_oids()
    assert after.keys() == before.keys()
    assert all(after[name] != before[name] for name in before)


def test_check_fails_after_a_view_was_dropped_by_hand(run_command):
    run_command("sync_views", "--database", "default")
    assert "up to date" in run_command("sync_views", "--check", "--database", "default").stdout
    execute('DROP VIEW "views"."customer_cities"')
    with pytest.raises(SystemExit) as excinfo:
        run_command("sync_views", "--check", "--database", "default")
    assert excinfo.value.code == 1
    assert "customer_cities" not in views_in_schema()  # --check changes nothing


def test_check_exit_status_of_a_real_process(run_command):
    run_command("sync_views", "--database", "default")
    args = ["django", "sync_views", "--check", "--database", "default"]
    current = run(args, current_test_database_url())
    assert current.returncode == 0, current.stderr
    execute('DROP VIEW "views"."customer_cities"')
    stale = run(args, current_test_database_url())
    assert stale.returncode == 1, stale.stdout + stale.stderr
    assert 'customer_cities" (tests.testapp.postgres_views.CityCounts): missing' in stale.stdout
    assert "Run sync_views or migrate" in stale.stderr


def dry_run(run_command, *args: str) -> str:
    before = view_oids()
    output = run_command("sync_views", "--database", "default", "--dry-run", *args).stdout
    assert view_oids() == before  # nothing changed
    lines = output.splitlines()
    assert lines[:3] == [
        '-- database "default"',
        "BEGIN;",
        "SET LOCAL standard_conforming_strings = on;",
    ]
    assert lines[-1] == "COMMIT;"
    return output


def assert_current(run_command) -> None:
    assert "up to date" in run_command("sync_views", "--check", "--database", "default").stdout


def test_dry_run_prints_what_is_missing_and_it_runs_in_a_cursor(run_command):
    run_command("sync_views", "--database", "default")
    execute('DROP VIEW "views"."customer_cities"')
    script = dry_run(run_command)
    assert 'CREATE VIEW "views"."customer_cities"' in script
    assert "customer_cities" not in views_in_schema()
    execute(script)
    assert views_in_schema() == expected_views()
    assert_current(run_command)


def run_in_psql(script: str) -> None:
    if shutil.which("psql") is None:
        pytest.skip("psql is not installed")
    result = subprocess.run(
        ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", current_test_database_url()],
        input=script,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("runner", [execute, run_in_psql], ids=["cursor", "psql"])
def test_forced_dry_run_rebuilds_everything_when_run(run_command, runner):
    run_command("sync_views", "--database", "default")
    before = view_oids()
    script = dry_run(run_command, "--force")
    assert "DROP VIEW" in script and "CREATE MATERIALIZED VIEW" in script
    runner(script)
    after = view_oids()
    assert after.keys() == before.keys() == expected_views().keys()
    assert not set(after.values()) & set(before.values())
    # ParametersView's inlined literals (quotes, backslashes, %) ran as printed.
    assert catalog('SELECT count(*) FROM "views"."test_parameters"') == [(0,)]
    assert_current(run_command)


def test_dry_run_when_current_says_nothing_would_run(run_command):
    run_command("sync_views", "--database", "default")
    output = run_command("sync_views", "--database", "default", "--dry-run").stdout
    assert output.splitlines() == [
        '-- database "default"',
        "-- the views are up to date; nothing would run.",
    ]


@pytest.mark.django_db(transaction=True, databases=["default", "other"])
def test_database_other(run_command):
    before = view_oids()
    run_command("sync_views", "--database", "other", "--force")
    assert views_in_schema(using="other") == expected_views("other") == {"otherdatabaseview": "v"}
    assert view_oids() == before
    results = sync_views(force=True)
    assert [result.using for result in results] == ["default", "other"]
    assert views_in_schema() == expected_views()


def test_verbosity(run_command):
    assert run_command("sync_views", "--database", "default", "--force", verbosity=0).stdout == ""
    count = len(expected_views())
    [line] = run_command("sync_views", "--database", "default", "--force").stdout.splitlines()
    assert re.fullmatch(
        rf'Views: rebuilt {count} of {count} views on database "default" in \d+\.\d{{3}}s\.', line
    )
    [line] = run_command("sync_views", "--database", "default").stdout.splitlines()
    assert re.fullmatch(
        rf'Views: {count} views on database "default" already up to date \(\d+\.\d{{3}}s\)\.',
        line,
    )
    lines = run_command("sync_views", "--database", "default", "--force", verbosity=2).stdout
    summary, *per_view = lines.splitlines()
    assert summary.startswith(f"Views: rebuilt {count} of {count} views")
    assert len(per_view) == count
    for name, kind in expected_views().items():
        keyword = "materialized view" if kind == "m" else "view"
        assert sum(f'{keyword} "views"."{name}"' in line for line in per_view) == 1


# --- grants -------------------------------------------------------------------------------


@pytest.fixture
def make_role(transactional_db):
    """CREATE ROLE with a unique name (roles are shared by every database on the server)."""
    created = []

    def make(base: str) -> str:
        name = f"{base}-{uuid.uuid4().hex[:8]}"
        execute(f"CREATE ROLE {connection.ops.quote_name(name)}")
        created.append(name)
        return name

    yield make
    for name in created:
        execute(f"DROP OWNED BY {connection.ops.quote_name(name)}")
        execute(f"DROP ROLE {connection.ops.quote_name(name)}")


def privileges(role: str) -> dict[str, bool]:
    rows = catalog(
        "SELECT c.relname, has_table_privilege(%s, c.oid, 'SELECT') FROM pg_class c"
        " JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE n.nspname = 'views' AND c.relkind IN ('v', 'm')",
        [role],
    )
    return dict(rows)


def assert_granted_except_hidden(role: str) -> None:
    assert catalog("SELECT has_schema_privilege(%s, 'views', 'USAGE')", [role]) == [(True,)]
    hidden = {view_name(cls) for cls in default_registry.for_database("default") if cls.hidden}
    assert "test_hiddenview" in hidden
    assert privileges(role) == {name: name not in hidden for name in expected_views()}


def test_setting_grants_select_on_non_hidden_views(make_role):
    role = make_role("orm_views_reader")
    with override_settings(ORM_VIEWS_GRANT_SELECT_TO=[role]):
        sync_views(using="default")
    assert_granted_except_hidden(role)
    quoted = connection.ops.quote_name(role)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL ROLE {quoted}")
        cursor.execute('SELECT count(*) FROM "views"."customer_cities"')
        with pytest.raises(ProgrammingError, match="permission denied"), transaction.atomic():
            cursor.execute('SELECT * FROM "views"."test_hiddenview"')


def test_command_option_grants_to_a_role_that_needs_quoting(make_role, run_command):
    role = make_role("Orm Views Reader")
    run_command("sync_views", "--database", "default", "--grant-select-permissions-to-user", role)
    assert_granted_except_hidden(role)


def test_keyword_argument_and_setting_grant_together(make_role):
    from_setting, from_argument = make_role("orm_views_a"), make_role("orm_views_b")
    with override_settings(ORM_VIEWS_GRANT_SELECT_TO=[from_setting]):
        sync_views(using="default", grant_select_permissions_to_user=from_argument)
    assert_granted_except_hidden(from_setting)
    assert_granted_except_hidden(from_argument)
    # Without the role, the next sync is a rebuild that leaves the role nothing.
    [result] = sync_views(using="default")
    assert result.status is SyncStatus.REBUILT
    assert not any(privileges(from_argument).values())
    usage = "SELECT has_schema_privilege(%s, 'views', 'USAGE')"
    assert catalog(usage, [from_argument]) == [(False,)]
