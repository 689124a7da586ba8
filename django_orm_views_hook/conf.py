"""The ORM_VIEWS_* settings: one getter each, read at call time so override_settings works."""

from __future__ import annotations

import re
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

#: The app's name and label in INSTALLED_APPS.
APP_NAME = "django_orm_views_hook"

DEFAULTS: dict[str, Any] = {
    "ORM_VIEWS_AUTO_SYNC": True,
    "ORM_VIEWS_SCHEMA": "views",
    "ORM_VIEWS_MODULE_NAME": "postgres_views",
    "ORM_VIEWS_GRANT_SELECT_TO": [],
    "ORM_VIEWS_LOCK_TIMEOUT": None,
    # A reader queues behind a pending lock for one attempt at most; a minute lets a long
    # query finish, after which the deploy fails naming it rather than hanging.
    "ORM_VIEWS_LOCK_ATTEMPT_TIMEOUT": "100ms",
    "ORM_VIEWS_LOCK_BUDGET": "60s",
    "ORM_VIEWS_ALLOW_CASCADE": False,
    # A query that waits for the run while holding what it needs cannot end before the commit.
    "ORM_VIEWS_CANCEL_STUCK_QUERIES": True,
    "ORM_VIEWS_REFRESH_SCHEDULER": None,
    # django-tenants: where a tenant's views live ({tenant}: its schema; {schema}: the view's).
    "ORM_VIEWS_TENANT_SCHEMA": "{tenant}_{schema}",
    "ORM_VIEWS_TENANT_GRANT_SELECT_TO": None,
}

#: The values ORM_VIEWS_REFRESH_SCHEDULER may take (None: refresh_views --due, run by anything).
REFRESH_SCHEDULERS = (None, "pg_cron")


def setting(name: str) -> Any:
    """Setting `name` as set, else its default: the one place defaults are applied."""
    return getattr(settings, name, DEFAULTS[name])


def auto_sync() -> bool:
    """Whether `migrate` rebuilds the views inside its own transaction."""
    return bool(setting("ORM_VIEWS_AUTO_SYNC"))


def schema() -> str:
    """The default schema of the managed views."""
    return str(setting("ORM_VIEWS_SCHEMA"))


def module_name() -> str:
    """The module searched for view classes in every installed app."""
    return str(setting("ORM_VIEWS_MODULE_NAME"))


def grant_select_to() -> tuple[str, ...]:
    """Roles that get USAGE on the schemas and SELECT on every non-hidden view."""
    value = setting("ORM_VIEWS_GRANT_SELECT_TO")
    if isinstance(value, str):  # a common slip; the system check reports it too
        return (value,)
    return tuple(value)


def lock_timeout_setting() -> Any:
    """ORM_VIEWS_LOCK_TIMEOUT as set, unvalidated."""
    return setting("ORM_VIEWS_LOCK_TIMEOUT")


def lock_timeout() -> str | None:
    """ORM_VIEWS_LOCK_TIMEOUT as messages show it: "5s" as written, 5 as "5s"; None: forever.

    Validated like the other durations: PostgreSQL would read a bare 5 as milliseconds.
    """
    value = lock_timeout_setting()
    if value is None:
        return None
    seconds = duration("ORM_VIEWS_LOCK_TIMEOUT")
    return value.strip() if isinstance(value, str) else f"{seconds:g}s"


def lock_timeout_seconds() -> float | None:
    """How long a sync waits for a lock, in seconds (the transaction's lock_timeout, and the
    wait for the deploy lock); None waits forever."""
    return None if lock_timeout_setting() is None else duration("ORM_VIEWS_LOCK_TIMEOUT")


def allow_cascade() -> bool:
    """Drop objects outside the managed schemas that read managed views, instead of refusing."""
    return bool(setting("ORM_VIEWS_ALLOW_CASCADE"))


def cancel_stuck_queries() -> bool:
    """Cancel a query that holds what the run needs while it waits for what the run holds."""
    return bool(setting("ORM_VIEWS_CANCEL_STUCK_QUERIES"))


def refresh_scheduler() -> str | None:
    """Who runs the due refreshes: None (`refresh_views --due` from any scheduler), or
    "pg_cron" (the sync keeps a pg_cron job in the database that does it)."""
    value = setting("ORM_VIEWS_REFRESH_SCHEDULER")
    return value if value in REFRESH_SCHEDULERS else None  # the system check reports others


def tenants() -> bool:
    """Whether this is a schema-per-tenant project (django-tenants in INSTALLED_APPS)."""
    return apps.is_installed("django_tenants")


def public_schema() -> str:
    """django-tenants' shared schema (PUBLIC_SCHEMA_NAME)."""
    return str(getattr(settings, "PUBLIC_SCHEMA_NAME", "public"))


def tenant_apps() -> tuple[str, ...]:
    """django-tenants' TENANT_APPS: the apps whose tables every tenant has in its own schema."""
    return tuple(getattr(settings, "TENANT_APPS", ()))


def tenant_views_schema(tenant: str, schema: str) -> str:
    """The schema of tenant `tenant`'s copies of the views of `schema` (ORM_VIEWS_TENANT_SCHEMA)."""
    return str(setting("ORM_VIEWS_TENANT_SCHEMA")).format(tenant=tenant, schema=schema)


def tenant_grant_select_to(tenant: str) -> tuple[str, ...]:
    """The roles granted SELECT on tenant `tenant`'s views only: ORM_VIEWS_TENANT_GRANT_SELECT_TO
    is a callable (or its dotted path) that maps a tenant's schema name to a list of roles."""
    value = setting("ORM_VIEWS_TENANT_GRANT_SELECT_TO")
    if value is None:
        return ()
    roles = (import_string(value) if isinstance(value, str) else value)(tenant)
    return (roles,) if isinstance(roles, str) else tuple(roles)


_DURATION = re.compile(r"\s*(\d+(?:\.\d*)?|\.\d+)\s*(ms|s|min|h)\s*", re.IGNORECASE)
_UNIT_SECONDS = {"ms": 0.001, "s": 1.0, "min": 60.0, "h": 3600.0}


def duration(name: str) -> float:
    """Setting `name` in seconds: a number of seconds, or a string with a unit ("100ms", "1min").

    A string without a unit is refused: PostgreSQL reads "100" as milliseconds, Python as seconds.
    """
    value = setting(name)
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0:
        return float(value)
    match = _DURATION.fullmatch(value) if isinstance(value, str) else None
    if match is None or float(match.group(1)) <= 0:
        raise ImproperlyConfigured(
            f"{name} must be a positive duration: a number of seconds or a string with a unit "
            f'(ms, s, min, h) such as "100ms" or "60s"; not {value!r}.'
        )
    return float(match.group(1)) * _UNIT_SECONDS[match.group(2).lower()]


def lock_attempt_timeout() -> float:
    """Seconds one attempt waits for the views' exclusive locks (so readers queue no longer)."""
    return duration("ORM_VIEWS_LOCK_ATTEMPT_TIMEOUT")


def lock_budget() -> float:
    """Seconds of retried attempts before the sync gives up, naming who holds the views."""
    return duration("ORM_VIEWS_LOCK_BUDGET")
