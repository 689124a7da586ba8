"""Discovery of the views modules of installed apps (tests/badapps, no database)."""

from __future__ import annotations

import subprocess
import sys

import pytest
from django.apps import AppConfig
from django.test.utils import override_settings

from django_orm_views_hook.definitions import registry
from django_orm_views_hook.definitions.naming import label
from django_orm_views_hook.definitions.registry import Registry, default_registry, discover
from tests.support.subprocesses import ROOT
from tests.testapp import postgres_views as testapp_views

BROKEN = "tests.badapps.broken_import"
PACKAGE = "tests.badapps.views_package"
CUSTOM = "tests.badapps.custom_module_name"


def configs(*names: str) -> list[AppConfig]:
    return [AppConfig.create(name) for name in names]


def class_names(classes) -> list[str]:
    return [cls.__name__ for cls in classes]


def test_import_error_inside_a_views_module_propagates():
    for _ in range(2):  # and is not remembered as "no views module" afterwards
        with pytest.raises(ModuleNotFoundError) as excinfo:
            discover(configs(BROKEN))
        assert excinfo.value.name == f"{BROKEN}.missing_helpers"


def test_import_error_propagates_through_the_registry():
    with (
        override_settings(INSTALLED_APPS=[BROKEN]),
        pytest.raises(ModuleNotFoundError, match="missing_helpers"),
    ):
        Registry().classes  # noqa: B018


def test_import_error_surfaces_when_django_starts():
    code = (
        "import django\n"
        "from django.conf import settings\n"
        f"settings.configure(INSTALLED_APPS=['django_orm_views_hook', {BROKEN!r}])\n"
        "django.setup()\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode != 0
    assert f"No module named '{BROKEN}.missing_helpers'" in result.stderr


def test_apps_without_a_views_module_are_skipped():
    assert discover(configs("django.contrib.contenttypes", "django.contrib.auth")) == []


def test_views_package_contributes_every_submodule(monkeypatch):
    # As in a fresh process: nothing but discovery has imported the submodules.
    for name in list(sys.modules):
        if name.startswith(f"{PACKAGE}.postgres_views"):
            monkeypatch.delitem(sys.modules, name)
    found = discover(configs(PACKAGE))
    assert sorted(class_names(found)) == [
        "PackageRootView",
        "SalesView",
        "StockOnOther",
        "StockView",
    ]
    assert [label(cls) for cls in found if cls.__name__ == "SalesView"] == [
        f"{PACKAGE}.postgres_views.sales.SalesView"
    ]
    assert class_names(discover(configs(PACKAGE))) == class_names(found)  # same order again


def test_abstract_bases_and_imported_base_classes_are_not_views():
    found = class_names(discover(configs(PACKAGE)))
    for name in ("AbstractReport", "PostgresViewFromSQL", "HiddenViewMixin"):
        assert name not in found


def test_module_name_argument_and_setting():
    assert class_names(discover(configs(CUSTOM))) == ["DefaultModuleView"]
    assert class_names(discover(configs(CUSTOM), "reporting_views")) == ["ReportingModuleView"]
    with override_settings(INSTALLED_APPS=[CUSTOM], ORM_VIEWS_MODULE_NAME="reporting_views"):
        assert class_names(Registry().classes) == ["ReportingModuleView"]
        assert class_names(discover()) == ["ReportingModuleView"]


def test_registry_follows_installed_apps_and_module_name():
    views = Registry()
    with override_settings(INSTALLED_APPS=[CUSTOM]):
        assert class_names(views.classes) == ["DefaultModuleView"]
        with override_settings(ORM_VIEWS_MODULE_NAME="reporting_views"):
            assert class_names(views.classes) == ["ReportingModuleView"]
    with override_settings(INSTALLED_APPS=[PACKAGE, CUSTOM]):
        assert "DefaultModuleView" in class_names(views.classes)
        assert class_names(views.for_database("other")) == ["StockOnOther"]
        assert views.databases() == {"default", "other"}


def test_registry_with_given_classes_ignores_installed_apps():
    given = [testapp_views.CityCounts, testapp_views.HiddenView, testapp_views.CityCounts]
    views = Registry(given)
    with override_settings(INSTALLED_APPS=[CUSTOM]):
        assert views.classes == (testapp_views.CityCounts, testapp_views.HiddenView)


def test_default_registry_holds_the_test_project_views():
    defined = [value for value in vars(testapp_views).values() if registry.is_view_class(value)]
    found = [cls for cls in default_registry.classes if cls.__module__ == testapp_views.__name__]
    assert found == defined
    assert testapp_views.OtherDatabaseView in default_registry.for_database("other")
    assert testapp_views.OtherDatabaseView not in default_registry.for_database("default")
