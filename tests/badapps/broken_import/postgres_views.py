"""The module exists; the import inside it does not (a typo, a missing dependency)."""

from django_orm_views_hook import PostgresViewFromSQL
from tests.badapps.broken_import.missing_helpers import report_sql  # noqa: F401


class NeverDefined(PostgresViewFromSQL):
    sql = "SELECT 1 AS one"
