"""The views of the code as it is now: a QuerySet view over the renamed model and field, which
follows the model, and a SQL view over the table that migration 0004 moves."""

from django_orm_views_hook import PostgresViewFromQueryset
from tests.renameapp.models import Volume
from tests.renameapp.views_stale_column import Shelves  # noqa: F401
from tests.testapp.postgres_views import *  # noqa: F403 - the test project's views stay managed


class Titles(PostgresViewFromQueryset):
    prefix = "ren"

    @classmethod
    def get_queryset(cls):
        return Volume.objects.values("id", "heading", "shelf__label")
