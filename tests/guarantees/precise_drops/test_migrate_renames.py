"""A rename or a move of what a managed view reads breaks the view's SQL in the code, if not the
view: `migrate` drops its readers before the statement and rebuilds them from the code after the
migrations, so that stale SQL fails there, naming the view, the migration and the rename.

tests/renameapp: migration 0002 renames a column (RenameField), 0003 a table (RenameModel),
0004 moves a table to another schema (RunSQL ... SET SCHEMA).
"""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test.utils import override_settings

from tests.support.catalog import catalog, view_oids
from tests.support.migrating import MIGRATING_APPS, applied, migrate, table_columns

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def renameapp():
    with override_settings(INSTALLED_APPS=[*MIGRATING_APPS, "tests.renameapp"]):
        try:
            yield
        finally:
            call_command("migrate", "renameapp", "zero", verbosity=0)


@pytest.mark.parametrize(
    ("before", "target", "views", "label", "migration", "statement"),
    [
        (
            "0001",
            "0002",
            "views_stale_column",
            "views_stale_column.Titles",
            "renameapp.0002_rename_title",
            'ALTER TABLE "renameapp_book" RENAME COLUMN "title" TO "heading"',
        ),
        (
            "0002",
            "0003",
            "views_stale_table",
            "views_stale_table.Titles",
            "renameapp.0003_rename_book",
            'ALTER TABLE "renameapp_book" RENAME TO "renameapp_volume"',
        ),
        (
            "0003",
            "0004",
            "views_queryset",
            "views_stale_column.Shelves",  # (and the QuerySet view, which joins it)
            "renameapp.0004_archive_shelf",
            "CREATE SCHEMA renameapp_archive; "
            "ALTER TABLE renameapp_shelf SET SCHEMA renameapp_archive",
        ),
    ],
    ids=["column renamed", "table renamed", "table moved"],
)
def test_a_sql_view_whose_sql_is_stale_after_a_rename_fails_that_migrate(
    before, target, views, label, migration, statement
):
    table = "renameapp_book" if before == "0001" else "renameapp_volume"
    migrate("renameapp", before, views=views)
    applied_before, oids, columns = applied("renameapp"), view_oids(), table_columns(table)
    with pytest.raises(CommandError) as excinfo:
        migrate("renameapp", target, views=views)
    message = str(excinfo.value)
    view = f"tests.renameapp.{label}"
    assert f"{view}: " in message.split("\n")[0] or f"\n  {view}: " in message
    assert (
        f"{view} was dropped before this statement of {migration}, which renames or moves what "
        f"the view reads:\n  {statement}" in message
    )
    if views != "views_queryset":
        assert "rebuilt from its `sql`, which still names it as it was" in message
    assert "None of the migrations above was applied" in message
    # Nothing is applied: the migrations, the tables and the views are as they were.
    assert applied("renameapp") == applied_before
    assert view_oids() == oids
    assert table_columns(table) == columns


def test_a_queryset_view_follows_a_renamed_field_and_model():
    migrate("renameapp", "0001", views="views_stale_column")
    shelves = view_oids()["ren_shelves"]
    # The code now has the model's new names: the QuerySet view compiles to them.
    out = migrate("renameapp", "0003", views="views_queryset")
    assert applied("renameapp")[-2:] == ["0002_rename_title", "0003_rename_book"]
    rows = catalog('SELECT heading, shelf__label FROM "views"."ren_titles" ORDER BY heading')
    assert rows == [("Emma", "A"), ("Ulysses", "A")]
    assert view_oids()["ren_shelves"] == shelves  # it reads nothing that was renamed
    assert "rebuilt" in out.stdout
    # And back: RenameModel and RenameField unapplied, the SQL views of that schema rebuilt.
    migrate("renameapp", "0001", views="views_stale_column")
    assert catalog('SELECT title FROM "views"."ren_titles" ORDER BY title') == [
        ("Emma",),
        ("Ulysses",),
    ]
