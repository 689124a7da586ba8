"""Two view names that differ only by case, and index names that would collide or overflow."""

from django_orm_views_hook import PostgresMaterialisedViewMixin, PostgresViewFromSQL


class Orders(PostgresViewFromSQL):
    name = "Orders"
    sql = "SELECT 1 AS id"


class LowerOrders(PostgresViewFromSQL):
    name = "orders"
    sql = "SELECT 1 AS id"


class Mv(PostgresMaterialisedViewMixin, PostgresViewFromSQL):
    name = "mv"
    pk_field = "x"
    sql = "SELECT 1 AS x"


class MvXUniq(PostgresViewFromSQL):
    """Named as the index of Mv would be."""

    name = "mv_x_uniq"
    sql = "SELECT 1 AS x"


class LongAccented(PostgresMaterialisedViewMixin, PostgresViewFromSQL):
    """63 bytes of name, in two-byte characters: nothing left for a suffix."""

    name = "é" * 31 + "e"
    pk_field = "x"
    sql = "SELECT 1 AS x"
