"""A view whose `database` is not in DATABASES."""

from django_orm_views_hook import PostgresViewFromSQL


class MisspeltDatabase(PostgresViewFromSQL):
    database = "defualt"
    sql = "SELECT 1 AS one"
