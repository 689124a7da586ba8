"""Views defined here, in a submodule imported here, and in one that nothing imports."""

from django_orm_views_hook import PostgresViewFromSQL

from .sales import SalesView  # noqa: F401 - re-exported, must be found once


class PackageRootView(PostgresViewFromSQL):
    sql = "SELECT 1 AS one"
