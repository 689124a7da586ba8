"""A readable view's fields must be columns of its view: the sync and `check --database` say so.

The sync compares the columns of the views it builds, inside its transaction. The system check
(orm_views.E010) catches what the sync cannot: a model that gained a field while its view's
SQL, and so the view, stayed the same.
"""

from __future__ import annotations

import pytest
from django.core import checks
from django.db import connection, models
from django.test.utils import isolate_apps

from django_orm_views_hook import ReadableViewFromSQL, sync_views
from django_orm_views_hook.checks import check_readable_view_columns
from django_orm_views_hook.definitions.registry import Registry, default_registry
from django_orm_views_hook.exceptions import ViewDefinitionError
from tests.support.catalog import view_oids, views_in_schema
from tests.support.subprocesses import database_url, run

PROBE_SQL = "SELECT 1 AS id, 'a'::text AS label, 2 AS surplus"


@pytest.fixture
def isolated():
    with isolate_apps("tests.readableapp"):
        yield


def with_project(*classes) -> Registry:
    """The project's views plus `classes`: a sync of it builds only those."""
    return Registry([*default_registry.classes, *classes])


def probe(class_name: str, sql: str = PROBE_SQL, **fields) -> type:
    """A readable view "views"."readable_probe" with `id`, `label` and `fields`."""
    body = {
        "__module__": __name__,
        "Meta": type("Meta", (), {"app_label": "readableapp"}),
        "name": "readable_probe",
        "sql": sql,
        "id": models.IntegerField(primary_key=True),
        "label": models.TextField(),
        **fields,
    }
    return type(class_name, (ReadableViewFromSQL,), body)


@pytest.mark.django_db(transaction=True)
def test_sync_fails_naming_the_class_and_the_columns_and_changes_nothing(isolated):
    before = view_oids()
    drifted = probe("Drifted", ghost=models.IntegerField(), spectre=models.IntegerField())
    with pytest.raises(ViewDefinitionError) as failure:
        sync_views(using="default", registry=Registry([drifted]))
    assert str(failure.value) == (
        f"{__name__}.Drifted: the model's fields and the view's columns disagree. Missing from "
        "the view: ghost, spectre. In the view but not the model: surplus. Fix the fields or "
        "the view's query."
    )
    assert view_oids() == before  # the drop of every other view was rolled back too


@pytest.mark.django_db(transaction=True)
def test_sync_fails_when_the_primary_key_column_is_missing(isolated):
    class NoKey(ReadableViewFromSQL):  # Django adds `id`, which the view lacks
        name = "readable_probe"
        label = models.TextField()
        sql = "SELECT 'a'::text AS label"

        class Meta:
            app_label = "readableapp"

    with pytest.raises(ViewDefinitionError, match=r"NoKey: .* Missing from the view: id\. "):
        sync_views(using="default", registry=with_project(NoKey))
    assert "readable_probe" not in views_in_schema()


@pytest.mark.django_db(transaction=True)
def test_check_reports_a_model_that_drifted_from_its_unchanged_view(isolated):
    built = probe("Built")
    sync_views(using="default", registry=with_project(built))
    assert check_readable_view_columns(databases=["default"], registry=with_project(built)) == []

    # Same SQL, one more field: the view is up to date, so no sync would look at it again.
    drifted = probe("Drifted", ghost=models.IntegerField())
    [error] = check_readable_view_columns(databases=["default"], registry=with_project(drifted))
    assert error.id == "orm_views.E010" and error.obj is drifted
    assert error.msg == (
        f'{__name__}.Drifted: the model\'s fields and the columns of "views"."readable_probe" '
        "disagree. Missing from the view: ghost. In the view but not the model: surplus."
    )
    assert isinstance(error, checks.Error)

    # A view whose SQL changed is the next sync's to check: the check leaves it alone, so a
    # migrate that brings both the new fields and the new SQL is not refused beforehand.
    changed = probe("Changed", sql=PROBE_SQL + ", 3 AS extra", ghost=models.IntegerField())
    assert check_readable_view_columns(databases=["default"], registry=with_project(changed)) == []
    # Not asked about a database: a plain `manage.py check` does not connect.
    assert check_readable_view_columns(registry=with_project(drifted)) == []


def test_the_check_is_a_database_check():
    assert "database" in check_readable_view_columns.tags


@pytest.mark.django_db
def test_check_command_on_the_test_project_is_clean():
    result = run(
        ["django", "check", "--database", "default", "--fail-level", "WARNING"],
        database_url(connection.settings_dict["NAME"]),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_command_skips_an_unreachable_database():
    result = run(
        ["django", "check", "--database", "default"],
        "postgres://nobody@127.0.0.1:9/nowhere",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "orm_views.E010" not in result.stdout + result.stderr
