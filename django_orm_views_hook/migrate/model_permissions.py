"""Content types and permissions of readable views, created after each migrate.

Django creates them on `post_migrate`, for the models of the migration state it hands its
handlers (`apps`), and a readable view is in no migration: without this, `<app>.view_<model>`
would not exist for staff users. Django's own functions run here, given the readable views
that state lacks and nothing else, so that:

* no other model's rows are ever created from the current code: Django's handlers own those,
  and its rename handlers (`RenameContentType`, Django 6.1's permission renames) expect to
  find the old rows only, whichever order the handlers run in;
* nothing happens where Django's handlers would do nothing: the state has no `ContentType`
  (or no `Permission`) model because those migrations are not applied yet (a fresh database,
  a partial migrate), or the views' app is not in it (none of its migrations applied), or the
  router keeps the models off that database;
* a readable view that the state holds (an old migration created it as an unmanaged model,
  or `flush` hands over the project's own models) is left to Django's handlers.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from django.apps import AppConfig
from django.apps import apps as global_apps
from django.apps.registry import Apps
from django.db import DEFAULT_DB_ALIAS, models

from ..definitions.readable import readable_views


def create_for_readable_views(
    sender: AppConfig,
    using: str = DEFAULT_DB_ALIAS,
    verbosity: int = 2,
    apps: Any = global_apps,
    **kwargs: Any,
) -> None:
    """post_migrate receiver: on an app's turn, its readable views that `apps` lacks."""
    views = [view for view in readable_views() if view._meta.app_label == sender.label]
    views = [view for view in views if not _in_state(apps, view)]
    if not views:
        return
    try:
        apps.get_app_config(sender.label)
    except LookupError:
        return  # none of the app's migrations applied: Django creates nothing for it either
    # Duck-typed: Django's two functions call only get_app_config() and get_model().
    narrowed = cast(Apps, _OnlyTheseModels(apps, sender.label, views))
    # Each of Django's two handlers, as their apps connect them: content types, then
    # permissions (which need the content types, and return early without a Permission model).
    if global_apps.is_installed("django.contrib.contenttypes"):
        from django.contrib.contenttypes.management import create_contenttypes

        create_contenttypes(sender, verbosity, interactive=False, using=using, apps=narrowed)
    if global_apps.is_installed("django.contrib.auth"):
        from django.contrib.auth.management import create_permissions

        create_permissions(sender, verbosity, interactive=False, using=using, apps=narrowed)


def _in_state(apps: Any, view: type[models.Model]) -> bool:
    try:
        apps.get_model(view._meta.app_label, view._meta.object_name)
    except LookupError:
        return False
    return True


class _NarrowedApp:
    """What Django's handlers read of an app config: its label and its models."""

    def __init__(self, label: str, models: Sequence[type[models.Model]]) -> None:
        self.label = label
        self._models = models

    def get_models(self) -> list[type[models.Model]]:
        return list(self._models)


class _OnlyTheseModels:
    """The state Django's handlers were given, with one app's models narrowed to `models`.

    `ContentType` and `Permission` still come from that state, so where its migrations are not
    applied (no table yet) Django's functions find no model and return, as they do for models.
    """

    def __init__(self, state: Any, label: str, models: Sequence[type[models.Model]]) -> None:
        self._state = state
        self._app = _NarrowedApp(label, models)

    def get_app_config(self, label: str) -> Any:
        return self._app if label == self._app.label else self._state.get_app_config(label)

    def get_model(self, app_label: str, model_name: str | None = None) -> Any:
        return self._state.get_model(app_label, model_name)
