"""views_v2 with ItemSnapshot changed to read `sku` (which unapplying 0004 drops) and a new view."""

from django_orm_views_hook import PostgresMaterialisedViewMixin, PostgresViewFromSQL
from tests.migrationapp.views_v2 import ItemAmounts, ItemTotals  # noqa: F401
from tests.testapp.postgres_views import *  # noqa: F403 - the test project's views stay managed


class ItemSnapshot(PostgresMaterialisedViewMixin, PostgresViewFromSQL):
    prefix = "mig"
    pk_field = "id"
    sql = "SELECT id, amount, sku FROM migrationapp_item"


class ItemLegacy(PostgresViewFromSQL):
    """New in this code, and buildable on 0003's schema: the skip option builds it."""

    prefix = "mig"
    sql = "SELECT id, legacy FROM migrationapp_item"


class ItemIds(PostgresViewFromSQL):
    """Changed to read `sku`: replaced in place (after the locks), and rejected."""

    prefix = "mig"
    sql = "SELECT id, sku FROM migrationapp_item"
