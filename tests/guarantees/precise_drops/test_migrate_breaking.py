"""`migrate` drops only the views that a statement of the migrations really breaks.

tests/breakapp: 60 views over one table (a third of them through another view), a
materialised view with 2,000 rows, and migrations that break some of them, all of them or none.
"""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings

from django_orm_views_hook.database import dependencies as introspection
from django_orm_views_hook.planning.statement_locks import Target
from tests.breakapp.definitions import readers
from tests.support.catalog import catalog, view_oids, views_in_schema
from tests.support.migrating import MIGRATING_APPS, capture, migrate

pytestmark = pytest.mark.django_db(transaction=True)

_DROP = re.compile(r"DROP (?:MATERIALIZED )?VIEW ([^;]+)")


@pytest.fixture(autouse=True)
def breakapp():
    with override_settings(INSTALLED_APPS=[*MIGRATING_APPS, "tests.breakapp"]):
        try:
            yield
        finally:
            call_command("migrate", "breakapp", "zero", verbosity=0)


def dropped_before(queries: CaptureQueriesContext, statement: str) -> set[str]:
    """The views dropped before the first statement that contains `statement`."""
    sqls = [query["sql"] for query in queries.captured_queries]
    end = next(i for i, sql in enumerate(sqls) if statement in sql)
    return {
        name
        for sql in sqls[:end]
        for names in _DROP.findall(sql)
        for name in re.findall(r'"views"\."(\w+)"', names)
    }


def step(target: str, views: str, before: str = "", before_views: str = ""):
    """Migrate to `before`, then capture the queries and the oids of migrating to `target`."""
    if before:
        migrate("breakapp", before, views=before_views or views)
    oids = view_oids()
    with capture() as queries:
        migrate("breakapp", target, views=views)
    after = view_oids()
    changed = {name for name, oid in oids.items() if after.get(name) != oid}
    return queries, changed, after


def test_adding_altering_and_indexing_drop_no_view_and_a_rename_drops_only_its_readers():
    migrate("breakapp", "0001", views="views_s1")
    assert catalog("SELECT count(*) FROM views.brk_snapshot") == [(2000,)]
    # AddField (with a default: a statement with parameters), AlterField(help_text) and
    # AddIndex drop nothing; RenameField drops the views that read the column (the materialised
    # view and 8 views, with their 4 readers) before the rename, and rebuilds them from the
    # code, which names the column as it is now (views_s2).
    queries, changed, _ = step("0002", views="views_s2")
    renamed = readers("name") | {"brk_snapshot"}
    assert dropped_before(queries, "reading_score_idx") == set()
    assert dropped_before(queries, 'RENAME COLUMN "name" TO "title"') == renamed
    assert changed == renamed
    assert catalog("SELECT count(*) FROM views.brk_snapshot") == [(2000,)]


def test_remove_field_drops_its_readers_and_what_reads_them():
    queries, changed, after = step("0003", "views_s3", before="0002", before_views="views_s2")
    assert dropped_before(queries, 'DROP COLUMN "gone"') == readers("gone")
    assert len(readers("gone")) == 12
    assert changed == readers("gone")  # rebuilt after the migration; the rest kept their oids
    assert "brk_snapshot" in after


def test_an_insert_in_sql_drops_no_view():
    queries, changed, _ = step("0004", "views_s3", before="0003")
    assert changed == set()
    assert not [q for q in queries.captured_queries if _DROP.search(q["sql"])]


def test_a_column_dropped_in_sql_drops_only_its_readers():
    # No CASCADE: PostgreSQL refuses the statement unless its readers are gone first.
    queries, changed, _ = step("0005", "views_s5", before="0004", before_views="views_s3")
    assert dropped_before(queries, "DROP COLUMN raw") == readers("raw")
    assert changed == readers("raw")


def test_a_do_block_drops_every_managed_view():
    queries, changed, after = step("0006", "views_s5", before="0005")
    everything = set(views_in_schema())
    assert dropped_before(queries, "DO $$") == everything
    assert changed == everything == set(after)


def test_a_column_removed_by_run_python_drops_its_readers_first():
    queries, changed, after = step("0007", "views_s7", before="0006", before_views="views_s5")
    assert dropped_before(queries, 'DROP COLUMN "scratch"') == readers("scratch")
    assert changed == readers("scratch")
    assert readers("scratch") <= set(after)  # rebuilt, not lost


def test_a_type_change_drops_the_readers_of_that_column_only():
    queries, changed, _ = step("0008", "views_s7", before="0007")
    assert dropped_before(queries, 'ALTER COLUMN "score" TYPE') == readers("score")
    assert changed == readers("score")


def test_a_deleted_model_drops_the_readers_of_its_tables():
    queries, changed, after = step("0009", "views_s9", before="0008", before_views="views_s7")
    through = dropped_before(queries, 'DROP TABLE "breakapp_label_readings"')
    assert through == {"brk_labellinks"}
    assert dropped_before(queries, 'DROP TABLE "breakapp_label" ') == {
        "brk_labellinks",
        "brk_labeltexts",
    }
    assert changed == {"brk_labellinks", "brk_labeltexts"}
    assert not {"brk_labellinks", "brk_labeltexts"} & set(after)


def test_readers_are_found_through_inheritance_by_constraint_function_and_type():
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE SCHEMA brk_s;"
            " CREATE TABLE brk_s.parent (id int PRIMARY KEY, a int, b int);"
            " CREATE TABLE brk_s.child () INHERITS (brk_s.parent);"
            " CREATE VIEW brk_s.reads_child_a AS SELECT a FROM brk_s.child;"
            " CREATE VIEW brk_s.whole_row AS SELECT p FROM brk_s.parent p;"
            " CREATE VIEW brk_s.by_key AS SELECT id, b FROM brk_s.parent GROUP BY id;"
            " CREATE FUNCTION brk_s.twice(int) RETURNS int LANGUAGE sql AS 'SELECT 2 * $1';"
            " CREATE FUNCTION brk_s.twice(text) RETURNS text LANGUAGE sql AS 'SELECT $1 || $1';"
            " CREATE VIEW brk_s.calls AS SELECT brk_s.twice(1) AS v;"
            " CREATE TYPE brk_s.mood AS ENUM ('ok');"
            " CREATE TABLE brk_s.feeling (m brk_s.mood, n int);"
            " CREATE VIEW brk_s.reads_mood AS SELECT m FROM brk_s.feeling;"
            " CREATE VIEW brk_s.reads_n AS SELECT n FROM brk_s.feeling"
        )
        try:

            def found(*targets: Target) -> set[str]:
                return {name for _, name in introspection.views_broken_by(cursor, targets)}

            assert found(Target("brk_s", "parent", column="a")) == {"reads_child_a"}
            assert found(Target("brk_s", "parent", column="a", recurse=False)) == set()
            assert found(Target("brk_s", "parent", column="b")) == {"by_key"}
            assert found(Target("brk_s", "parent", constraint="parent_pkey")) == {"by_key"}
            assert found(Target("brk_s", "parent")) == {"whole_row", "by_key", "reads_child_a"}
            assert found(Target(None, "parent"), Target("brk_s", "nothing")) == set()
            assert found(Target("brk_s", "twice", kind="function")) == {"calls"}
            # DROP TYPE ... CASCADE drops the columns of that type: their readers go first.
            assert found(Target("brk_s", "mood", kind="type")) == {"reads_mood"}
        finally:
            cursor.execute("DROP SCHEMA brk_s CASCADE")
