"""view_dependencies given as "app_label.ClassName" strings, which avoid circular imports."""

from django_orm_views_hook import PostgresViewFromSQL


class CityNames(PostgresViewFromSQL):
    view_dependencies = ["testapp.Cities"]
    sql = 'SELECT city FROM "views"."cities"'


class Cities(PostgresViewFromSQL):
    sql = "SELECT 'Paris' AS city"
