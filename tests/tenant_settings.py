"""Settings of the django-tenants test project (tests/tenants), for child processes only.

A schema-per-tenant project as django-tenants' documentation sets one up: its PostgreSQL
backend and router, a tenant model and a domain model in a shared app (tests.tenants.customers,
which also has a shared table, Plan), and a tenant app (tests.tenants.shop) whose tables every
tenant has in its own schema. The pytest process itself runs tests.settings; the tests drive
this project through its commands in child processes (tests/support/tenanting.py).

TENANTS_VARIANT says how this package is installed:

* ``hook`` (default): listed first, as README asks, then django_tenants; and
  TENANT_BASE_MIGRATE_COMMAND names this package's ``migrate``, so that ``migrate_schemas``
  runs it for each schema;
* ``django-migrate``: the same without TENANT_BASE_MIGRATE_COMMAND: ``migrate_schemas`` runs
  Django's own ``migrate`` for each schema, as django-tenants does by default;
* ``tenants-first``: django_tenants first, as its documentation asks, then this package (its
  ``migrate``, which is ``migrate_schemas``, then shadows ours);
* ``hook-off``: as ``hook``, with ORM_VIEWS_AUTO_SYNC = False.

TENANTS_PROBE names a file: tests.tenants.probe then records there which signals fire, with
which sender, alias, schema and transaction state. ORM_VIEWS_MODULE_NAME chooses the views
modules (``shared_views``: the shared app's views only).
"""

import os

from django_orm_views_hook.embedded import database_settings

SECRET_KEY = "tests-only"
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

DATABASES = {"default": {**database_settings(), "ENGINE": "django_tenants.postgresql_backend"}}
DATABASE_ROUTERS = ["django_tenants.routers.TenantSyncRouter"]

SHARED_APPS = [
    "django_orm_views_hook",  # before django_tenants: its migrate and clone_tenant win
    "django_tenants",
    "django.contrib.contenttypes",
    "tests.tenants.customers",
]
TENANT_APPS = ["django.contrib.contenttypes", "tests.tenants.shop"]
TENANT_MODEL = "customers.Client"
TENANT_DOMAIN_MODEL = "customers.Domain"
TENANT_BASE_MIGRATE_COMMAND = "django_orm_views_hook.management.commands.migrate.Command"

# The variants the tests compare (TENANTS_VARIANT, see above).
_variant = os.environ.get("TENANTS_VARIANT", "hook")
if _variant == "tenants-first":
    SHARED_APPS[:2] = ["django_tenants", "django_orm_views_hook"]
if _variant == "django-migrate":
    del TENANT_BASE_MIGRATE_COMMAND
INSTALLED_APPS = [*SHARED_APPS, *(app for app in TENANT_APPS if app not in SHARED_APPS)]
if os.environ.get("TENANTS_PROBE"):
    INSTALLED_APPS.append("tests.tenants.probe")

ORM_VIEWS_AUTO_SYNC = _variant != "hook-off"
ORM_VIEWS_MODULE_NAME = os.environ.get("ORM_VIEWS_MODULE_NAME", "postgres_views")

# The multiprocessing executor's pool, kept small: the machines that run the tests are.
TENANT_MULTIPROCESSING_MAX_PROCESSES = 2
TENANT_MULTIPROCESSING_CHUNKS = 1

# The roles that read one tenant's views only (test_acceptance.py, per-tenant grants).
if os.environ.get("TENANTS_GRANTS"):
    ORM_VIEWS_TENANT_GRANT_SELECT_TO = "tests.tenants.grants.analyst_roles"

# New tenants cloned from this schema (django-tenants' TENANT_BASE_SCHEMA), their migrations
# faked, instead of migrated (test_acceptance.py, schema cloning).
if os.environ.get("TENANTS_BASE_SCHEMA"):
    TENANT_BASE_SCHEMA = os.environ["TENANTS_BASE_SCHEMA"]
    TENANT_CREATION_FAKES_MIGRATIONS = True

# migrate_schemas takes the tenants in this order (by default, in no order the query names).
TENANT_MIGRATION_ORDER = ["id"]
