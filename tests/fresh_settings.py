"""A lean project for the scheduled refreshes run as whole processes (tests/freshapp).

ORM_VIEWS_REFRESH_SCHEDULER, ORM_VIEWS_MODULE_NAME and ORM_VIEWS_LOCK_BUDGET come from the
environment, so that a test can run another version of the project's code.
"""

import os

from django_orm_views_hook.embedded import database_settings

SECRET_KEY = "tests-only"
USE_TZ = True
TIME_ZONE = "UTC"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
DATABASES = {"default": database_settings()}
INSTALLED_APPS = ["django_orm_views_hook", "tests.freshapp"]
ORM_VIEWS_REFRESH_SCHEDULER = os.environ.get("ORM_VIEWS_REFRESH_SCHEDULER") or None
ORM_VIEWS_MODULE_NAME = os.environ.get("ORM_VIEWS_MODULE_NAME", "postgres_views")
ORM_VIEWS_LOCK_BUDGET = os.environ.get("ORM_VIEWS_LOCK_BUDGET", "60s")
