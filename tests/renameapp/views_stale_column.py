"""A SQL view as written for migration 0001's schema: it reads `title`, which 0002 renames."""

from django_orm_views_hook import PostgresViewFromSQL
from tests.testapp.postgres_views import *  # noqa: F403 - the test project's views stay managed


class Titles(PostgresViewFromSQL):
    prefix = "ren"
    sql = "SELECT id, title FROM renameapp_book"


class Shelves(PostgresViewFromSQL):
    prefix = "ren"
    sql = "SELECT id, label FROM renameapp_shelf"
