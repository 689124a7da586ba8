"""A history plain Django applies, one transaction per migration, applies in the hook's one.

tests/shopapp's migrations: table rewrites, then rows updated and the table altered in one
migration (pending foreign-key checks), a `SET CONSTRAINTS ALL IMMEDIATE` that must not outlive
its migration, an order loaded before its customer (a deferred check), a sequence moved, an
initially immediate deferrable constraint relied upon, and `CREATE INDEX CONCURRENTLY`.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db.models.signals import post_migrate
from django.test.utils import override_settings

from tests.support.catalog import catalog, view_oids, views_in_schema
from tests.support.migrating import applied, migrate, table_columns

pytestmark = pytest.mark.django_db(transaction=True)

SHOP_APPS = [*settings.INSTALLED_APPS, "tests.shopapp"]
VIEWS = "views_shop"
LAST_ATOMIC = "0007_relies_on_immediate"


@pytest.fixture
def shop():
    with override_settings(INSTALLED_APPS=SHOP_APPS):
        try:
            yield
        finally:
            call_command("migrate", "shopapp", "zero", verbosity=0)


def assert_history_applied(upto: str) -> None:
    assert applied("shopapp")[-1] == upto
    assert table_columns("shopapp_order")["amount"] == "bigint"
    assert "note" in table_columns("shopapp_order")
    customers = dict(catalog("SELECT code, name FROM shopapp_customer"))
    assert customers["c1"] == "duplicate refused"  # the constraint was immediate in 0007
    assert customers["c1000"] == "late"
    assert catalog("SELECT id FROM shopapp_customer WHERE code = 'c1001'") == [(1001,)]
    assert catalog("SELECT count(*) FROM shopapp_order WHERE amount IN (21, 22, 31, 32)") == [(4,)]


@pytest.mark.parametrize("hook", [False, True], ids=["plain Django", "hook"])
def test_a_history_plain_django_applies_applies_in_one_transaction(shop, hook):
    with override_settings(ORM_VIEWS_AUTO_SYNC=hook):
        migrate("shopapp", LAST_ATOMIC, views=VIEWS)
    assert_history_applied(LAST_ATOMIC)
    if hook:
        assert views_in_schema()["shop_orderamounts"] == "v"
        assert catalog(
            "SELECT data_type FROM information_schema.columns WHERE table_schema = 'views' "
            "AND table_name = 'shop_orderamounts' AND column_name = 'amount'"
        ) == [("bigint",)]


def test_the_history_with_a_concurrent_index_applies_migration_by_migration(shop):
    output = migrate("shopapp", views=VIEWS)
    assert "cannot be atomic" in output.stderr
    assert_history_applied("0008_concurrent_index")
    assert catalog("SELECT to_regclass('shop_order_note_idx') IS NOT NULL") == [(True,)]


def test_a_failing_post_migrate_handler_of_another_app_rolls_the_migrations_back(shop):
    migrate("shopapp", "0001", views=VIEWS)
    before = view_oids()

    def failing_handler(sender, **kwargs):
        if sender.label == "shopapp":
            raise RuntimeError("a post_migrate handler failed")

    post_migrate.connect(failing_handler, dispatch_uid="test-failing-handler")
    try:
        with pytest.raises(RuntimeError, match="a post_migrate handler failed"):
            migrate("shopapp", "0003", views=VIEWS)
    finally:
        post_migrate.disconnect(dispatch_uid="test-failing-handler")
    # Plain Django would have committed 0002 and 0003 by then; the hook's transaction did not.
    assert applied("shopapp") == ["0001_initial"]
    assert table_columns("shopapp_order")["amount"] == "integer"
    assert "note" not in table_columns("shopapp_order")
    assert view_oids() == before
