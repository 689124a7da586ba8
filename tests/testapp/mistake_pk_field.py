"""`pk_field` on a view that is not materialised."""

from django_orm_views_hook import PostgresViewFromSQL


class PlainWithPk(PostgresViewFromSQL):
    pk_field = "one"
    sql = "SELECT 1 AS one"
