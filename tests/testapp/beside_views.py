"""The test project's views plus a materialised view whose definition the tests change.

`BESIDE_FACTOR` changes its rows; with `BESIDE_GATE`, building it reads testapp_testmodel, so a
session locking that table holds the build up; `BESIDE_FAIL` makes its population fail (division
by zero). The tests set them before each sync.
"""

import os

from django.utils.functional import classproperty

from django_orm_views_hook import PostgresMaterialisedViewMixin, PostgresViewFromSQL

from .postgres_views import *  # noqa: F403 - the test project's views stay managed

ROWS = 30_000


class Figures(PostgresMaterialisedViewMixin, PostgresViewFromSQL):
    """ROWS rows, each `value` = id × BESIDE_FACTOR."""

    prefix = "beside"
    pk_field = "id"

    @classproperty
    def sql(cls):
        factor = int(os.environ.get("BESIDE_FACTOR", "1"))
        divisor = "0" if os.environ.get("BESIDE_FAIL") else "1"
        gate = os.environ.get("BESIDE_GATE")
        gated = " CROSS JOIN (SELECT count(*) FROM testapp_testmodel) AS gate" if gate else ""
        return (
            f"SELECT g AS id, g * {factor} / {divisor} AS value "
            f"FROM generate_series(1, {ROWS}) AS g{gated}"
        )


class FigureTotals(PostgresViewFromSQL):
    """Reads the materialised view: rebuilt with it. `BESIDE_UNDECLARED` forgets to say so."""

    prefix = "beside"

    @classproperty
    def view_dependencies(cls):
        return [] if os.environ.get("BESIDE_UNDECLARED") else [Figures]

    sql = 'SELECT sum(value) AS total, count(*) AS n FROM "views"."beside_figures"'
