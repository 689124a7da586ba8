"""Many views and the server's lock table: a rebuild fits, or fails before any DDL saying how.

A server of the test's own with a lock table of 420 entries (max_locks_per_transaction = 10,
max_connections = 20), so that a couple of hundred views are "thousands" to it.
"""

from __future__ import annotations

import re

import pytest
from django.db import transaction

from django_orm_views_hook import PostgresMaterialisedViewMixin, PostgresViewFromSQL, sync_views
from django_orm_views_hook.database import batch as script
from django_orm_views_hook.definitions.registry import Registry
from django_orm_views_hook.exceptions import LockCapacityError, ServerError
from django_orm_views_hook.planning import lock_entries as lock_table
from django_orm_views_hook.sql.statement import Statement
from django_orm_views_hook.sync.before_statement import drop_managed_views
from django_orm_views_hook.sync.plans import plan_for
from tests.support.catalog import view_oids
from tests.support.pgcluster import Cluster, database_alias

ALIAS = "tight"
HELD_BY_ME = """
SELECT count(*) FROM (
    SELECT DISTINCT locktype, database, relation, page, tuple, virtualxid, transactionid,
           classid, objid, objsubid
    FROM pg_locks WHERE NOT fastpath AND pid = pg_backend_pid()) AS mine
"""


@pytest.fixture(scope="module")
def tight(django_db_blocker):
    cluster = Cluster("locks", max_locks_per_transaction=10, max_connections=20)
    cluster.initdb().start()
    try:
        with django_db_blocker.unblock(), database_alias(ALIAS, cluster.database_settings()):
            execute("CREATE TABLE facts (id int PRIMARY KEY, amount int)")
            yield cluster
    finally:
        cluster.stop()


@pytest.fixture
def connection(tight, django_db_blocker):
    from django.db import connections

    with django_db_blocker.unblock():
        yield connections[ALIAS]
        # One view a transaction (autocommit): one DROP SCHEMA of 150 views needs 600 entries
        # of a lock table of 420, and gets them only while the server has memory to spare.
        found = execute(
            "SELECT c.relkind, format('%I.%I', n.nspname, c.relname) FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'views' AND c.relkind IN ('v', 'm')"
        )
        for kind, name in found:
            keyword = "MATERIALIZED VIEW" if kind == "m" else "VIEW"
            execute(f"DROP {keyword} IF EXISTS {name} CASCADE")
        execute("DROP SCHEMA IF EXISTS views CASCADE")


def execute(sql: str) -> list[tuple]:
    from django.db import connections

    with connections[ALIAS].cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchall() if cursor.description else []


def registry(count: int, materialized: int = 0, version: int = 0) -> Registry:
    """`count` views over one table, the first `materialized` of them materialised; each
    `version` defines them differently."""
    classes = []
    for i in range(count):
        mat = i < materialized
        bases = (
            (PostgresMaterialisedViewMixin, PostgresViewFromSQL) if mat else (PostgresViewFromSQL,)
        )
        sql = f"SELECT id, amount + {i} AS amount, {version} AS version FROM facts"
        attrs = {"database": ALIAS, "sql": sql}
        if mat:
            attrs["pk_field"] = "id"
        classes.append(type(f"Fact{i}", bases, {"__module__": __name__, **attrs}))
    return Registry(classes)


def test_a_rebuild_that_fits_works_and_takes_no_more_entries_than_estimated(connection):
    views = registry(50, materialized=3)
    sync_views(using=ALIAS, registry=views)
    plan = plan_for(ALIAS, registry=views)
    estimate = lock_table.entries(
        [(v.materialized, 1 if v.pk_field else 0) for v in plan.views], plan.views, 1
    )
    with transaction.atomic(using=ALIAS):
        sync_views(using=ALIAS, registry=views, force=True)
        held = execute(HELD_BY_ME)[0][0]
        transaction.set_rollback(True, using=ALIAS)
    # The estimate covers what PostgreSQL locked, without refusing what would fit by much.
    assert held <= estimate <= held * 1.2


def test_a_rebuild_too_big_for_the_lock_table_fails_before_any_ddl_saying_what_to_set(
    connection, tight
):
    sync_views(using=ALIAS, registry=registry(150))  # creating takes 1 entry a view: it fits
    before = view_oids(using=ALIAS)
    views = registry(150, version=1)  # every definition changed: drop and create, 5 a view
    with pytest.raises(LockCapacityError) as excinfo:
        sync_views(using=ALIAS, registry=views)
    message = str(excinfo.value)
    assert "max_locks_per_transaction = 10" in message
    assert view_oids(using=ALIAS) == before
    # The value it names is enough: with it, the same rebuild works.
    wanted = re.search(r"ALTER SYSTEM SET max_locks_per_transaction = (\d+);", message)
    assert wanted and "restart" in message
    connection.close()
    tight.restart(max_locks_per_transaction=int(wanted.group(1)))
    try:
        sync_views(using=ALIAS, registry=views)
        assert view_oids(using=ALIAS).keys() == before.keys() != view_oids(using=ALIAS)
    finally:
        connection.close()
        tight.restart(max_locks_per_transaction=10)


def test_a_forced_rebuild_too_big_to_drop_and_create_replaces_the_views_in_place(connection):
    views = registry(150)
    sync_views(using=ALIAS, registry=views)
    before = view_oids(using=ALIAS)
    with transaction.atomic(using=ALIAS):
        [result] = sync_views(using=ALIAS, registry=views, force=True)
        held = execute(HELD_BY_ME)[0][0]
    assert sum("CREATE OR REPLACE VIEW" in sql for sql in result.statements) == 150
    assert not any(sql.startswith("DROP") for sql in result.statements)
    assert held <= 150 + lock_table.OVERHEAD_ENTRIES
    assert view_oids(using=ALIAS) == before  # replaced, so the same oids
    # Recorded as built from the code: the next sync has nothing to do.
    [again] = sync_views(using=ALIAS, registry=views)
    assert again.status.value == "up to date"


def test_in_place_leaves_out_materialised_views_and_what_reads_them(connection):
    mat = type(
        "Snapshot",
        (PostgresMaterialisedViewMixin, PostgresViewFromSQL),
        {
            "__module__": __name__,
            "database": ALIAS,
            "pk_field": "id",
            "sql": "SELECT id FROM facts",
        },
    )
    reader = type(
        "ReadsSnapshot",
        (PostgresViewFromSQL,),
        {
            "__module__": __name__,
            "database": ALIAS,
            "view_dependencies": [mat],
            "sql": 'SELECT id FROM "views"."snapshot"',
        },
    )
    views = Registry([*registry(100).classes, mat, reader])
    sync_views(using=ALIAS, registry=views)
    before = view_oids(using=ALIAS)
    sync_views(using=ALIAS, registry=views, force=True)
    after = view_oids(using=ALIAS)
    rebuilt = {name for name in before if after[name] != before[name]}
    assert rebuilt == {"snapshot", "readssnapshot"}


def test_migrate_refuses_to_drop_views_it_could_not_rebuild(connection):
    views = registry(150)
    sync_views(using=ALIAS, registry=views)
    before = view_oids(using=ALIAS)
    with transaction.atomic(using=ALIAS), pytest.raises(LockCapacityError):
        drop_managed_views(plan_for(ALIAS, registry=views), connection)
    assert view_oids(using=ALIAS) == before


def test_out_of_shared_memory_is_no_views_fault_and_keeps_the_hint(connection):
    execute("CREATE SCHEMA views")
    statements = [
        Statement(f"CREATE VIEW views.v{i} AS SELECT {i} AS one", f"tests.Fact{i}")
        for i in range(1500)
    ]
    with (
        transaction.atomic(using=ALIAS),
        connection.cursor() as cursor,
        pytest.raises(ServerError) as excinfo,
    ):
        script.run(cursor, connection, statements)
    message = str(excinfo.value)
    assert "out of shared memory" in message and "53200" in message
    assert "max_locks_per_transaction" in message  # PostgreSQL's hint
    assert "tests.Fact" not in message
    assert view_oids(using=ALIAS) == {}
