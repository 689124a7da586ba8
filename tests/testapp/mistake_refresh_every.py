"""`refresh_every` where it makes no sense: each one a check error naming its class."""

from datetime import timedelta

from django_orm_views_hook import PostgresMaterialisedViewMixin, PostgresViewFromSQL


class PlainScheduled(PostgresViewFromSQL):
    refresh_every = timedelta(minutes=5)
    sql = "SELECT 1 AS one"


class StringScheduled(PostgresMaterialisedViewMixin, PostgresViewFromSQL):
    refresh_every = "15 minutes"
    sql = "SELECT 1 AS one"


class TooOften(PostgresMaterialisedViewMixin, PostgresViewFromSQL):
    refresh_every = timedelta(seconds=30)
    sql = "SELECT 1 AS one"
