"""The system checks of a django-tenants project: registered only when it installs django-tenants.

How django-tenants runs our migrate, and the two settings of the views per tenant.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core import checks
from django.utils.module_loading import import_string

from . import conf

#: The setting that makes django-tenants' migrate_schemas run our migrate for each schema.
OUR_MIGRATE = f"{conf.APP_NAME}.management.commands.migrate.Command"


def check_tenants(app_configs: Sequence[Any] | None = None, **kwargs: Any) -> list[Any]:
    """django-tenants projects. orm_views.W004: migrate_schemas would run Django's migrate,
    not ours; E112: ORM_VIEWS_TENANT_SCHEMA; E113: ORM_VIEWS_TENANT_GRANT_SELECT_TO."""
    if not conf.tenants():
        return []
    found: list[checks.CheckMessage] = []
    command = getattr(settings, "TENANT_BASE_MIGRATE_COMMAND", None)
    if conf.auto_sync() and command != OUR_MIGRATE:
        found.append(
            checks.Warning(
                f"TENANT_BASE_MIGRATE_COMMAND is {command!r}, so migrate_schemas runs that "
                "migrate for each schema, not this package's: each schema's migrations commit "
                "before its views are rebuilt, and one that drops or retypes a column a view "
                "reads fails.",
                hint=f'Set TENANT_BASE_MIGRATE_COMMAND = "{OUR_MIGRATE}".',
                id="orm_views.W004",
            )
        )
    pattern = conf.setting("ORM_VIEWS_TENANT_SCHEMA")
    try:
        named = conf.tenant_views_schema("t", "s") != conf.tenant_views_schema("u", "s")
    except (AttributeError, IndexError, KeyError, ValueError):
        named = False
    if not named:
        found.append(
            checks.Error(
                f"ORM_VIEWS_TENANT_SCHEMA must be a string that names {{tenant}} (and may name "
                f"{{schema}}), not {pattern!r}: each tenant's views need a schema of their own.",
                hint='The default is "{tenant}_{schema}": tenant alpha\'s views in alpha_views.',
                id="orm_views.E112",
            )
        )
    grants = conf.setting("ORM_VIEWS_TENANT_GRANT_SELECT_TO")
    try:
        usable = grants is None or callable(
            import_string(grants) if isinstance(grants, str) else grants
        )
    except ImportError:
        usable = False
    if not usable:
        found.append(
            checks.Error(
                "ORM_VIEWS_TENANT_GRANT_SELECT_TO must be None, a callable or the dotted path "
                f"of one (a tenant's schema name -> its roles), not {grants!r}.",
                id="orm_views.E113",
            )
        )
    return found
