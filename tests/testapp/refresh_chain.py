"""Materialised views that read each other, for the refresh order test of refresh_views.

Found only with ORM_VIEWS_MODULE_NAME = "refresh_chain". The reader is defined first, so that
discovery order is not dependency order.
"""

from django_orm_views_hook import PostgresMaterialisedViewMixin, PostgresViewFromSQL


class ChainTop(PostgresMaterialisedViewMixin, PostgresViewFromSQL):
    name = "chain_top"
    pk_field = "id"
    sql = 'SELECT 1 AS id, count(*) AS rows FROM "views"."chain_base"'


class ChainPlain(PostgresViewFromSQL):
    """Not materialised: nothing to refresh."""

    name = "chain_plain"
    sql = "SELECT id FROM testapp_testmodel"


class ChainBase(PostgresMaterialisedViewMixin, PostgresViewFromSQL):
    name = "chain_base"
    pk_field = "id"
    view_dependencies = [ChainPlain]
    sql = 'SELECT id FROM "views"."chain_plain"'


ChainTop.view_dependencies = [ChainBase]
