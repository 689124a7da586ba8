"""Views deployed with migration 0004 by mistake: several read `legacy`, which 0004 drops."""

from django_orm_views_hook import PostgresMaterialisedViewMixin, PostgresViewFromSQL
from tests.testapp.postgres_views import *  # noqa: F403 - the test project's views stay managed


class LegacyItems(PostgresViewFromSQL):
    prefix = "mig"
    sql = "SELECT id, legacy FROM migrationapp_item"


class LegacyCounts(PostgresViewFromSQL):
    prefix = "mig"
    sql = "SELECT legacy, count(*) AS items FROM migrationapp_item GROUP BY legacy"


class LegacyReader(PostgresViewFromSQL):
    """Fails only because the view it reads does."""

    prefix = "mig"
    view_dependencies = [LegacyItems]
    sql = 'SELECT count(*) AS items FROM "views"."mig_legacyitems"'


class Typo(PostgresViewFromSQL):
    prefix = "mig"
    sql = "SELECT id, lenght(note) AS note_length FROM migrationapp_item"


class ItemSnapshot(PostgresMaterialisedViewMixin, PostgresViewFromSQL):
    prefix = "mig"
    pk_field = "id"
    sql = "SELECT id, amount FROM migrationapp_item"
