"""0002's code: the QuerySet view over Book includes the field 0002 adds (its SQL changes)."""

from django_orm_views_hook import PostgresViewFromQueryset
from tests.analystapp.models import Book
from tests.analystapp.views_start import (  # noqa: F401 - deployed unchanged
    AuthorNames,
    AuthorPages,
    BookPages,
    BookStats,
    LibraryCities,
    ShelfLabels,
)


class BookTitles(PostgresViewFromQueryset):
    prefix = "an"

    @classmethod
    def get_queryset(cls):
        return Book.objects.values("id", "title", "subtitle", "author_id")
