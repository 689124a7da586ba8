"""The test project's views plus two scheduled materialised views, for in-process refreshes."""

from datetime import timedelta

from django_orm_views_hook import PostgresMaterialisedViewMixin, PostgresViewFromSQL

from .postgres_views import *  # noqa: F403 - the test project's views stay managed


class ScheduledCount(PostgresMaterialisedViewMixin, PostgresViewFromSQL):
    """With a unique key: refreshed concurrently."""

    prefix = "sched"
    pk_field = "id"
    refresh_every = timedelta(minutes=5)
    sql = "SELECT 1 AS id, count(*) AS n FROM testapp_testmodel"


class ScheduledRatios(PostgresMaterialisedViewMixin, PostgresViewFromSQL):
    """Without one: built beside. A row with integer_col 0 makes its refresh fail."""

    prefix = "sched"
    refresh_every = timedelta(hours=1)
    sql = "SELECT id, 100 / integer_col AS ratio FROM testapp_testmodel"
