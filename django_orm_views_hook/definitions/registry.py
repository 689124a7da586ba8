"""Discovery: which view classes the installed apps define, per database alias."""

from __future__ import annotations

import pkgutil
from collections.abc import Iterable
from importlib import import_module
from types import ModuleType

from django.apps import AppConfig, apps
from django.utils.module_loading import module_has_submodule

from .. import conf
from .naming import view_database
from .views import PostgresView, is_view_class


def discover(
    app_configs: Iterable[AppConfig] | None = None, module_name: str | None = None
) -> list[type[PostgresView]]:
    """Import `<app>.<module_name>` of every app and return the view classes it holds.

    A views module that is a package contributes every submodule, imported here, so what is
    found never depends on what happened to be imported before. Only a missing module is
    skipped: an ImportError raised inside one propagates.
    """
    module_name = module_name or conf.module_name()
    found: dict[type[PostgresView], None] = {}
    for app_config in app_configs if app_configs is not None else apps.get_app_configs():
        if not module_has_submodule(app_config.module, module_name):
            continue
        for module in _import_tree(f"{app_config.name}.{module_name}"):
            found.update((value, None) for value in vars(module).values() if is_view_class(value))
    return list(found)


def _import_tree(name: str) -> list[ModuleType]:
    """The module and, for a package, all its submodules (sorted by name), imported."""
    module = import_module(name)
    modules = [module]
    # Not pkgutil.walk_packages: it swallows ImportErrors raised in subpackages.
    for info in pkgutil.iter_modules(getattr(module, "__path__", ()), prefix=f"{name}."):
        modules.extend(_import_tree(info.name) if info.ispkg else [import_module(info.name)])
    return modules


class Registry:
    """The view classes of a project, in discovery order.

    Given classes, it holds exactly those (tests build their own). Without, it follows the
    installed apps: discovery reruns only when INSTALLED_APPS or ORM_VIEWS_MODULE_NAME change.
    """

    def __init__(self, classes: Iterable[type[PostgresView]] | None = None) -> None:
        self._fixed = None if classes is None else tuple(dict.fromkeys(classes))
        self._key: tuple[object, ...] | None = None
        self._found: tuple[type[PostgresView], ...] = ()

    @property
    def classes(self) -> tuple[type[PostgresView], ...]:
        if self._fixed is not None:
            return self._fixed
        app_configs = list(apps.get_app_configs())
        key = (conf.module_name(), *(config.name for config in app_configs))
        if key != self._key:
            self._found = tuple(discover(app_configs))
            self._key = key
        return self._found

    def for_database(self, using: str) -> tuple[type[PostgresView], ...]:
        """The classes whose `database` is `using`."""
        return tuple(cls for cls in self.classes if view_database(cls) == using)

    def databases(self) -> set[str]:
        return {view_database(cls) for cls in self.classes}


#: Follows the installed apps; the app fills it at start-up so import errors surface then.
default_registry = Registry()
