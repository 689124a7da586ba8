"""A view the database rejects: it reads a column no migration creates."""

from django_orm_views_hook import PostgresViewFromSQL
from tests.testapp.postgres_views import *  # noqa: F403 - the test project's views stay managed


class BrokenItems(PostgresViewFromSQL):
    prefix = "mig"
    sql = "SELECT id, no_such_column FROM migrationapp_item"
