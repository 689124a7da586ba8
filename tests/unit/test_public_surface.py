"""The public surface does not move with the layout: the names, settings and commands."""

from __future__ import annotations

from django.core.management import get_commands

import django_orm_views_hook
from django_orm_views_hook import conf

PUBLIC = {
    "HiddenViewMixin",
    "PostgresMaterialisedViewMixin",
    "PostgresViewFromQueryset",
    "PostgresViewFromSQL",
    "ReadableViewFromQueryset",
    "ReadableViewFromSQL",
    "refresh_due",
    "refresh_materialized_view",
    "sync_views",
    "view_refreshed",
    "views_pre_sync",
    "views_synced",
}


def test_every_public_name_is_importable_from_the_package():
    assert set(django_orm_views_hook.__all__) == PUBLIC
    for name in PUBLIC:
        assert getattr(django_orm_views_hook, name) is not None, name


def test_readable_views_are_exported_lazily():
    """Model classes: importing them while INSTALLED_APPS loads would raise, so the package's
    `__getattr__` imports them on first use and never binds them at import time."""
    for name in ("ReadableViewFromSQL", "ReadableViewFromQueryset"):
        assert name not in vars(django_orm_views_hook)
        view = getattr(django_orm_views_hook, name)
        assert view.__module__ == "django_orm_views_hook.definitions.readable"
        assert view._meta.abstract


def test_settings():
    assert set(conf.DEFAULTS) == {
        "ORM_VIEWS_AUTO_SYNC",
        "ORM_VIEWS_SCHEMA",
        "ORM_VIEWS_MODULE_NAME",
        "ORM_VIEWS_GRANT_SELECT_TO",
        "ORM_VIEWS_LOCK_TIMEOUT",
        "ORM_VIEWS_LOCK_ATTEMPT_TIMEOUT",
        "ORM_VIEWS_LOCK_BUDGET",
        "ORM_VIEWS_ALLOW_CASCADE",
        "ORM_VIEWS_CANCEL_STUCK_QUERIES",
        "ORM_VIEWS_REFRESH_SCHEDULER",
        "ORM_VIEWS_TENANT_SCHEMA",
        "ORM_VIEWS_TENANT_GRANT_SELECT_TO",
    }


def test_commands():
    ours = {name for name, app in get_commands().items() if app == "django_orm_views_hook"}
    assert ours == {
        "clone_tenant",
        "dumpdata",
        "makemigrations",
        "migrate",
        "refresh_views",
        "sync_views",
        "views_graph",
    }
