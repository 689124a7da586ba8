"""A SQL view as written for migration 0002's schema: it reads `renameapp_book`, which 0003
renames."""

from django_orm_views_hook import PostgresViewFromSQL
from tests.renameapp.views_stale_column import Shelves  # noqa: F401
from tests.testapp.postgres_views import *  # noqa: F403 - the test project's views stay managed


class Titles(PostgresViewFromSQL):
    prefix = "ren"
    sql = "SELECT id, heading FROM renameapp_book"
