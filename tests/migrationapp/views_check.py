"""views_v2, edited: ItemTotals changed, ItemSnapshot deleted, ItemSkus added."""

from django_orm_views_hook import PostgresViewFromSQL
from tests.migrationapp.views_v1b import ItemTotals  # noqa: F401
from tests.migrationapp.views_v2 import ItemAmounts  # noqa: F401
from tests.testapp.postgres_views import *  # noqa: F403 - the test project's views stay managed


class ItemSkus(PostgresViewFromSQL):
    prefix = "mig"
    sql = "SELECT DISTINCT sku FROM migrationapp_item"
