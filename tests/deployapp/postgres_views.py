"""A view over the deployed table, so that each deploy also checks and rebuilds views."""

from django_orm_views_hook import PostgresViewFromSQL


class CounterValues(PostgresViewFromSQL):
    sql = "SELECT id, value FROM deployapp_counter"
