"""What a drop of managed views would destroy besides them is refused, naming it, before any DDL.

Objects attached to a view (indexes, triggers, rules, statistics, defaults) go with it in a
DROP; table columns of its row type, functions and policies that use it go with it in a CASCADE.
"""

from __future__ import annotations

import pytest
from django.core.management import CommandError
from django.db import connection
from django.test.utils import override_settings

from django_orm_views_hook import PostgresMaterialisedViewMixin, PostgresViewFromSQL, sync_views
from django_orm_views_hook.definitions.registry import Registry
from django_orm_views_hook.exceptions import UnsafeSchemaError
from tests.support.catalog import catalog, view_oids, views_in_schema
from tests.support.migrating import applied, execute, migrate

pytestmark = pytest.mark.django_db(transaction=True)


class Plain(PostgresViewFromSQL):
    schema = "scratch_views"
    sql = "SELECT 1 AS one, 2 AS two"


class Totals(PostgresMaterialisedViewMixin, PostgresViewFromSQL):
    schema = "scratch_views"
    pk_field = "one"
    sql = "SELECT one, two FROM scratch_views.plain"
    view_dependencies = [Plain]


def totals_without_pk_field() -> type:
    return type(
        "Totals",
        (PostgresMaterialisedViewMixin, PostgresViewFromSQL),
        {"schema": "scratch_views", "sql": Totals.sql, "view_dependencies": [Plain]},
    )


@pytest.fixture
def scratch():
    """Plain and Totals in schema scratch_views; everything the tests make is removed after."""
    registry = Registry([Plain, Totals])
    sync_views(using="default", registry=registry)
    yield registry
    execute(
        "DROP VIEW IF EXISTS public.reads_plain CASCADE;"
        "DROP TABLE IF EXISTS public.keeps_rows, public.guarded;"
        "DROP TYPE IF EXISTS public.wraps_plain;"
        "DROP FUNCTION IF EXISTS public.count_plain(), public.all_plain();"
        "DROP STATISTICS IF EXISTS public.totals_stats;"
        "DROP SCHEMA IF EXISTS scratch_views CASCADE;"
        "DROP FUNCTION IF EXISTS public.ignore_row();"
    )


ATTACHED = [
    ("CREATE INDEX by_hand_idx ON scratch_views.totals (two)", "index scratch_views.by_hand_idx"),
    (
        "CREATE STATISTICS public.totals_stats (ndistinct) ON one, two FROM scratch_views.totals",
        "statistics object totals_stats",
    ),
    (
        "CREATE FUNCTION public.ignore_row() RETURNS trigger LANGUAGE plpgsql"
        " AS 'BEGIN RETURN NULL; END';"
        "CREATE TRIGGER instead INSTEAD OF INSERT ON scratch_views.plain"
        " FOR EACH ROW EXECUTE FUNCTION public.ignore_row()",
        "trigger instead on view scratch_views.plain",
    ),
    (
        "CREATE RULE no_delete AS ON DELETE TO scratch_views.plain DO INSTEAD NOTHING",
        "rule no_delete on view scratch_views.plain",
    ),
    (
        "ALTER VIEW scratch_views.plain ALTER COLUMN two SET DEFAULT 7",
        "default value for column two of view scratch_views.plain",
    ),
]


@pytest.mark.parametrize(("create", "described"), ATTACHED, ids=range(len(ATTACHED)))
def test_objects_attached_to_a_managed_view_are_refused_by_name(scratch, create, described):
    execute(create)
    before = view_oids("scratch_views")
    with pytest.raises(UnsafeSchemaError) as excinfo:
        sync_views(using="default", registry=scratch, force=True)
    assert described in str(excinfo.value)
    assert "did not create" in str(excinfo.value)
    assert view_oids("scratch_views") == before
    # Refused whatever the setting: ORM_VIEWS_ALLOW_CASCADE is about views elsewhere.
    with override_settings(ORM_VIEWS_ALLOW_CASCADE=True), pytest.raises(UnsafeSchemaError):
        sync_views(using="default", registry=scratch, force=True)
    assert view_oids("scratch_views") == before


def lone(sql: str) -> type:
    return type("Lone", (PostgresViewFromSQL,), {"schema": "scratch_views", "sql": sql})


def test_an_attached_object_of_a_view_not_rebuilt_stays_and_does_not_block(scratch):
    sync_views(using="default", registry=Registry([Plain, Totals, lone("SELECT 1 AS x")]))
    execute("CREATE INDEX by_hand_idx ON scratch_views.totals (two)")
    sync_views(using="default", registry=Registry([Plain, Totals, lone("SELECT 2 AS x")]))
    assert catalog("SELECT x FROM scratch_views.lone") == [(2,)]
    assert catalog("SELECT to_regclass('scratch_views.by_hand_idx')::text") == [
        ("scratch_views.by_hand_idx",)
    ]


def test_the_indexes_the_code_declares_are_rebuilt_with_their_view(scratch):
    index = "scratch_views.totals_one_uniq"
    oid = catalog("SELECT %s::regclass::oid", [index])[0][0]
    sync_views(using="default", registry=scratch, force=True)
    assert catalog("SELECT %s::regclass::oid", [index])[0][0] != oid
    # An index the code declares is taken over even without our mark (made by an older
    # version); one we marked is dropped even when the code no longer declares it.
    execute(f"COMMENT ON INDEX {index} IS NULL")
    sync_views(using="default", registry=scratch, force=True)
    sync_views(using="default", registry=Registry([Plain, totals_without_pk_field()]))
    assert catalog("SELECT to_regclass(%s)", [index]) == [(None,)]
    assert views_in_schema("scratch_views") == {"plain": "v", "totals": "m"}


NOT_VIEWS = [
    (
        "CREATE TABLE public.keeps_rows (id int, kept scratch_views.plain);"
        "INSERT INTO public.keeps_rows VALUES (1, ROW(1, 2))",
        "column kept of table keeps_rows",
    ),
    (
        "CREATE TABLE public.keeps_rows (id int, kept scratch_views.totals[])",
        "column kept of table keeps_rows",
    ),
    ("CREATE TYPE public.wraps_plain AS (p scratch_views.plain)", "composite type wraps_plain"),
    (
        "CREATE FUNCTION public.all_plain() RETURNS SETOF scratch_views.plain LANGUAGE sql"
        " AS 'SELECT * FROM scratch_views.plain'",
        "function all_plain()",
    ),
    (
        "CREATE TABLE public.guarded (id int);"
        "CREATE POLICY only_plain ON public.guarded"
        " USING (id IN (SELECT one FROM scratch_views.plain))",
        "policy only_plain on table guarded",
    ),
    (
        # A view elsewhere may go with the CASCADE; a column of its row type may not.
        "CREATE VIEW public.reads_plain AS SELECT one FROM scratch_views.plain;"
        "CREATE TABLE public.keeps_rows (id int, kept public.reads_plain)",
        "column kept of table keeps_rows",
    ),
]


@pytest.mark.parametrize(("create", "described"), NOT_VIEWS, ids=range(len(NOT_VIEWS)))
def test_a_cascade_never_destroys_anything_but_views(scratch, create, described):
    execute(create)
    before = view_oids("scratch_views")
    for allowed in (True, False):
        with (
            override_settings(ORM_VIEWS_ALLOW_CASCADE=allowed),
            pytest.raises(UnsafeSchemaError) as info,
        ):
            sync_views(using="default", registry=scratch, force=True)
        # Without the setting, a view elsewhere reading it is refused first, by its own name.
        elsewhere = not allowed and "VIEW public.reads_plain" in create
        assert ('"public"."reads_plain"' if elsewhere else described) in str(info.value)
        assert view_oids("scratch_views") == before


def test_a_sql_body_function_reading_a_view_is_named_before_any_ddl(scratch):
    if connection.pg_version < 140000:
        pytest.skip("SQL-standard function bodies need PostgreSQL 14")
    execute(
        "CREATE FUNCTION public.count_plain() RETURNS bigint LANGUAGE sql"
        " BEGIN ATOMIC SELECT count(*) FROM scratch_views.plain; END"
    )
    with override_settings(ORM_VIEWS_ALLOW_CASCADE=True), pytest.raises(UnsafeSchemaError) as info:
        sync_views(using="default", registry=scratch, force=True)
    assert "function count_plain()" in str(info.value)
    assert catalog("SELECT public.count_plain()") == [(1,)]


def test_a_column_of_a_views_row_type_keeps_its_data(scratch):
    execute(
        "CREATE TABLE public.keeps_rows (id int, kept scratch_views.plain);"
        "INSERT INTO public.keeps_rows VALUES (1, ROW(1, 2))"
    )
    for allowed in (False, True):
        with override_settings(ORM_VIEWS_ALLOW_CASCADE=allowed), pytest.raises(UnsafeSchemaError):
            sync_views(using="default", registry=scratch, force=True)
    assert catalog("SELECT (kept).two FROM public.keeps_rows") == [(2,)]


@pytest.mark.usefixtures("migrating_project")
def test_migrate_refuses_to_destroy_an_index_made_by_hand_and_applies_nothing():
    migrate("migrationapp", "0002")
    execute('CREATE INDEX snapshot_amount_idx ON "views"."mig_itemsnapshot" (amount)')
    before = view_oids()
    # migrate prints the package's errors as a CommandError, the message alone.
    with pytest.raises(CommandError, match="index views.snapshot_amount_idx") as excinfo:
        migrate("migrationapp", "0003")  # retypes a column the materialised view reads
    assert isinstance(excinfo.value.__cause__, UnsafeSchemaError)
    assert applied("migrationapp") == ["0001_initial", "0002_seed"]
    assert view_oids() == before
    execute('DROP INDEX "views"."snapshot_amount_idx"')


@pytest.mark.usefixtures("migrating_project")
def test_migrate_refuses_an_attached_trigger_before_the_first_statement_of_the_migrations():
    """0003 retypes a column the view reads: the trigger on it is refused before 0003 runs
    anything, not when its statement comes."""
    migrate("migrationapp", "0002")
    execute(
        "CREATE FUNCTION public.orm_views_keep_out() RETURNS trigger LANGUAGE plpgsql "
        "AS $$ BEGIN RETURN NULL; END $$"
    )
    execute(
        'CREATE TRIGGER keep_out INSTEAD OF INSERT ON "views"."mig_itemamounts" '
        "FOR EACH ROW EXECUTE FUNCTION public.orm_views_keep_out()"
    )
    ran = []

    def watch(run, sql, params, many, context):
        ran.append(sql)
        return run(sql, params, many, context)

    try:
        with (
            connection.execute_wrapper(watch),
            pytest.raises(CommandError, match="trigger keep_out on view views.mig_itemamounts"),
        ):
            migrate("migrationapp", "0004")
        assert [sql for sql in ran if sql.lstrip().upper().startswith("ALTER TABLE")] == []
        assert applied("migrationapp") == ["0001_initial", "0002_seed"]
    finally:
        execute('DROP TRIGGER keep_out ON "views"."mig_itemamounts"')
        execute("DROP FUNCTION public.orm_views_keep_out()")
