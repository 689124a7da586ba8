"""A lean project for deploys run as whole processes: starting one costs half of tests.settings.

`ORM_VIEWS_TRANSACTION_POOLER=1` says the database is reached through a transaction-pooling
PgBouncer, where Django needs DISABLE_SERVER_SIDE_CURSORS.
"""

import os

from django_orm_views_hook.embedded import database_settings

SECRET_KEY = "tests-only"
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
DATABASES = {
    "default": {
        **database_settings(),
        "DISABLE_SERVER_SIDE_CURSORS": bool(os.environ.get("ORM_VIEWS_TRANSACTION_POOLER")),
    }
}
INSTALLED_APPS = ["django_orm_views_hook", "tests.deployapp"]
