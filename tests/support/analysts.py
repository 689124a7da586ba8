"""Analysts reading the views, as processes of their own, while a `migrate` process runs.

A test builds tests/analystapp on a scratch database up to a migration, with the views of that
state, starts readers that query every view in a loop with no pause, runs the migrate of the
next state, stops the readers and looks at what they saw.
"""

from __future__ import annotations

import contextlib
import json
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db import connection

from tests.support.subprocesses import ROOT, run, scratch_database

READER = str(ROOT / "tests" / "support" / "analyst.py")
SETTINGS = "tests.analyst_settings"


@dataclass
class Seen:
    """What one reader saw: how many reads, which errors, its longest wait per query."""

    reads: int
    errors: list[str]
    error_count: int
    longest: dict[str, float] = field(default_factory=dict)


class Reader:
    def __init__(self, url: str, queries: list[str], mode: str = "each") -> None:
        self.process = subprocess.Popen(
            [sys.executable, READER, url, mode, *queries],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def wait_until_ready(self) -> Reader:
        line = self.process.stdout.readline()
        assert line.strip() == "ready", (line, self.process.stderr.read())
        return self

    def stop(self) -> Seen:
        self.process.send_signal(signal.SIGINT)
        out, err = self.process.communicate(timeout=120)
        assert self.process.returncode == 0, err
        return Seen(**json.loads(out.strip().splitlines()[-1]))


class Project:
    """tests/analystapp on a scratch database, reached by `url`."""

    def __init__(self, name: str, url: str) -> None:
        self.name = name
        self.url = url
        self.connection = connection.copy()
        self.connection.settings_dict["NAME"] = name

    def sql(self, statement: str, params: list | None = None) -> list[tuple]:
        with self.connection.cursor() as cursor:
            cursor.execute(statement, params)
            return cursor.fetchall() if cursor.description else []

    def migrate(self, target: str, views: str, **env: str) -> subprocess.CompletedProcess:
        return run(
            ["django", "migrate", "analystapp", target],
            self.url,
            timeout=300,
            DJANGO_SETTINGS_MODULE=SETTINGS,
            ORM_VIEWS_MODULE_NAME=views,
            **env,
        )

    def views(self) -> dict[str, str]:
        return dict(
            self.sql(
                "SELECT c.relname, c.relkind FROM pg_class c JOIN pg_namespace n "
                "ON n.oid = c.relnamespace WHERE n.nspname = 'views' AND c.relkind IN ('v', 'm')"
            )
        )

    def applied(self) -> list[str]:
        rows = self.sql("SELECT name FROM django_migrations WHERE app = 'analystapp' ORDER BY id")
        return [name for (name,) in rows]

    def readers(self, views: list[str] | None = None) -> list[Reader]:
        """A reader of each view (default: all), and one of all of them, each a process."""
        queries = [f'SELECT * FROM "views"."{name}"' for name in sorted(views or self.views())]
        started = [Reader(self.url, [query]) for query in queries] + [Reader(self.url, queries)]
        return [reader.wait_until_ready() for reader in started]


@contextlib.contextmanager
def project(suffix: str, at: str, views: str) -> Iterator[Project]:
    """A scratch database with tests/analystapp migrated to `at`, with the views of `views`."""
    name = f"{connection.settings_dict['NAME']}_{suffix}"
    with scratch_database(name) as url:
        built = Project(name, url)
        try:
            done = built.migrate(at, views)
            assert done.returncode == 0, done.stderr
            yield built
        finally:
            built.connection.close()


def under_readers(
    built: Project,
    target: str,
    views: str,
    kept: list[str] | None = None,
    readers: list[Reader] | None = None,
    **env: str,
) -> tuple[subprocess.CompletedProcess, list[Seen]]:
    """`migrate analystapp <target>` with the code of `views` while readers read (default: of
    every view, or of those of `kept`); what it printed and what they saw."""
    if readers is None:
        readers = built.readers([name for name in built.views() if kept is None or name in kept])
    try:
        done = built.migrate(target, views, **env)
    finally:
        seen = [reader.stop() for reader in readers]
    return done, seen
