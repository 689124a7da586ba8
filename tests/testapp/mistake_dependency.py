"""view_dependencies named by a bare class name instead of "app_label.ClassName"."""

from django_orm_views_hook import PostgresViewFromSQL


class Cities(PostgresViewFromSQL):
    sql = "SELECT 'Paris' AS city"


class CityNames(PostgresViewFromSQL):
    view_dependencies = ["Cities"]
    sql = 'SELECT city FROM "views"."cities"'
