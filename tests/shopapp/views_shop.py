"""A view reading the column 0002 retypes, so that migrate drops and rebuilds it."""

from django_orm_views_hook import PostgresViewFromSQL
from tests.testapp.postgres_views import *  # noqa: F403 - the test project's views stay managed


class OrderAmounts(PostgresViewFromSQL):
    prefix = "shop"
    sql = "SELECT id, customer_id, amount FROM shopapp_order"
