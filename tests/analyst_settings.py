"""A lean project for migrates run as whole processes while analysts read the views.

The views module and the lock settings come from the environment, so that each test deploys
the code of the state it migrates to.
"""

import os

from django_orm_views_hook.embedded import database_settings

SECRET_KEY = "tests-only"
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
DATABASES = {"default": database_settings()}
INSTALLED_APPS = ["django_orm_views_hook", "tests.analystapp"]
ORM_VIEWS_MODULE_NAME = os.environ.get("ORM_VIEWS_MODULE_NAME", "views_start")
for _name in ("ORM_VIEWS_LOCK_BUDGET", "ORM_VIEWS_LOCK_ATTEMPT_TIMEOUT"):
    if _name in os.environ:
        globals()[_name] = os.environ[_name]
ORM_VIEWS_CANCEL_STUCK_QUERIES = os.environ.get("ORM_VIEWS_CANCEL_STUCK_QUERIES", "1") == "1"
ORM_VIEWS_AUTO_SYNC = os.environ.get("ORM_VIEWS_AUTO_SYNC", "1") == "1"
