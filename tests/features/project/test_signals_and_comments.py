"""Signals around a sync; class docstrings as COMMENT ON VIEW for analysts."""

from __future__ import annotations

import pytest

from django_orm_views_hook import PostgresViewFromSQL, sync_views, views_pre_sync, views_synced
from django_orm_views_hook.definitions.registry import Registry, default_registry
from tests.support.catalog import catalog
from tests.support.migrating import execute

pytestmark = pytest.mark.django_db(transaction=True)


class Documented(PostgresViewFromSQL):
    """Orders per day.

    One row per calendar day; no personal data.
    """

    schema = "docs_views"
    sql = "SELECT 1 AS one"


class Silent(PostgresViewFromSQL):
    """Not for analysts' eyes."""

    schema = "docs_views"
    comment = False
    sql = "SELECT 2 AS two"


class Explicit(PostgresViewFromSQL):
    schema = "docs_views"
    comment = "Revenue it's worth reading about"
    sql = "SELECT 3 AS three"


@pytest.fixture
def docs_registry():
    yield Registry([*default_registry.for_database("default"), Documented, Silent, Explicit])
    sync_views(using="default")  # drops the docs_views schema again
    execute("DROP SCHEMA IF EXISTS docs_views CASCADE")


def comment_of(relation: str) -> str:
    return catalog("SELECT obj_description(%s::regclass, 'pg_class')", [relation])[0][0]


def test_docstrings_become_view_comments(docs_registry):
    sync_views(using="default", registry=docs_registry)
    assert comment_of("docs_views.documented").startswith(
        "Orders per day.\n\nOne row per calendar day; no personal data.\n\nManaged by"
    )
    assert comment_of("docs_views.silent").startswith("Managed by django_orm_views_hook.")
    assert comment_of("docs_views.explicit").startswith("Revenue it's worth reading about\n\n")
    # The comments are the package's record too: a second sync finds nothing to do.
    assert sync_views(using="default", registry=docs_registry)[0].status.value == "up to date"


def test_signals_carry_the_sync(docs_registry):
    received = []

    def pre(sender, **kwargs):
        received.append(("pre", kwargs["using"], len(kwargs["views"]), kwargs["dry_run"]))

    def done(sender, **kwargs):
        received.append(("done", kwargs["unchanged"], len(kwargs["result"].built)))

    views_pre_sync.connect(pre)
    views_synced.connect(done)
    try:
        sync_views(using="default", registry=docs_registry)
        sync_views(using="default", registry=docs_registry)
    finally:
        views_pre_sync.disconnect(pre)
        views_synced.disconnect(done)
    count = len(docs_registry.for_database("default"))
    assert received == [("pre", "default", count, False), ("done", False, 3), ("done", True, 0)]


def test_readable_view_fields_document_their_columns():
    rows = catalog(
        "SELECT a.attname, col_description(a.attrelid, a.attnum) FROM pg_attribute a"
        " WHERE a.attrelid = 'views.readable_city_customers'::regclass AND a.attnum > 0"
        " ORDER BY a.attnum"
    )
    assert rows == [
        ("city", "city of delivery"),
        ("customers", "Customers living there; names are not shown."),
    ]
    # Documented in the view too, from the class docstring.
    assert comment_of("views.readable_city_customers").startswith("A string primary key")
