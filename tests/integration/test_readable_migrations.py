"""makemigrations never writes anything for a readable view, and migrate never asks for it.

Readable views are models of the app "django_orm_views_hook", which has no migrations
module. The views of tests/readableapp have keys to its ordinary models (which have real
migrations) and to testapp's.
"""

from __future__ import annotations

import io
import re

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db.migrations.autodetector import MigrationAutodetector
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.operations import CreateModel
from django.db.migrations.state import ProjectState
from django.test.utils import override_settings

from django_orm_views_hook.readable import APP_LABEL

READABLE_NAMES = (
    "ReadableTestView",
    "ItemTotals",
    "CityCustomers",
    "CustomerLinks",
    APP_LABEL,
)


def makemigrations(*args: str) -> str:
    out = io.StringIO()
    call_command("makemigrations", *args, stdout=out, stderr=out)
    return out.getvalue()


@pytest.mark.django_db
@pytest.mark.parametrize("apps_named", [(), ("readableapp",), ("readableapp", "testapp")])
def test_makemigrations_check_is_clean(apps_named):
    output = makemigrations(*apps_named, "--check", "--dry-run")
    assert "No changes detected" in output


@pytest.mark.django_db
def test_makemigrations_check_is_clean_when_the_app_has_no_migrations():
    with override_settings(MIGRATION_MODULES={"readableapp": None}):
        assert "No changes detected" in makemigrations("--check", "--dry-run")


@pytest.mark.django_db
def test_a_new_app_gets_an_initial_migration_for_its_models_only():
    """An empty migrations package (a new app) is where unmanaged models usually leak in."""
    empty = {"readableapp": "tests.readableapp.empty_migrations"}
    with override_settings(MIGRATION_MODULES=empty):
        output = makemigrations("readableapp", "--dry-run", "--verbosity", "3")
    # Django 5.1+ marks a creation "+", older versions "-".
    assert re.search(r"[+-] Create model TestModel\n", output)
    assert re.search(r"[+-] Create model TestModelWithForeignKey\n", output)
    assert output.count("migrations.CreateModel(") == 2
    for name in READABLE_NAMES:
        assert name not in output


def relabelled(state: ProjectState, names: list[str], app_label: str) -> ProjectState:
    """The project state as if the readable views `names` were models of `app_label`."""
    for name in names:
        model = state.models.pop((APP_LABEL, name.lower()))
        model.app_label = app_label
        state.models[(app_label, name.lower())] = model
    return state


def test_the_app_label_is_what_keeps_readable_views_out_of_migrations():
    """Control: in an app with migrations, the autodetector would create them."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    current = ProjectState.from_apps(apps)
    assert MigrationAutodetector(loader.project_state(), current).changes(loader.graph) == {}

    names = [
        "ReadableTestViewFromQueryset",
        "ItemTotals",
        "ReadableTestViewWithNullableForeignKeys",
    ]
    moved = relabelled(ProjectState.from_apps(apps), names, "readableapp")
    changes = MigrationAutodetector(loader.project_state(), moved).changes(loader.graph)
    [migration] = changes["readableapp"]
    created = {op.name: op.options for op in migration.operations if isinstance(op, CreateModel)}
    assert sorted(created) == sorted(names)
    assert all(options["managed"] is False for options in created.values())
    assert created["ItemTotals"]["db_table"] == '"views"."readable_itemtotals"'


@pytest.mark.django_db(transaction=True, databases="__all__")
def test_migrate_reports_no_unreflected_model_changes():
    out = io.StringIO()
    call_command("migrate", stdout=out)
    output = out.getvalue()
    assert "No migrations to apply." in output
    assert "have changes that are not yet reflected" not in output
