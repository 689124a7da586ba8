"""views_v2 and a plain view that no migration from 0004 to 0003 breaks."""

from django_orm_views_hook import PostgresViewFromSQL
from tests.migrationapp.views_v2 import ItemAmounts, ItemSnapshot, ItemTotals  # noqa: F401
from tests.testapp.postgres_views import *  # noqa: F403 - the test project's views stay managed


class ItemIds(PostgresViewFromSQL):
    prefix = "mig"
    sql = "SELECT id FROM migrationapp_item"
