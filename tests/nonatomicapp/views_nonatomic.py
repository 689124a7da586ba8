"""A view over the table that the non-atomic migration alters."""

from django_orm_views_hook import PostgresViewFromSQL
from tests.testapp.postgres_views import *  # noqa: F403 - the test project's views stay managed


class Readings(PostgresViewFromSQL):
    prefix = "nonatomic"
    sql = "SELECT id, value FROM nonatomicapp_reading"
