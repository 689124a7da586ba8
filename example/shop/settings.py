"""Settings of the example shop.

The database is `DATABASE_URL` when set; otherwise an embedded PostgreSQL 16 (pgserver, from
the package's `embedded` extra, which `test` includes) whose data is kept in `example/.pgdata/`,
so the example runs on a machine with no database set up.
"""

import warnings
from pathlib import Path

from django_orm_views_hook.embedded import database_settings

EXAMPLE_DIR = Path(__file__).resolve().parent.parent

SECRET_KEY = "example-only-not-secret"
DEBUG = True
USE_TZ = True
TIME_ZONE = "Europe/London"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# pgserver asks platformdirs for a runtime directory, which warns where XDG_RUNTIME_DIR is unset.
warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")

DATABASES = {"default": database_settings(data_dir=EXAMPLE_DIR / ".pgdata")}

INSTALLED_APPS = [
    # First, so that its `migrate` (migrations and views in one transaction) is the one that runs.
    "django_orm_views_hook",
    "customers",
    "orders",
]

# The analysts' role (created by orders/migrations/0002_analyst_role.py) may read every view
# except the hidden ones.
ORM_VIEWS_GRANT_SELECT_TO = ["shop_analyst"]
# Fail a deploy rather than queue behind a long report that holds a lock on a view.
ORM_VIEWS_LOCK_TIMEOUT = "10s"
