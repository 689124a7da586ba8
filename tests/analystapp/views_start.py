"""The analysts' views as deployed at 0001: every table of the app, a view of views, a matview."""

from django_orm_views_hook import (
    PostgresMaterialisedViewMixin,
    PostgresViewFromQueryset,
    PostgresViewFromSQL,
)
from tests.analystapp.models import Book


class BookTitles(PostgresViewFromQueryset):
    prefix = "an"

    @classmethod
    def get_queryset(cls):
        return Book.objects.values("id", "title", "author_id")


class BookPages(PostgresViewFromSQL):
    prefix = "an"
    sql = "SELECT id, author_id, pages, isbn FROM analystapp_book"


class AuthorNames(PostgresViewFromSQL):
    prefix = "an"
    sql = "SELECT id, name FROM analystapp_author"


class AuthorPages(PostgresViewFromSQL):
    """Reads two views: its readers lock it, then them, then the tables."""

    prefix = "an"
    view_dependencies = [AuthorNames, BookPages]
    sql = (
        'SELECT a.name, sum(b.pages) AS pages FROM "views"."an_authornames" a '
        'JOIN "views"."an_bookpages" b ON b.author_id = a.id GROUP BY a.name'
    )


class ShelfLabels(PostgresViewFromSQL):
    prefix = "an"
    sql = "SELECT id, label FROM analystapp_shelf"


class LibraryCities(PostgresViewFromSQL):
    """Over the table no migration after 0001 touches."""

    prefix = "an"
    sql = "SELECT id, city FROM analystapp_library"


class BookStats(PostgresMaterialisedViewMixin, PostgresViewFromSQL):
    prefix = "an"
    pk_field = "author_id"
    sql = (
        "SELECT author_id, count(*) AS books, sum(pages) AS pages "
        "FROM analystapp_book GROUP BY author_id"
    )
