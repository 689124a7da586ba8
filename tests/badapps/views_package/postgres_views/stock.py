"""Not imported by the package's __init__: discovery imports it anyway."""

from django_orm_views_hook import HiddenViewMixin, PostgresViewFromSQL

from .sales import AbstractReport


class StockView(AbstractReport):
    sql = "SELECT 2 AS two"


class StockOnOther(HiddenViewMixin, PostgresViewFromSQL):
    database = "other"
    sql = "SELECT 3 AS three"
