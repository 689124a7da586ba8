"""What the grammar says a statement locks out of readers' reach, against what PostgreSQL locks.

Each statement runs in a transaction of its own (rolled back) on tables made for it; the
relations it then holds in ACCESS EXCLUSIVE mode (an index counts as its table, which its readers
lock it for) must be exactly those `statement_locks` names, resolved as the migrate resolves
them. A relation missing from the answer would let a migrate lock a table before the views over
it, the order that deadlocks with their readers.
"""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from django_orm_views_hook.database import locks as readers
from django_orm_views_hook.planning import statement_effects

pytestmark = pytest.mark.django_db(transaction=True)

SETUP = """
CREATE SCHEMA locks_corpus;
SET LOCAL search_path TO locks_corpus;
CREATE TABLE u (id int PRIMARY KEY);
CREATE TABLE t (id int PRIMARY KEY, a int, b text, uid int, CONSTRAINT t_chk CHECK (a > -1));
CREATE INDEX t_a_idx ON t (a);
CREATE TABLE gone (id int);
CREATE TABLE p (k int) PARTITION BY LIST (k);
CREATE TABLE p1 PARTITION OF p FOR VALUES IN (1);
CREATE TABLE loose (k int);
CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';
CREATE TABLE uses_f (id int DEFAULT f());
CREATE FUNCTION trg() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
CREATE TRIGGER t_trg BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION trg();
CREATE POLICY t_pol ON t USING (true);
CREATE VIEW v AS SELECT id, a FROM t;
CREATE MATERIALIZED VIEW mv AS SELECT id FROM t;
"""

STATEMENTS = [
    "ALTER TABLE t ADD COLUMN x int",
    "ALTER TABLE t ADD COLUMN y int REFERENCES u (id) DEFERRABLE INITIALLY DEFERRED",
    "ALTER TABLE t ADD CONSTRAINT t_fk FOREIGN KEY (uid) REFERENCES u (id) DEFERRABLE INITIALLY "
    "DEFERRED",
    "ALTER TABLE t ALTER COLUMN b TYPE varchar(20)",
    "ALTER TABLE t ALTER COLUMN b SET DEFAULT 'x'",
    "ALTER TABLE t ALTER COLUMN a SET NOT NULL",
    "ALTER TABLE t ALTER COLUMN a DROP NOT NULL",
    "ALTER TABLE t DROP COLUMN b",
    "ALTER TABLE t RENAME COLUMN b TO c",
    "ALTER TABLE t RENAME TO t_renamed",
    "ALTER TABLE t ADD CONSTRAINT t_pos CHECK (a > 0) NOT VALID",
    "ALTER TABLE t ADD CONSTRAINT t_a_uniq UNIQUE (a)",
    "ALTER TABLE t DROP CONSTRAINT t_chk",
    "ALTER TABLE t VALIDATE CONSTRAINT t_chk",
    "ALTER TABLE t ALTER COLUMN a SET STATISTICS 200",
    "ALTER TABLE t SET (fillfactor = 70, autovacuum_enabled = false)",
    "ALTER TABLE t SET SCHEMA public",
    "ALTER TABLE t DISABLE TRIGGER t_trg",
    "CREATE INDEX t_b_idx ON t (b)",
    "DROP INDEX t_a_idx",
    "ALTER INDEX t_a_idx RENAME TO t_a_index",
    "DROP TABLE gone",
    "TRUNCATE gone",
    "LOCK TABLE t",
    "LOCK TABLE t IN SHARE MODE",
    "COMMENT ON TABLE t IS 'x'",
    "GRANT SELECT ON t TO PUBLIC",
    "CREATE TRIGGER t_trg2 AFTER INSERT ON t FOR EACH ROW EXECUTE FUNCTION trg()",
    "DROP TRIGGER t_trg ON t",
    "CREATE POLICY t_pol2 ON t USING (false)",
    "ALTER POLICY t_pol ON t USING (false)",
    "DROP POLICY t_pol ON t",
    "REFRESH MATERIALIZED VIEW mv",
    "CREATE OR REPLACE VIEW v AS SELECT id, a, b FROM t",
    "REINDEX TABLE t",
    "REINDEX INDEX t_a_idx",
    "CLUSTER t USING t_a_idx",
    "CREATE TABLE p2 PARTITION OF p FOR VALUES IN (2)",
    "ALTER TABLE p ATTACH PARTITION loose FOR VALUES IN (3)",
    "ALTER TABLE p DETACH PARTITION p1",
    "DROP FUNCTION f() CASCADE",
    "INSERT INTO t (id, a) VALUES (1, 1)",
    "UPDATE t SET a = 2",
]

RELATIONS = (
    "SELECT c.oid, n.nspname, c.relname FROM pg_class c JOIN pg_namespace n "
    "ON n.oid = c.relnamespace WHERE n.nspname = 'locks_corpus' AND c.relkind IN "
    "('r', 'p', 'v', 'm', 'f')"
)
# What this transaction holds exclusively, an index as its table (not one it creates: readers
# do not see it before the commit), among the relations above.
HELD = """
SELECT DISTINCT coalesce(i.indrelid, l.relation)
FROM pg_locks l LEFT JOIN pg_index i ON i.indexrelid = l.relation
WHERE l.pid = pg_backend_pid() AND l.mode = 'AccessExclusiveLock' AND l.locktype = 'relation'
  AND (i.indexrelid IS NULL OR i.indexrelid = ANY(%s))
"""
INDEXES = "SELECT indexrelid FROM pg_index"


@pytest.fixture(scope="module")
def corpus(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(SETUP)
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("DROP SCHEMA locks_corpus CASCADE")


@pytest.mark.usefixtures("corpus")
@pytest.mark.parametrize("sql", STATEMENTS)
def test_the_grammar_names_exactly_the_relations_postgresql_locks_out_of_readers_reach(sql):
    effects = statement_effects.of_sql(sql)
    assert not effects.unknown
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL search_path TO locks_corpus")
        cursor.execute(RELATIONS)
        names = {oid: name for oid, _, name in cursor.fetchall()}
        told = readers.waiting_for(cursor, effects.exclusive, ["locks_corpus"]).locked
        cursor.execute(INDEXES)
        indexes = [oid for (oid,) in cursor.fetchall()]
        cursor.execute(sql)
        cursor.execute(HELD, [indexes])
        held = {names[oid] for (oid,) in cursor.fetchall() if oid in names}
        transaction.set_rollback(True)
    assert {relation.name for relation in told} == held
