"""A migrate that alters the tables the views read, while analysts read the views in a loop.

Every reader is a process of its own, querying with no pause; the migrate is a process too.
The shapes are those of real upgrades: a view replaced or dropped *after* an earlier statement
of the same transaction locked a table it reads. Each must exit 0, lose no view, and give the
readers no error.
"""

from __future__ import annotations

import pytest

from tests.integration.analysts import project, under_readers

pytestmark = pytest.mark.django_db(transaction=True)

START = [
    "an_authornames",
    "an_authorpages",
    "an_bookpages",
    "an_bookstats",
    "an_booktitles",
    "an_librarycities",
    "an_shelflabels",
]
END = [name for name in START if name != "an_shelflabels"]


def assert_clean(done, seen, views, expected):
    assert done.returncode == 0, done.stderr
    assert sorted(views) == expected
    assert [error for s in seen for error in s.errors] == []
    assert all(s.reads > 0 for s in seen)


def test_a_view_whose_definition_changes_with_a_field_added_to_the_table_it_reads():
    """Wagtail's shape: AddField on the table, the QuerySet view over it is replaced after."""
    with project("load_wagtail", "0001", "views_start") as built:
        done, seen = under_readers(built, "0002", "views_wagtail")
        assert_clean(done, seen, built.views(), START)
        assert "subtitle" in [
            c
            for (c,) in built.sql(
                "SELECT attname FROM pg_attribute WHERE attrelid = 'views.an_booktitles'::regclass"
            )
        ]


def test_a_type_change_after_a_field_added_to_the_same_table():
    """dj-stripe's shape: AddField in one migration, AlterField of a column views read later."""
    with project("load_stripe", "0001", "views_start") as built:
        done, seen = under_readers(built, "0003", "views_start")
        assert_clean(done, seen, built.views(), START)
        assert built.applied()[-1] == "0003_pages_bigint"
