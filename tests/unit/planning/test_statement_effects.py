"""What a statement drops that views read, by PostgreSQL's grammar; what cannot be told."""

from __future__ import annotations

import pytest

from django_orm_views_hook.planning.statement_effects import UNKNOWN, of_execution, of_sql
from django_orm_views_hook.planning.statement_locks import Target


@pytest.mark.parametrize(
    "sql",
    [
        "INSERT INTO t (a) VALUES (1)",
        "UPDATE t SET a = 1; DELETE FROM t WHERE a = 2",
        "CREATE INDEX CONCURRENTLY i ON t (a)",
        "COMMENT ON COLUMN t.a IS 'x; DROP TABLE t'",
        "GRANT SELECT ON t TO reader",
        "CREATE EXTENSION IF NOT EXISTS pg_trgm",
        "CREATE OR REPLACE FUNCTION f() RETURNS int AS $$ ALTER TABLE t DROP COLUMN a $$ "
        "LANGUAGE sql",
        "ALTER TABLE t RENAME CONSTRAINT c TO d",
        "ALTER INDEX i RENAME TO j",
        "ALTER TABLE t ADD COLUMN b int, ALTER COLUMN a SET DEFAULT 0, ALTER COLUMN a SET NOT NULL",
        "ALTER TABLE t ADD CONSTRAINT c CHECK (a > 0)",
        "DROP INDEX i",
        "CREATE TABLE u (id int)",
        "SET CONSTRAINTS ALL IMMEDIATE; SET CONSTRAINTS ALL DEFERRED",
        "SET LOCAL lock_timeout = '1s'; DROP INDEX i",
    ],
)
def test_statements_that_break_no_view(sql):
    effects = of_sql(sql)
    assert not effects.breaks_views


def test_dropped_and_retyped_columns_and_dropped_tables_are_named():
    effects = of_sql(
        "ALTER TABLE ONLY s.t DROP COLUMN a CASCADE, ALTER COLUMN b TYPE bigint;"
        " DROP TABLE u, s.v; ALTER TABLE t DROP CONSTRAINT t_pkey"
    )
    assert effects.targets == (
        Target("s", "t", column="a", recurse=False),
        Target("s", "t", column="b", recurse=False),
        Target(None, "u"),
        Target("s", "v"),
        Target(None, "t", constraint="t_pkey"),
    )
    assert not effects.unknown
    assert of_sql("SET lock_timeout = '1s'; DROP TABLE t").targets == (Target(None, "t"),)


def test_renamed_and_moved_columns_tables_functions_and_types_are_named():
    # The views that read them keep working in the database, but not from their SQL in the code.
    named = {
        "ALTER TABLE ONLY s.t RENAME COLUMN a TO b": Target("s", "t", column="a", recurse=False),
        "ALTER TABLE t RENAME a TO b": Target(None, "t", column="a"),
        # The tables that inherit from it keep their names.
        "ALTER TABLE u RENAME TO w": Target(None, "u", recurse=False),
        "ALTER MATERIALIZED VIEW s.m SET SCHEMA archive": Target("s", "m", recurse=False),
        "ALTER FUNCTION f(int) RENAME TO g": Target(None, "f", kind="function"),
        "ALTER TYPE s.mood SET SCHEMA archive": Target("s", "mood", kind="type"),
    }
    for sql, target in named.items():
        effects = of_sql(sql)
        assert effects.targets == (target,), sql
        assert effects.renames and not effects.unknown, sql
    # A rename, then the same name: it may mean something else by then.
    assert of_sql("ALTER TABLE t RENAME TO u; DROP TABLE t") == UNKNOWN
    assert not of_sql("ALTER TABLE t DROP COLUMN a").renames


def test_dropped_functions_and_types_are_named():
    effects = of_sql(
        "DROP TRIGGER trg ON t; DROP FUNCTION IF EXISTS s.f(int), g CASCADE;"
        " DROP TYPE mood; DROP DOMAIN s.positive; DROP AGGREGATE agg(int)"
    )
    assert effects.targets == (
        Target("s", "f", kind="function"),
        Target(None, "g", kind="function"),
        Target(None, "mood", kind="type"),
        Target("s", "positive", kind="type"),
        Target(None, "agg", kind="function"),
    )


@pytest.mark.parametrize(
    "sql",
    [
        "DO $$ BEGIN EXECUTE 'ALTER TABLE t DROP COLUMN a'; END $$",
        "CALL migrate_things()",
        "EXECUTE prepared_statement",
        "DROP SCHEMA s CASCADE",
        "DROP EXTENSION pg_trgm",
        "ALTER TABLE t RENAME TO u; ALTER TABLE u DROP COLUMN a",  # u is not u yet
        "ALTER SCHEMA s RENAME TO r",  # what the schema holds is not looked up
        "ALTER TYPE comp RENAME ATTRIBUTE a TO b",
        "SET search_path TO other; DROP TABLE t",
        "RESET ALL; DROP TABLE t",
        "ALTER TABLE t DROP COLUMN",  # does not parse
    ],
)
def test_what_cannot_be_told_is_unknown(sql):
    assert of_sql(sql) == UNKNOWN


def test_placeholders_mean_something_only_with_parameters():
    with_params = 'ALTER TABLE "t" ADD COLUMN "b" integer DEFAULT %s NOT NULL'
    assert not of_execution(with_params, has_params=True).breaks_views
    assert of_execution(with_params, has_params=False) == UNKNOWN  # a literal %s
    percent = "ALTER TABLE t ALTER COLUMN a TYPE text USING a || '%%'"
    assert of_execution(percent, has_params=True).targets == (Target(None, "t", column="a"),)
