"""The test project's views plus one slow to build, to catch a sync in the middle of its work."""

import os

from django.utils.functional import classproperty

from django_orm_views_hook import PostgresMaterialisedViewMixin, PostgresViewFromSQL

from .postgres_views import *  # noqa: F403 - the test project's views stay managed


class SlowMaterializedView(PostgresMaterialisedViewMixin, PostgresViewFromSQL):
    prefix = "test"

    @classproperty
    def sql(cls):
        seconds = float(os.environ.get("SLOW_VIEW_SECONDS", "2"))
        return f"SELECT 1 AS id, pg_sleep({seconds}) IS NULL AS slept"
