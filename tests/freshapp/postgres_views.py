"""Materialised views with `refresh_every`, for the tests of scheduled refreshes.

Their SQL reads tables only, so the tests change what a refresh finds (and how long it takes,
through `Knob.delay`) without changing any definition. The environment chooses the schedule,
which is no part of a view's definition: FRESH_EVERY_MINUTES (default 15) and FRESH_SCHEDULED
("0": none of them scheduled).
"""

import os
from datetime import timedelta

from django.db import models

from django_orm_views_hook import (
    PostgresMaterialisedViewMixin,
    PostgresViewFromSQL,
    ReadableViewFromSQL,
)

EVERY = timedelta(minutes=int(os.environ.get("FRESH_EVERY_MINUTES", "15")))
SCHEDULED = EVERY if os.environ.get("FRESH_SCHEDULED", "1") == "1" else None
#: Joined to each scheduled view: its population sleeps Knob.delay seconds.
PAUSE = "CROSS JOIN (SELECT pg_sleep(delay) FROM freshapp_knob) AS pause"


class Totals(PostgresMaterialisedViewMixin, PostgresViewFromSQL):
    """With a unique key: refreshed concurrently."""

    prefix = "fresh"
    pk_field = "id"
    refresh_every = SCHEDULED
    sql = (
        "SELECT 1 AS id, count(*) AS readings, coalesce(sum(value), 0) AS total "
        f"FROM freshapp_reading {PAUSE}"
    )


class Doubled(PostgresMaterialisedViewMixin, PostgresViewFromSQL):
    """Reads Totals: refreshed after it."""

    prefix = "fresh"
    pk_field = "id"
    refresh_every = SCHEDULED
    view_dependencies = [Totals]
    sql = 'SELECT id, readings * 2 AS readings FROM "views"."fresh_totals"'


class Ratios(PostgresMaterialisedViewMixin, PostgresViewFromSQL):
    """Without a unique key: built beside. A reading with divisor 0 makes its refresh fail."""

    prefix = "fresh"
    refresh_every = SCHEDULED
    sql = f"SELECT r.id, 100 / r.divisor AS ratio FROM freshapp_reading r {PAUSE}"


class RatioSummary(PostgresViewFromSQL):
    """A plain view reading Ratios: dropped and built again with it at each refresh."""

    prefix = "fresh"
    view_dependencies = [Ratios]
    sql = 'SELECT count(*) AS n, coalesce(sum(ratio), 0) AS total FROM "views"."fresh_ratios"'


class Big(PostgresMaterialisedViewMixin, PostgresViewFromSQL):
    """Knob.big_rows rows plus one per reading, without a unique key: built beside."""

    prefix = "fresh"
    refresh_every = SCHEDULED
    sql = (
        "SELECT g AS n, g % 7 AS bucket FROM freshapp_knob k CROSS JOIN "
        f"generate_series(1, k.big_rows + (SELECT count(*) FROM freshapp_reading)::int) AS g "
        f"{PAUSE}"
    )


class Unscheduled(PostgresMaterialisedViewMixin, PostgresViewFromSQL):
    """Materialised, without refresh_every: listed by --status, never refreshed by --due."""

    prefix = "fresh"
    sql = "SELECT count(*) AS readings FROM freshapp_reading"


class LatestReading(PostgresMaterialisedViewMixin, ReadableViewFromSQL):
    """A readable materialised view: its model's primary key makes it refresh concurrently."""

    prefix = "fresh"
    refresh_every = SCHEDULED
    id = models.BigIntegerField(primary_key=True)
    value = models.IntegerField()
    sql = "SELECT id, value FROM freshapp_reading ORDER BY id DESC LIMIT 1"
