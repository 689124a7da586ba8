"""The embedded server's errors say what to do, on the Python that runs them."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from django_orm_views_hook.embedded import no_embedded_server

EMBEDDED = Path(__file__).resolve().parents[2] / "django_orm_views_hook" / "embedded.py"


def test_on_python_3_13_it_suggests_database_url_and_no_install_that_cannot_work():
    message = no_embedded_server((3, 13))
    assert "DATABASE_URL=postgres://" in message and "createdb" in message
    assert "pip install" not in message and "extra" not in message
    assert "no wheels" in message


def test_where_pgserver_has_wheels_it_names_the_extra_and_database_url():
    message = no_embedded_server((3, 12))
    assert "`embedded` extra" in message and "DATABASE_URL=postgres://" in message


def python_3_13() -> str | None:
    found = sorted(glob.glob(os.path.expanduser("~/.pyenv/versions/3.13.*/bin/python")))
    return found[-1] if found else shutil.which("python3.13")


def test_a_real_python_3_13_without_database_url_gets_that_message():
    """The module alone (it imports nothing from Django) on a bare Python 3.13 interpreter."""
    python = python_3_13()
    if python is None:
        pytest.skip("no Python 3.13 interpreter on this machine")
    program = (
        "import importlib.util, sys\n"
        f"spec = importlib.util.spec_from_file_location('embedded', {str(EMBEDDED)!r})\n"
        "module = importlib.util.module_from_spec(spec)\n"
        "spec.loader.exec_module(module)\n"
        "try:\n"
        "    module.database_url()\n"
        "except RuntimeError as exc:\n"
        "    print(exc)\n"
    )
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    done = subprocess.run(
        [python, "-I", "-c", program], capture_output=True, text=True, env=env, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert "cannot run on Python 3.13" in done.stdout
    assert "pip install" not in done.stdout
