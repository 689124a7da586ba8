"""The migrate hook: drop, migrate and rebuild in one transaction (real migration files)."""

from __future__ import annotations

import re

import django
import pytest
from django.core.management import CommandError, call_command
from django.test.utils import override_settings

from tests.support.catalog import catalog, column_types, view_oids, views_in_schema
from tests.support.migrating import (
    FAILING_APPS,
    MIGRATING_APPS,
    applied,
    capture,
    ddl_statements,
    execute,
    migrate,
    table_columns,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("migrating_project")]

MIG_VIEWS = {"mig_itemamounts", "mig_itemtotals", "mig_itemsnapshot"}


def test_migrate_creates_tables_and_views_and_syncs_once():
    with capture() as queries:
        output = migrate("migrationapp", "0003")
    assert applied("migrationapp") == ["0001_initial", "0002_seed", "0003_amount_bigint"]
    assert set(views_in_schema()) >= MIG_VIEWS
    assert "test_simpleviewfromsql" in views_in_schema()
    # One rebuild for the whole run, not one per app: a single script creates every view.
    creates = [q for q in ddl_statements(queries) if "CREATE VIEW" in q]
    assert len(creates) == 1
    assert "Views: rebuilt" in output.stdout
    assert catalog('SELECT total, items FROM "views"."mig_itemtotals"') == [(15, 5)]


def test_type_change_of_a_column_a_view_reads_succeeds():
    migrate("migrationapp", "0002")
    assert column_types("mig_itemamounts")["amount"] == "integer"
    migrate("migrationapp", "0003")
    assert column_types("mig_itemamounts")["amount"] == "bigint"


def test_without_the_hook_postgres_refuses_the_type_change():
    migrate("migrationapp", "0002")
    with override_settings(ORM_VIEWS_AUTO_SYNC=False), pytest.raises(Exception) as excinfo:
        migrate("migrationapp", "0003")
    assert "used by a view" in str(excinfo.value)


def test_dropped_column_view_exists_with_the_new_code():
    migrate("migrationapp", "0003", views="views_v1")
    migrate("migrationapp", "0004", views="views_v2")
    assert "legacy" not in table_columns("migrationapp_item")
    assert set(column_types("mig_itemamounts")) == {"id", "amount", "sku"}
    assert set(views_in_schema()) >= MIG_VIEWS


@pytest.mark.skipif(django.VERSION >= (6, 0), reason="Django 6 drops columns without CASCADE")
def test_without_the_hook_cascade_drops_the_view():
    migrate("migrationapp", "0003", views="views_v1")
    with override_settings(ORM_VIEWS_AUTO_SYNC=False):
        migrate("migrationapp", "0004", views="views_v2")
    assert "mig_itemamounts" not in views_in_schema()
    assert "mig_itemtotals" not in views_in_schema()


@pytest.mark.skipif(django.VERSION < (6, 0), reason="Django < 6 drops columns with CASCADE")
def test_without_the_hook_postgres_refuses_the_column_drop():
    migrate("migrationapp", "0003", views="views_v1")
    with override_settings(ORM_VIEWS_AUTO_SYNC=False), pytest.raises(Exception) as excinfo:
        migrate("migrationapp", "0004", views="views_v2")
    assert "depend" in str(excinfo.value)


def test_failing_migration_rolls_back_the_whole_run():
    migrate("migrationapp", "0002")
    before = view_oids()
    with override_settings(INSTALLED_APPS=FAILING_APPS), pytest.raises(Exception, match="by zero"):
        migrate("failapp")
    assert applied("failapp") == []
    assert catalog("SELECT to_regclass('failapp_thing')::text") == [(None,)]
    assert view_oids() == before


def test_failing_view_names_the_class_and_rolls_back():
    migrate("migrationapp", "0001")
    before = view_oids()
    with pytest.raises(CommandError) as excinfo:
        migrate("migrationapp", "0003", views="views_broken")
    message = str(excinfo.value)
    assert "tests.migrationapp.views_broken.BrokenItems" in message
    assert "no_such_column" in message  # the database's own message, quoted
    assert applied("migrationapp") == ["0001_initial"]
    assert table_columns("migrationapp_item")["amount"] == "integer"
    assert view_oids() == before


def test_data_migration_then_schema_migration_in_one_transaction():
    # 0002 writes rows with (deferred) foreign keys, 0003 alters the same table: without
    # firing the deferred checks between them PostgreSQL says "pending trigger events".
    migrate("migrationapp", "0001")
    migrate("migrationapp", "0003")
    assert applied("migrationapp")[-1] == "0003_amount_bigint"
    assert catalog("SELECT count(*) FROM migrationapp_item") == [(5,)]


def test_non_atomic_migration_warns_and_still_builds_the_views():
    migrate("migrationapp", "0004", views="views_v2")
    output = migrate("migrationapp", "0005", views="views_v2")
    assert "cannot be atomic" in output.stderr
    assert "0005_concurrent_index" in output.stderr
    assert "no view was dropped" in output.stderr  # an index: no view reads what it changes
    assert applied("migrationapp")[-1] == "0005_concurrent_index"
    assert catalog(
        "SELECT indisvalid FROM pg_index WHERE indexrelid = 'item_note_idx'::regclass"
    ) == [(True,)]
    assert set(views_in_schema()) >= MIG_VIEWS


def test_nothing_pending_nothing_changed_no_ddl_and_no_lock():
    migrate("migrationapp", "0003")
    before = view_oids()
    # Another session holds the strongest lock on a view: a migrate that took any lock on
    # the views would wait for it (and fail after ORM_VIEWS_LOCK_TIMEOUT).
    with (
        ConnectionHoldingLock('"views"."mig_itemtotals"'),
        override_settings(ORM_VIEWS_LOCK_TIMEOUT="2s"),
        capture() as queries,
    ):
        output = migrate("migrationapp", "0003")
    assert ddl_statements(queries) == []
    assert view_oids() == before
    assert "already up to date" in output.stdout


def test_changed_view_definition_with_nothing_pending_rebuilds():
    migrate("migrationapp", "0004", views="views_v2")
    before = view_oids()
    migrate("migrationapp", "0004", views="views_v1b")
    after = view_oids()
    assert after["mig_itemtotals"] != before["mig_itemtotals"]
    # Only the changed view is rebuilt: the views it reads and the others keep their oids.
    assert after["mig_itemamounts"] == before["mig_itemamounts"]
    assert after["test_simpleviewfromsql"] == before["test_simpleviewfromsql"]


def test_auto_sync_off_leaves_views_alone_and_sync_views_still_works():
    from django_orm_views_hook import sync_views

    migrate("migrationapp", "0004", views="views_v2")
    before = view_oids()
    with override_settings(ORM_VIEWS_AUTO_SYNC=False):
        migrate("migrationapp", "0004", views="views_v1b")
        assert view_oids() == before
        with override_settings(ORM_VIEWS_MODULE_NAME="views_v1b"):
            sync_views(using="default")
    assert view_oids()["mig_itemtotals"] != before["mig_itemtotals"]


class ConnectionHoldingLock:
    """A second session that holds ACCESS EXCLUSIVE on a relation until the block ends."""

    def __init__(self, relation: str) -> None:
        self.relation = relation

    def __enter__(self):
        from django.db import connections

        self.connection = connections.create_connection("default")
        self.connection.set_autocommit(False)
        with self.connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {self.relation} IN ACCESS EXCLUSIVE MODE")
        return self

    def __exit__(self, *exc):
        self.connection.rollback()
        self.connection.close()


def test_non_atomic_migration_of_a_table_views_read_drops_them_first():
    # 0004 (atomic, alters the item table) and 0005 (not atomic) in one run.
    migrate("migrationapp", "0003", views="views_v1")
    output = migrate("migrationapp", "0005", views="views_v2")
    assert "cannot be atomic" in output.stderr
    dropped = output.stderr.splitlines()[-1]
    # 0004 drops the column `legacy`: its reader and the view over that go, nothing else.
    assert dropped == (
        "Views dropped before statements that broke them, rebuilt now: "
        "views.mig_itemtotals, views.mig_itemamounts."
    )
    assert applied("migrationapp")[-1] == "0005_concurrent_index"
    assert set(column_types("mig_itemamounts")) == {"id", "amount", "sku"}


def test_the_hook_stays_connected_once_across_app_registry_rebuilds():
    from django.db.models.signals import post_migrate, pre_migrate

    def ours(signal):
        return [r for r in signal.receivers if "django_orm_views_hook" in str(r[0])]

    before = (len(ours(pre_migrate)), len(ours(post_migrate)))
    for _ in range(3):
        with override_settings(INSTALLED_APPS=FAILING_APPS):
            pass
    # post_migrate: the hook, and the readable views' content types and permissions.
    assert (len(ours(pre_migrate)), len(ours(post_migrate))) == before == (1, 2)


def test_output_one_line_per_database_quiet_at_verbosity_zero():
    assert migrate("migrationapp", "0003", verbosity=0).stdout == ""
    lines = migrate("migrationapp", "0004", views="views_v2").stdout.splitlines()
    assert [line for line in lines if line.startswith("Views:")] == [lines[-1]]
    assert lines[-1].startswith("Views: rebuilt ")
    assert re.fullmatch(
        r'Views: rebuilt \d+ of \d+ views on database "default" in [\d.]+s\.', lines[-1]
    )
    verbose = migrate("migrationapp", "0004", views="views_v1b", verbosity=2).stdout
    assert '  view "views"."mig_itemtotals"  (tests.migrationapp.views_v1b.ItemTotals)' in verbose


def test_a_failed_non_atomic_migrate_rebuilds_the_views_it_dropped():
    apps = [*MIGRATING_APPS, "tests.nonatomicapp"]
    with override_settings(INSTALLED_APPS=apps, ORM_VIEWS_MODULE_NAME="views_nonatomic"):
        try:
            migrate("nonatomicapp", "0001", views="views_nonatomic")
            assert column_types("nonatomic_readings")["value"] == "integer"
            with pytest.raises(Exception, match="by zero") as excinfo:
                migrate("nonatomicapp", "0002", views="views_nonatomic")
            assert excinfo.value.__notes__ == [
                "This migrate was not atomic (nonatomicapp.0002_widen_then_fail set atomic = "
                "False), so each migration committed on its own. Applied and committed: none. "
                "nonatomicapp.0002_widen_then_fail failed part-way: what it did before the "
                "error is committed, the rest is not, and the migrations after it did not run."
            ]
            # The column change committed before the failure; the view was dropped for it
            # in a transaction of its own, and is back, built on the new column type.
            assert column_types("nonatomic_readings")["value"] == "bigint"
        finally:
            # 0002 ran half-way: record it as not applied, then unapply 0001 (whose reverse
            # drops the table whatever its column type), with views that do not read it.
            execute(
                "DELETE FROM django_migrations WHERE app = 'nonatomicapp' AND name <> %s",
                ["0001_initial"],
            )
            with override_settings(ORM_VIEWS_MODULE_NAME="postgres_views"):
                call_command("migrate", "nonatomicapp", "zero", verbosity=0)
