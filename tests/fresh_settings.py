"""A lean project for the scheduled refreshes run as whole processes (tests/freshapp).

ORM_VIEWS_REFRESH_SCHEDULER comes from the environment ("pg_cron" for the pg_cron tests).
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
