"""Whole processes: migrate on an empty database, and test-database creation with pytest."""

from __future__ import annotations

import pytest
from django.db import connection

from tests.support.subprocesses import run, scratch_database

pytestmark = pytest.mark.django_db(transaction=True)

QUERY = (
    "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
    "WHERE n.nspname = 'views' AND c.relkind IN ('v', 'm')"
)


def test_migrate_on_an_empty_database_creates_tables_and_views():
    # Named after this run's test database, so that concurrent runs on one server don't collide.
    with scratch_database(f"{connection.settings_dict['NAME']}_fresh") as url:
        first = run(["django", "migrate"], url)
        assert first.returncode == 0, first.stderr
        assert "Applying testapp.0001_initial... OK" in first.stdout
        assert first.stdout.count("Views: rebuilt") == 1  # once per migrate, not per app
        second = run(["django", "migrate"], url)
        assert second.returncode == 0, second.stderr
        assert "already up to date" in second.stdout
        check = run(["django", "sync_views", "--check", "--database", "default"], url)
        assert check.returncode == 0, check.stderr


def test_test_database_created_with_nomigrations_has_the_views(tmp_path):
    probe = tmp_path / "test_probe.py"
    probe.write_text(
        "import pytest\n"
        "from django.db import connection\n\n"
        "@pytest.mark.django_db\n"
        "def test_views_exist():\n"
        "    with connection.cursor() as cursor:\n"
        f"        cursor.execute({QUERY!r})\n"
        "        assert cursor.fetchone()[0] > 5\n"
    )
    with scratch_database(f"{connection.settings_dict['NAME']}_nomig") as url:
        result = run(
            [
                "pytest",
                "-q",
                "--nomigrations",
                "-p",
                "no:cacheprovider",
                "--rootdir",
                str(tmp_path),
                str(probe),
            ],
            url,
        )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout
