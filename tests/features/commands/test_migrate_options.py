"""Every option of Django's migrate keeps its meaning; backwards migrations; flush; checks."""

from __future__ import annotations

import io

import pytest
from django.core import checks
from django.core.management import CommandError, call_command
from django.test.utils import override_settings

from tests.support.catalog import catalog, view_oids, views_in_schema
from tests.support.migrating import (
    MIGRATING_APPS,
    applied,
    capture,
    ddl_statements,
    execute,
    migrate,
    table_columns,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("migrating_project")]


def test_plan_prints_and_touches_nothing():
    before = view_oids()
    with capture() as queries:
        output = migrate("migrationapp", "--plan")
    assert "migrationapp.0001_initial" in output.stdout
    assert ddl_statements(queries) == []
    assert applied("migrationapp") == []
    assert view_oids() == before


def test_check_exits_non_zero_with_unapplied_migrations_and_touches_nothing():
    before = view_oids()
    with capture() as queries, pytest.raises(SystemExit) as excinfo:
        migrate("migrationapp", "--check")
    assert excinfo.value.code == 1
    assert ddl_statements(queries) == []
    assert view_oids() == before


def test_fake_records_without_rebuilding_views():
    migrate("migrationapp", "0003")
    before = view_oids()
    with capture() as queries:
        migrate("migrationapp", "0004", "--fake", views="views_v1")
    assert applied("migrationapp")[-1] == "0004_remove_legacy_add_sku"
    assert "legacy" in table_columns("migrationapp_item")  # faked: nothing ran
    assert ddl_statements(queries) == []
    assert view_oids() == before
    migrate("migrationapp", "0003", "--fake")  # so that the teardown can unapply for real


def test_fake_initial_fakes_existing_tables_and_keeps_views_built():
    migrate("migrationapp", "0001")
    execute("DELETE FROM django_migrations WHERE app = 'migrationapp'")
    migrate("migrationapp", "0003", "--fake-initial")
    assert applied("migrationapp") == ["0001_initial", "0002_seed", "0003_amount_bigint"]
    assert {"mig_itemamounts", "mig_itemtotals"} <= set(views_in_schema())


def test_run_syncdb_with_views():
    output = migrate("--run-syncdb", views="views_v2")
    assert "Views:" in output.stdout
    assert "mig_itemtotals" in views_in_schema()


@pytest.mark.django_db(transaction=True, databases=["default", "other"])
def test_database_other_builds_the_views_of_that_database_only():
    before_default = view_oids()
    migrate("migrationapp", "0003", database="other")
    assert applied("migrationapp", using="other")[-1] == "0003_amount_bigint"
    assert applied("migrationapp") == []
    assert "otherdatabaseview" in views_in_schema(using="other")
    assert "mig_itemtotals" not in views_in_schema(using="other")  # views of "default"
    assert view_oids() == before_default


def test_backwards_migration_rebuilds_views_like_a_forward_one():
    migrate("migrationapp", "0004", views="views_v2")
    migrate("migrationapp", "0003", views="views_v1")
    assert applied("migrationapp")[-1] == "0003_amount_bigint"
    assert "legacy" in table_columns("migrationapp_item")
    assert catalog('SELECT count(*) FROM "views"."mig_itemamounts" WHERE legacy = \'old\'') == [
        (5,)
    ]


def test_backwards_migration_that_views_cannot_follow_fails_atomically():
    migrate("migrationapp", "0004", views="views_v2")
    before = view_oids()
    with pytest.raises(CommandError) as excinfo:
        migrate("migrationapp", "0003", views="views_v2")
    message = str(excinfo.value)
    assert 'views_v2.ItemAmounts: the database rejected this view: column "sku"' in message
    assert "--skip-unbuildable-views" in message  # the way out, for a backwards migrate
    assert message.splitlines()[-1].startswith("None of the migrations above was unapplied:")
    assert applied("migrationapp")[-1] == "0004_remove_legacy_add_sku"
    assert view_oids() == before


def test_leave_views_dropped_still_works_as_the_former_name_of_the_skip_option():
    migrate("migrationapp", "0004", views="views_v2")
    output = migrate("migrationapp", "0003", "--leave-views-dropped", views="views_v2")
    assert applied("migrationapp")[-1] == "0003_amount_bigint"
    assert "mig_itemsnapshot" in views_in_schema()  # it can be built: it is
    assert "mig_itemamounts" not in views_in_schema()
    assert "left dropped" in output.stderr


def test_flush_does_not_rebuild_views():
    migrate("migrationapp", "0003")
    before = view_oids()
    with capture() as queries, override_settings(ORM_VIEWS_MODULE_NAME="views_v1"):
        call_command("flush", interactive=False, verbosity=0)
    assert [q for q in ddl_statements(queries) if "VIEW" in q] == []
    assert view_oids() == before


def test_makemigrations_check_reports_no_changes():
    out = io.StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()


def test_a_migrate_command_shadowing_ours_is_reported():
    assert not [e for e in checks.run_checks() if e.id == "orm_views.W001"]
    with override_settings(INSTALLED_APPS=["tests.shadowapp", *MIGRATING_APPS]):
        warnings = [e for e in checks.run_checks() if e.id == "orm_views.W001"]
    assert len(warnings) == 1
    assert "tests.shadowapp" in warnings[0].msg
    assert "INSTALLED_APPS" in warnings[0].hint
