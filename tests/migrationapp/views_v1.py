"""Views as deployed with migrations 0001-0003: they read `legacy` and `amount`."""

from django_orm_views_hook import PostgresMaterialisedViewMixin, PostgresViewFromSQL
from tests.testapp.postgres_views import *  # noqa: F403 - the test project's views stay managed


class ItemAmounts(PostgresViewFromSQL):
    prefix = "mig"
    sql = "SELECT id, amount, legacy FROM migrationapp_item"


class ItemTotals(PostgresViewFromSQL):
    """Reads another view: readers lock it before ItemAmounts."""

    prefix = "mig"
    view_dependencies = [ItemAmounts]
    sql = 'SELECT sum(amount) AS total, count(*) AS items FROM "views"."mig_itemamounts"'


class ItemSnapshot(PostgresMaterialisedViewMixin, PostgresViewFromSQL):
    prefix = "mig"
    pk_field = "id"
    sql = "SELECT id, amount FROM migrationapp_item"
