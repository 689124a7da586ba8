#!/usr/bin/env python
"""The example shop's manage.py: `python example/manage.py migrate` from the repository root."""

import os
import sys
from pathlib import Path

EXAMPLE_DIR = Path(__file__).resolve().parent

if __name__ == "__main__":
    # The example's apps live beside this file; the repository root makes the package importable
    # even when it is not installed (`pip install -e .` is still needed for its dependencies).
    sys.path[:0] = [str(EXAMPLE_DIR), str(EXAMPLE_DIR.parent)]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
