"""Views deployed with migration 0004: `legacy` is gone, `sku` is new."""

from django_orm_views_hook import PostgresMaterialisedViewMixin, PostgresViewFromSQL
from tests.testapp.postgres_views import *  # noqa: F403 - the test project's views stay managed


class ItemAmounts(PostgresViewFromSQL):
    prefix = "mig"
    sql = "SELECT id, amount, sku FROM migrationapp_item"


class ItemTotals(PostgresViewFromSQL):
    prefix = "mig"
    view_dependencies = [ItemAmounts]
    sql = 'SELECT sum(amount) AS total, count(*) AS items FROM "views"."mig_itemamounts"'


class ItemSnapshot(PostgresMaterialisedViewMixin, PostgresViewFromSQL):
    prefix = "mig"
    pk_field = "id"
    sql = "SELECT id, amount FROM migrationapp_item"
