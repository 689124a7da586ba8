"""Scheduled refreshes run as whole processes: tests/freshapp (tests.fresh_settings) migrated on a
scratch database, `refresh_views` run as real commands, the state read with SQL."""

from __future__ import annotations

import contextlib
import subprocess
from collections.abc import Iterator
from typing import Any

from django.db import connection
from django.db.backends.base.base import BaseDatabaseWrapper

from tests.support.subprocesses import run, scratch_database, start

STATE = "django_orm_views_hook.refresh_state"
#: The views tests/freshapp schedules, in refresh order (dependencies first).
SCHEDULED = ["fresh_totals", "fresh_ratios", "fresh_big", "fresh_latestreading", "fresh_doubled"]
LABEL = "tests.freshapp.postgres_views.{}"


class Fresh:
    """A database of tests/freshapp, the URL processes reach it by, and SQL on it."""

    def __init__(self, url: str, db: BaseDatabaseWrapper, **env: str) -> None:
        self.url = url
        self.db = db
        self.env = {"DJANGO_SETTINGS_MODULE": "tests.fresh_settings", **env}
        self.migrated: subprocess.CompletedProcess | None = None  # the first migrate's

    def sql(self, statement: str, params: list | None = None) -> list[tuple]:
        with self.db.cursor() as cursor:
            cursor.execute(statement, params)
            return cursor.fetchall() if cursor.description else []

    def value(self, statement: str, params: list | None = None) -> Any:
        return self.sql(statement, params)[0][0]

    def run(self, *args: str, **env: str) -> subprocess.CompletedProcess:
        return run(["django", *args], self.url, timeout=180, **{**self.env, **env})

    def start(self, *args: str, **env: str) -> subprocess.Popen:
        return start(["django", *args], self.url, **{**self.env, **env})

    def due(self, **env: str) -> subprocess.CompletedProcess:
        return self.run("refresh_views", "--due", **env)

    def state(self) -> dict[str, dict[str, Any]]:
        """{view name: its state row}, as the package recorded it."""
        rows = self.sql(
            f"SELECT view_name, refreshed_at, row_count, method, refreshes, last_error, failures "
            f"FROM {STATE} ORDER BY view_name"
        )
        keys = ("refreshed_at", "row_count", "method", "refreshes", "last_error", "failures")
        return {row[0]: dict(zip(keys, row[1:], strict=True)) for row in rows}

    def refreshes(self) -> dict[str, int]:
        return {name: row["refreshes"] for name, row in self.state().items()}

    def make_due(self, *views: str, ago: str = "16 minutes") -> None:
        """Record the last refresh of `views` (default: all) as `ago` old."""
        where = "WHERE view_name = ANY(%s)" if views else ""
        params = [list(views)] if views else None
        self.sql(f"UPDATE {STATE} SET refreshed_at = now() - interval '{ago}' {where}", params)

    def rows(self, view: str) -> int:
        return int(self.value(f'SELECT count(*) FROM "views"."{view}"'))

    def knob(self, **values: object) -> None:
        for column, value in values.items():
            self.sql(f"UPDATE freshapp_knob SET {column} = %s", [value])

    def reading(self, value: int = 1, divisor: int = 1) -> None:
        self.sql("INSERT INTO freshapp_reading (value, divisor) VALUES (%s, %s)", [value, divisor])

    def reset(self) -> None:
        """Back to a freshly migrated database: no readings, knobs at rest, no recorded state,
        the views as the code builds them."""
        self.sql("TRUNCATE freshapp_reading RESTART IDENTITY")
        self.sql("UPDATE freshapp_knob SET delay = 0, big_rows = 1000")
        self.sql("DROP SCHEMA IF EXISTS django_orm_views_hook CASCADE")
        done = self.run("sync_views", "--force")
        assert done.returncode == 0, done.stderr

    def areas(self) -> list[str]:
        """Build areas of refreshes: they never outlive a refresh's transaction."""
        rows = self.sql("SELECT nspname FROM pg_namespace WHERE nspname LIKE '%orm_refresh%'")
        return [name for (name,) in rows]


def refreshed_lines(output: str) -> list[str]:
    """The views an output says it refreshed, by class name."""
    return [
        line.split("Refreshing ")[1].split("...")[0].rsplit(".", 1)[1]
        for line in output.splitlines()
        if "Refreshing" in line and "... done" in line
    ]


@contextlib.contextmanager
def fresh_database(suffix: str, **env: str) -> Iterator[Fresh]:
    """A scratch database of tests/freshapp, migrated by a process (its views built)."""
    name = f"{connection.settings_dict['NAME']}_{suffix}"
    with scratch_database(name) as url:
        db = connection.copy()
        db.settings_dict["NAME"] = name
        fresh = Fresh(url, db, **env)
        try:
            fresh.migrated = fresh.run("migrate")
            assert fresh.migrated.returncode == 0, fresh.migrated.stderr
            yield fresh
        finally:
            db.close()
