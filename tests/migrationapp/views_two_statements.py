"""views_v1 with one definition changed into two statements: migrate must refuse it before its
migrations run, naming the class."""

from django_orm_views_hook import PostgresViewFromSQL
from tests.migrationapp.views_v1 import ItemAmounts, ItemSnapshot  # noqa: F401
from tests.testapp.postgres_views import *  # noqa: F403 - the test project's views stay managed


class ItemTotals(PostgresViewFromSQL):
    prefix = "mig"
    view_dependencies = [ItemAmounts]
    sql = 'SELECT sum(amount) AS total FROM "views"."mig_itemamounts"; SELECT 2'
