"""A SQL view whose `sql` hides a second statement after a comment."""

from django_orm_views_hook import PostgresViewFromSQL


class TwoStatements(PostgresViewFromSQL):
    sql = "SELECT 1 AS one; /* ; */ DROP TABLE testapp_customer"
