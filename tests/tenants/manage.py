#!/usr/bin/env python
"""manage.py of the django-tenants test project.

django-tenants' subprocess executor starts `manage.py migrate_schemas` for each tenant, so the
tests run this file (not `python -m django`) for that executor.
"""

import os
import sys
from pathlib import Path

if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.tenant_settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
