"""An `sql` classproperty that raises."""

from django.utils.functional import classproperty

from django_orm_views_hook import PostgresViewFromSQL

SETTINGS: dict[str, str] = {}


class SqlRaises(PostgresViewFromSQL):
    @classproperty
    def sql(cls):
        return f"SELECT * FROM {SETTINGS['table']}"
