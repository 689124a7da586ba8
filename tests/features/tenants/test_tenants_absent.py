"""A project without django-tenants never imports it, installed or not.

Runs whether django-tenants is installed or not: the tenant support must stay out of the way of
every other project, down to its imports.
"""

from __future__ import annotations

import pytest
from django.db import connection

from tests.support.subprocesses import run, scratch_database

pytestmark = pytest.mark.django_db(transaction=True)

SCRIPT = """
import sys
import django
from django.core.management import call_command

django.setup()
call_command("migrate", verbosity=0)
call_command("sync_views", "--check", "--database", "default", verbosity=0)
call_command("check", "--database", "default", verbosity=0)
print(sorted(name for name in sys.modules if name.split(".")[0] == "django_tenants"))
"""


def test_migrate_sync_and_checks_never_import_django_tenants():
    name = f"{connection.settings_dict['NAME']}_no_tenants"
    # tests.settings has a second alias on the database "<name>_other".
    with scratch_database(name) as url, scratch_database(f"{name}_other"):
        done = run(["django", "shell", "-c", SCRIPT], url)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "[]"
