"""A small project for child processes: contenttypes, auth and tests.teamapp, with or without us.

TEAM_PROJECT chooses how the package is installed, so that one history of migrations can be
run on each and the databases compared:

* ``hook`` (default): listed first, as README says;
* ``hook-off``: listed first, with ORM_VIEWS_AUTO_SYNC = False;
* ``plain``: not installed: plain Django, the reference.
"""

import os

from django_orm_views_hook.embedded import database_settings

SECRET_KEY = "tests-only"
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
DATABASES = {"default": database_settings()}

_variant = os.environ.get("TEAM_PROJECT", "hook")
INSTALLED_APPS = [
    *([] if _variant == "plain" else ["django_orm_views_hook"]),
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "tests.teamapp",
]
ORM_VIEWS_AUTO_SYNC = _variant != "hook-off"
# A views module of tests.teamapp with a mistake, for the tests that expect a failure.
ORM_VIEWS_MODULE_NAME = os.environ.get("ORM_VIEWS_MODULE_NAME", "postgres_views")
