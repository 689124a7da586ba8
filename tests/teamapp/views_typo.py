"""A view whose table no model has (a typo): a partial migrate must still fail on it."""

from __future__ import annotations

from django_orm_views_hook import PostgresViewFromSQL


class Misspelt(PostgresViewFromSQL):
    sql = "SELECT id FROM teamapp_custmer"
