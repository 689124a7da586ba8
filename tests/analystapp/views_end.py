"""The code at 0004 and later: `isbn` and the shelves are gone, BookTitles has the subtitle."""

from django_orm_views_hook import PostgresMaterialisedViewMixin, PostgresViewFromSQL
from tests.analystapp.views_start import AuthorNames, LibraryCities  # noqa: F401 - unchanged
from tests.analystapp.views_wagtail import BookTitles  # noqa: F401 - unchanged


class BookPages(PostgresViewFromSQL):
    prefix = "an"
    sql = "SELECT id, author_id, pages FROM analystapp_book"


class AuthorPages(PostgresViewFromSQL):
    prefix = "an"
    view_dependencies = [AuthorNames, BookPages]
    sql = (
        'SELECT a.name, sum(b.pages) AS pages FROM "views"."an_authornames" a '
        'JOIN "views"."an_bookpages" b ON b.author_id = a.id GROUP BY a.name'
    )


class BookStats(PostgresMaterialisedViewMixin, PostgresViewFromSQL):
    prefix = "an"
    pk_field = "author_id"
    sql = (
        "SELECT author_id, count(*) AS books, sum(pages) AS pages "
        "FROM analystapp_book GROUP BY author_id"
    )
