from django_orm_views_hook import PostgresViewFromSQL


class ReportingModuleView(PostgresViewFromSQL):
    sql = "SELECT 1 AS one"
