from django_orm_views_hook import PostgresViewFromSQL


class DefaultModuleView(PostgresViewFromSQL):
    sql = "SELECT 1 AS one"
