"""views_v2 with one definition changed, for "a view changed, nothing to migrate"."""

from django_orm_views_hook import PostgresViewFromSQL
from tests.migrationapp.views_v2 import ItemAmounts, ItemSnapshot  # noqa: F401
from tests.testapp.postgres_views import *  # noqa: F403 - the test project's views stay managed


class ItemTotals(PostgresViewFromSQL):
    prefix = "mig"
    view_dependencies = [ItemAmounts]
    sql = (
        "SELECT sum(amount) AS total, count(*) AS items, max(id) AS last"
        ' FROM "views"."mig_itemamounts"'
    )
