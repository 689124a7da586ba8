"""Readable views are models of the app that defines them, and still never produce a migration.

tests/readableapp2 has a readable view with the class name of one of readableapp's, keyed to it
by a string, and one that its first migration creates as an unmanaged model with options that
have changed since, as django-orm-views projects have (migrations/0001_initial.py).
"""

from __future__ import annotations

import importlib
import io
import json
import shutil
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core import checks
from django.core.management import call_command
from django.core.management.commands.dumpdata import Command as DjangoDumpdata
from django.db.migrations.autodetector import MigrationAutodetector
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.state import ProjectState
from django.test.utils import override_settings

from django_orm_views_hook.exceptions import ReadOnlyViewError
from django_orm_views_hook.migrate.autodetector import ReadableViewsAutodetector
from tests.readableapp import postgres_views as first
from tests.readableapp2 import postgres_views as second
from tests.readableapp2.models import Note
from tests.support.factories import CustomerFactory
from tests.testapp.models import Customer

VIEWS = (first.CityCustomers, second.CityCustomers, second.Legacy)
VIEW_LABELS = {"readableapp.citycustomers", "readableapp2.citycustomers", "readableapp2.legacy"}


def test_each_app_has_its_own_city_customers():
    assert apps.get_model("readableapp", "CityCustomers") is first.CityCustomers
    assert apps.get_model("readableapp2.CityCustomers") is second.CityCustomers
    assert apps.get_app_config("readableapp2").get_model("legacy") is second.Legacy
    assert second.CityCustomers._meta.label == "readableapp2.CityCustomers"
    # String references: to another app's readable view, and to one of its own app.
    assert second.CityCustomers._meta.get_field("city").related_model is first.CityCustomers
    assert second.CityCustomers._meta.get_field("largest").related_model is second.Legacy


@pytest.fixture
def customers():
    return [
        CustomerFactory(city="Paris", name="Ann"),
        CustomerFactory(city="Paris", name="Bea"),
        CustomerFactory(city="Lyon", name="Cy"),
    ]


@pytest.mark.django_db
def test_string_keys_between_readable_views_of_two_apps(customers):
    row = second.CityCustomers.objects.select_related("city", "largest").get(city="Paris")
    assert (row.customers, row.city.customers, row.largest.name) == (2, 2, "Bea")
    assert first.CityCustomers.objects.get(city="Lyon").again.customers == 1
    assert list(second.Legacy.objects.values_list("name", flat=True)) == ["Ann", "Bea", "Cy"]
    assert second.CityCustomers.objects.filter(city__customers=2).count() == 1


@pytest.mark.django_db
def test_content_types_and_permissions_belong_to_the_app():
    """Created by migrate (the test database's), though no migration state holds the views."""
    for view in VIEWS:
        opts = view._meta
        permission = Permission.objects.get(
            content_type__app_label=opts.app_label, codename=f"view_{opts.model_name}"
        )
        assert permission.content_type == ContentType.objects.get_for_model(view)
    assert not ContentType.objects.filter(app_label="django_orm_views_hook").exists()


def project_states() -> tuple[MigrationLoader, ProjectState, ProjectState]:
    loader = MigrationLoader(None, ignore_no_migrations=True)
    return loader, loader.project_state(), ProjectState.from_apps(apps)


def test_django_own_autodetector_would_migrate_the_readable_views():
    """Control: what the package's autodetector leaves out."""
    loader, migrated, current = project_states()
    changes = MigrationAutodetector(migrated, current).changes(loader.graph)
    operations = {
        (type(operation).__name__, operation.name_lower)
        for migration in changes["readableapp2"]
        for operation in migration.operations
    }
    assert operations == {
        ("CreateModel", "citycustomers"),
        ("AlterModelOptions", "legacy"),
        ("AlterModelTable", "legacy"),
    }
    assert "readableapp" in changes  # its readable views too


def test_the_package_autodetector_leaves_readable_views_out():
    loader, migrated, current = project_states()
    assert ReadableViewsAutodetector(migrated, current).changes(loader.graph) == {}
    # Not even a DeleteModel for the view the migrations created.
    assert ("readableapp2", "legacy") in migrated.models


def makemigrations(*args: str) -> str:
    out = io.StringIO()
    call_command("makemigrations", *args, stdout=out, stderr=out)
    return out.getvalue()


@pytest.mark.django_db
def test_squashmigrations_adds_nothing_and_makemigrations_stays_clean(tmp_path, monkeypatch):
    """The squash carries the first migration's CreateModel over as it is, nothing more."""
    shutil.copytree(Path(second.__file__).parent / "migrations", tmp_path / "squashed2")
    monkeypatch.syspath_prepend(str(tmp_path))
    with override_settings(MIGRATION_MODULES={"readableapp2": "squashed2"}):
        call_command("squashmigrations", "readableapp2", "0002", interactive=False, verbosity=0)
        squashed = importlib.import_module("squashed2.0001_squashed_0002_note").Migration
        assert [(type(op).__name__, op.name) for op in squashed.operations] == [
            ("CreateModel", "Legacy"),
            ("CreateModel", "Note"),
        ]
        assert squashed.operations[0].options == {"db_table": 'views"."legacy', "managed": False}
        assert "No changes detected" in makemigrations("--check", "--dry-run")


def dump(*labels: str, command: object = "dumpdata") -> list[dict]:
    out = io.StringIO()
    call_command(command, *labels, stdout=out)
    return json.loads(out.getvalue())


def models_in(rows: list[dict]) -> set[str]:
    return {row["model"] for row in rows}


@pytest.mark.django_db
def test_dumpdata_leaves_readable_views_out_unless_named(customers):
    Note.objects.create(text="kept")
    project = models_in(dump())
    assert "testapp.customer" in project and "readableapp2.note" in project
    assert not project & VIEW_LABELS
    assert models_in(dump("readableapp2")) == {"readableapp2.note"}
    named = dump("readableapp2.CityCustomers", "readableapp.citycustomers")
    assert models_in(named) == {"readableapp2.citycustomers", "readableapp.citycustomers"}
    assert len(named) == 4  # two cities in each
    assert models_in(dump("readableapp2", "readableapp2.Legacy")) == {
        "readableapp2.note",
        "readableapp2.legacy",
    }
    # Control: Django's own dumpdata includes them.
    assert models_in(dump(command=DjangoDumpdata())) >= VIEW_LABELS


@pytest.mark.django_db(transaction=True)
def test_a_whole_project_dump_loads_back(customers, tmp_path):
    """With natural keys, as Django advises for a whole project: flush recreates content types."""
    Note.objects.create(text="kept")
    fixture = tmp_path / "project.json"
    natural = ("--natural-foreign", "--natural-primary")
    fixture.write_text(json.dumps(dump(*natural)))
    call_command("flush", interactive=False, verbosity=0)
    assert not Customer.objects.exists()
    call_command("loaddata", str(fixture), verbosity=0)
    assert Customer.objects.count() == 3 and Note.objects.get().text == "kept"
    assert second.CityCustomers.objects.get(city="Paris").customers == 2

    # Control: a dump with the views' rows cannot be loaded.
    fixture.write_text(json.dumps(dump(*natural, command=DjangoDumpdata())))
    with pytest.raises(ReadOnlyViewError):
        call_command("loaddata", str(fixture), verbosity=0)


def test_a_makemigrations_command_shadowing_ours_is_reported():
    """tests.shadowapp's makemigrations is Django's; its dumpdata subclasses ours."""
    assert not [e for e in checks.run_checks() if e.id == "orm_views.W002"]
    installed = ["tests.shadowapp", *(config.name for config in apps.get_app_configs())]
    with override_settings(INSTALLED_APPS=installed):
        [warning] = [e for e in checks.run_checks() if e.id == "orm_views.W002"]
    assert warning.msg.startswith("The makemigrations command comes from 'tests.shadowapp'")
    assert "INSTALLED_APPS" in warning.hint
