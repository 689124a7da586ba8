"""The ORM_VIEWS_* settings: one getter each, read at call time so override_settings works."""

from __future__ import annotations

from typing import Any

from django.conf import settings

#: The app's name and label in INSTALLED_APPS.
APP_NAME = "django_orm_views_hook"

DEFAULTS: dict[str, Any] = {
    "ORM_VIEWS_AUTO_SYNC": True,
    "ORM_VIEWS_SCHEMA": "views",
    "ORM_VIEWS_MODULE_NAME": "postgres_views",
    "ORM_VIEWS_GRANT_SELECT_TO": [],
    "ORM_VIEWS_LOCK_TIMEOUT": None,
    "ORM_VIEWS_ALLOW_CASCADE": False,
}


def _get(name: str) -> Any:
    return getattr(settings, name, DEFAULTS[name])


def auto_sync() -> bool:
    """Whether `migrate` rebuilds the views inside its own transaction."""
    return bool(_get("ORM_VIEWS_AUTO_SYNC"))


def schema() -> str:
    """The default schema of the managed views."""
    return str(_get("ORM_VIEWS_SCHEMA"))


def module_name() -> str:
    """The module searched for view classes in every installed app."""
    return str(_get("ORM_VIEWS_MODULE_NAME"))


def grant_select_to() -> tuple[str, ...]:
    """Roles that get USAGE on the schemas and SELECT on every non-hidden view."""
    value = _get("ORM_VIEWS_GRANT_SELECT_TO")
    if isinstance(value, str):  # a common slip; the system check reports it too
        return (value,)
    return tuple(value)


def lock_timeout() -> str | None:
    """`SET LOCAL lock_timeout` for a sync, e.g. "5s"; None waits forever."""
    value = _get("ORM_VIEWS_LOCK_TIMEOUT")
    return None if value is None else str(value)


def allow_cascade() -> bool:
    """Drop objects outside the managed schemas that read managed views, instead of refusing."""
    return bool(_get("ORM_VIEWS_ALLOW_CASCADE"))
