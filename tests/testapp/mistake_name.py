"""A view whose `name` is not a string."""

from django_orm_views_hook import PostgresViewFromSQL


class NumberedName(PostgresViewFromSQL):
    name = 123
    sql = "SELECT 1 AS one"
