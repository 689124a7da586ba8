"""Content types and permissions of readable views, created after each migrate.

Django creates them, on `post_migrate`, for the models of the migrations' state, and a readable
view is in no migration: without this, `<app_label>.view_<model>` would not exist for staff
users. The same functions of Django's run, given the project's models instead of the state's.
"""

from __future__ import annotations

from typing import Any

from django.apps import AppConfig, apps
from django.db import DEFAULT_DB_ALIAS

from .readable import readable_views


def create_for_readable_views(
    sender: AppConfig, using: str = DEFAULT_DB_ALIAS, verbosity: int = 2, **kwargs: Any
) -> None:
    """post_migrate receiver: on an app's turn, if it has readable views."""
    if not any(view._meta.app_label == sender.label for view in readable_views()):
        return
    if apps.is_installed("django.contrib.auth"):
        from django.contrib.auth.management import create_permissions  # creates content types

        create_permissions(sender, verbosity, interactive=False, using=using, apps=apps)
    elif apps.is_installed("django.contrib.contenttypes"):
        from django.contrib.contenttypes.management import create_contenttypes

        create_contenttypes(sender, verbosity, interactive=False, using=using, apps=apps)
