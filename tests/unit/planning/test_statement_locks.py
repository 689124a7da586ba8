"""Which relations a statement takes in ACCESS EXCLUSIVE mode, by PostgreSQL's grammar.

tests/guarantees/locks_and_readers/test_statement_locks.py checks the answers against the locks
PostgreSQL takes; these are the shapes whose answer is "cannot be told", and the names as written.
"""

from __future__ import annotations

import pytest

from django_orm_views_hook.planning.statement_effects import of_sql
from django_orm_views_hook.planning.statement_locks import Target


@pytest.mark.parametrize(
    "sql",
    [
        "TRUNCATE t CASCADE",  # and every table referencing it
        "DROP SCHEMA s CASCADE",
        "DROP EXTENSION e",
        "DO $$ BEGIN EXECUTE 'ALTER TABLE t ADD COLUMN x int'; END $$",
        "CALL p()",
        "REINDEX SCHEMA s",
        "CLUSTER",
        "VACUUM FULL",
        "CREATE RULE r AS ON INSERT TO t DO NOTHING",
        "ALTER TABLE t RENAME TO u; ALTER TABLE u ADD COLUMN x int",  # u is not u yet
        "SET search_path TO s; ALTER TABLE t ADD COLUMN x int",
    ],
)
def test_what_cannot_be_told_is_unknown(sql):
    assert of_sql(sql).unknown


def test_names_are_kept_as_written_with_only_and_the_kind():
    effects = of_sql(
        "ALTER TABLE ONLY s.t ADD COLUMN x int; DROP INDEX s.i; DROP TRIGGER g ON s.u;"
        " DROP FUNCTION f() CASCADE; LOCK TABLE v IN SHARE MODE; DROP INDEX CONCURRENTLY j"
    )
    assert effects.exclusive == (
        Target("s", "t", recurse=False),
        Target("s", "i", kind="index"),
        Target("s", "u"),
        Target(None, "f", kind="function"),
    )
    assert effects.locks_out_readers and not effects.unknown


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT 1",
        "CREATE INDEX i ON t (a)",
        "CREATE INDEX CONCURRENTLY i ON t (a)",
        "ALTER TABLE t ADD CONSTRAINT f FOREIGN KEY (a) REFERENCES u (id)",
        "ALTER TABLE t SET (fillfactor = 50, toast.autovacuum_enabled = false)",
        "REFRESH MATERIALIZED VIEW CONCURRENTLY m",
        "REINDEX TABLE CONCURRENTLY t",
        "ALTER TABLE p DETACH PARTITION c CONCURRENTLY",
        "VACUUM t",
        "DROP FUNCTION f()",
    ],
)
def test_statements_that_let_readers_in(sql):
    effects = of_sql(sql)
    assert not effects.locks_out_readers, effects
