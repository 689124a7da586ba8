"""Only what a change touches is rebuilt; nothing changed costs a query or two, no DDL."""

from __future__ import annotations

import pytest
from django.test.utils import override_settings

from django_orm_views_hook import sync_views
from tests.support.catalog import view_oids
from tests.support.migrating import capture, ddl_statements, execute, migrate

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("migrating_project")]


def test_a_migration_of_an_unrelated_table_keeps_the_materialised_view():
    migrate("migrationapp", "0005", views="views_v2")
    execute(
        "INSERT INTO migrationapp_item (category_id, amount, note, sku)"
        " SELECT (SELECT min(id) FROM migrationapp_category), n, 'bulk', ''"
        " FROM generate_series(1, 200000) AS n"
    )
    with override_settings(ORM_VIEWS_MODULE_NAME="views_v2"):
        sync_views(using="default", force=True)  # the snapshot now holds 200k rows
    before = view_oids()
    with capture() as queries:
        migrate("migrationapp", "0006", views="views_v2")  # alters migrationapp_category only
    assert view_oids() == before
    assert not [sql for sql in ddl_statements(queries) if "mig_item" in sql]
    migrate("migrationapp", "0005", views="views_v2")  # and backwards
    assert view_oids() == before


def test_a_type_change_of_a_column_it_reads_rebuilds_the_materialised_view():
    migrate("migrationapp", "0002", views="views_v1")
    before = view_oids()
    migrate("migrationapp", "0003", views="views_v1")  # amount: integer -> bigint
    after = view_oids()
    assert after["mig_itemsnapshot"] != before["mig_itemsnapshot"]
    # Views that read other tables are untouched.
    assert after["customer_cities"] == before["customer_cities"]


def test_a_dropped_column_it_does_not_read_keeps_the_materialised_view():
    migrate("migrationapp", "0003", views="views_v1")
    before = view_oids()
    migrate("migrationapp", "0004", views="views_v2")  # drops `legacy`, adds `sku`
    assert view_oids()["mig_itemsnapshot"] == before["mig_itemsnapshot"]


def test_resync_with_nothing_changed_sends_at_most_three_statements():
    sync_views(using="default")
    with capture() as queries:
        result = sync_views(using="default")[0]
    assert result.status.value == "up to date"
    assert len(queries.captured_queries) <= 3
    assert ddl_statements(queries) == []


def test_migrate_with_nothing_pending_costs_at_most_three_statements_more():
    migrate("migrationapp", "0003")
    with override_settings(ORM_VIEWS_AUTO_SYNC=False), capture() as plain:
        migrate("migrationapp", "0003", verbosity=0)
    with capture() as hooked:
        migrate("migrationapp", "0003", verbosity=0)
    assert len(hooked.captured_queries) - len(plain.captured_queries) <= 3
    assert ddl_statements(hooked) == []


def test_a_view_replaced_by_hand_is_detected_and_repaired():
    sync_views(using="default")
    execute(
        'CREATE OR REPLACE VIEW "views"."customer_cities" AS'
        " SELECT 'x'::varchar(100) AS city, 0::bigint AS customers"
    )
    result = sync_views(using="default")[0]
    assert [view.name for view in result.built] == ["customer_cities"]
    assert sync_views(using="default")[0].status.value == "up to date"


def test_a_view_dropped_by_hand_is_detected_and_repaired():
    sync_views(using="default")
    execute('DROP VIEW "views"."test_secondleveldependentview"')
    result = sync_views(using="default")[0]
    assert [view.name for view in result.built] == ["test_secondleveldependentview"]


def test_a_changed_view_rebuilds_what_reads_it():
    sync_views(using="default")
    before = view_oids()
    execute('DROP VIEW "views"."test_secondleveldependentview"')
    execute(
        'CREATE OR REPLACE VIEW "views"."test_dependentview" AS'
        " SELECT 1::bigint AS id, 1 AS integer_col"
    )
    result = sync_views(using="default")[0]
    assert {view.name for view in result.built} == {
        "test_dependentview",
        "test_secondleveldependentview",
    }
    assert view_oids()["test_simpleviewfromsql"] == before["test_simpleviewfromsql"]
