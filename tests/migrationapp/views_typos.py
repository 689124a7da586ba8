"""Mistakes in the definitions themselves, which no migration can fix: a typo, a wrong pk_field."""

from django_orm_views_hook import PostgresMaterialisedViewMixin, PostgresViewFromSQL
from tests.migrationapp.views_many_broken import Typo  # noqa: F401
from tests.testapp.postgres_views import *  # noqa: F403 - the test project's views stay managed


class ItemSnapshot(PostgresMaterialisedViewMixin, PostgresViewFromSQL):
    prefix = "mig"
    pk_field = "idd"
    sql = "SELECT id, amount FROM migrationapp_item"
