"""A materialised view slow to build: a short statement_timeout cancels it."""

from django_orm_views_hook import PostgresMaterialisedViewMixin, PostgresViewFromSQL
from tests.migrationapp.views_v2 import ItemSnapshot  # noqa: F401
from tests.testapp.postgres_views import *  # noqa: F403 - the test project's views stay managed


class SlowSnapshot(PostgresMaterialisedViewMixin, PostgresViewFromSQL):
    prefix = "mig"
    sql = "SELECT id, amount FROM migrationapp_item, (SELECT pg_sleep(0.3)) AS slow"
