"""makemigrations never writes anything for a readable view, and migrate never asks for it.

Readable views are unmanaged models of their apps; the package's makemigrations and migrate
leave them out (django_orm_views_hook/autodetector.py). The views of tests/readableapp have keys
to its ordinary models (which have real migrations) and to testapp's; tests/readableapp2's
first migration creates one of its views, as django-orm-views projects' migrations do.
"""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command
from django.core.management.commands.makemigrations import Command as DjangoMakemigrations
from django.db.migrations.autodetector import MigrationAutodetector
from django.test.utils import override_settings

from django_orm_views_hook.management.commands import migrate

READABLE_NAMES = (
    "ReadableTestView",
    "ItemTotals",
    "CityCustomers",
    "CustomerLinks",
    "Legacy",
)


def makemigrations(*args: str) -> str:
    out = io.StringIO()
    call_command("makemigrations", *args, stdout=out, stderr=out)
    return out.getvalue()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "apps_named", [(), ("readableapp",), ("readableapp2",), ("readableapp", "testapp")]
)
def test_makemigrations_check_is_clean(apps_named):
    output = makemigrations(*apps_named, "--check", "--dry-run")
    assert "No changes detected" in output


@pytest.mark.django_db
def test_makemigrations_check_is_clean_when_the_apps_have_no_migrations():
    with override_settings(MIGRATION_MODULES={"readableapp": None, "readableapp2": None}):
        assert "No changes detected" in makemigrations("--check", "--dry-run")


@pytest.mark.django_db
def test_a_new_app_gets_an_initial_migration_for_its_models_only():
    """An empty migrations package (a new app) is where unmanaged models usually leak in."""
    empty = {"readableapp": "tests.readableapp.empty_migrations"}
    with override_settings(MIGRATION_MODULES=empty):
        output = makemigrations("readableapp", "--dry-run", "--verbosity", "3")
    assert re.search(r"\+ Create model TestModel\n", output)
    assert re.search(r"\+ Create model TestModelWithForeignKey\n", output)
    assert output.count("migrations.CreateModel(") == 2
    for name in READABLE_NAMES:
        assert name not in output


@pytest.mark.django_db
def test_django_own_makemigrations_would_write_them():
    """Control: the package's makemigrations is what keeps readable views out."""
    out = io.StringIO()
    with pytest.raises(SystemExit):
        call_command(DjangoMakemigrations(), "--check", "--dry-run", "-v", "3", stdout=out)
    assert "Create model CityCustomers" in out.getvalue()


@pytest.mark.django_db(transaction=True, databases="__all__")
def test_migrate_reports_no_unreflected_model_changes():
    out = io.StringIO()
    call_command("migrate", stdout=out)
    output = out.getvalue()
    assert "No migrations to apply." in output
    assert "have changes that are not yet reflected" not in output

    # Control: with Django's own autodetector, migrate would ask for their migrations.
    class DjangoDetecting(migrate.Command):
        autodetector = MigrationAutodetector

    out = io.StringIO()
    call_command(DjangoDetecting(), stdout=out)
    assert "'readableapp', 'readableapp2' have changes that are not yet reflected" in out.getvalue()
