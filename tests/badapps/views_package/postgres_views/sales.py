from django_orm_views_hook import PostgresViewFromSQL


class AbstractReport(PostgresViewFromSQL):
    """A base class of the project's own: not a view."""

    abstract = True
    prefix = "report"


class SalesView(AbstractReport):
    sql = "SELECT 1 AS one"
