"""Deploys as whole processes: `migrate` of tests/deployapp on a scratch database.

They run tests.deploy_settings; between repetitions a test puts the database back by hand,
which costs milliseconds where a `migrate` back would cost a process.
"""

from __future__ import annotations

import contextlib
import subprocess
from collections.abc import Iterator

from django.db import connection

from django_orm_views_hook.sql.marks import DEPLOY_LOCK_KEY as KEY
from tests.support.subprocesses import run, scratch_database, start

WAITED = "waiting for it to finish"
#: At most how long a pending migration waits for the other deploy (tests/deployapp/pause.py).
PAUSE = "30"


class Deploys:
    """The scratch database of the deploys, the URL they reach it by, and SQL on it."""

    def __init__(self, name: str, url: str, **env: str) -> None:
        self.name = name
        self.url = url
        self.env = {"DJANGO_SETTINGS_MODULE": "tests.deploy_settings", **env}
        self.connection = connection.copy()
        self.connection.settings_dict["NAME"] = name

    def sql(self, statement: str, params: list | None = None) -> list[tuple]:
        with self.connection.cursor() as cursor:
            cursor.execute(statement, params)
            return cursor.fetchall() if cursor.description else []

    def run(self, *args: str) -> subprocess.CompletedProcess:
        return run(["django", *args], self.url, timeout=120, **self.env)

    def start(self, *args: str, **env: str) -> subprocess.Popen:
        return start(["django", *args], self.url, **self.env, **env)

    def records(self, name: str) -> int:
        return self.sql(
            "SELECT count(*) FROM django_migrations WHERE app = 'deployapp' AND name = %s", [name]
        )[0][0]

    def back_to(self, name: str) -> None:
        """Forget the migrations after `name` and undo them, as `migrate deployapp <name>` would."""
        self.sql("DELETE FROM django_migrations WHERE app = 'deployapp' AND name > %s", [name])
        self.sql("DROP INDEX IF EXISTS counter_value_idx")
        if name < "0003":
            self.sql("ALTER TABLE deployapp_counter DROP COLUMN IF EXISTS sku")
        if name < "0002":
            self.sql("UPDATE deployapp_counter SET value = 0")

    def advisory_locks(self) -> int:
        """Our advisory locks held or awaited in this database, by any session."""
        return self.sql(
            "SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database "
            "WHERE l.locktype = 'advisory' AND l.objid = %s AND d.datname = %s",
            [KEY, self.name],
        )[0][0]


@contextlib.contextmanager
def deploy_database(name: str, url: str | None = None, **env: str) -> Iterator[Deploys]:
    """A scratch database at deployapp 0001, reached by `url` (default: directly)."""
    with scratch_database(name) as direct:
        deploys = Deploys(name, url or direct, **env)
        try:
            first = deploys.run("migrate", "deployapp", "0001")
            assert first.returncode == 0, first.stderr
            yield deploys
        finally:
            deploys.connection.close()


def at_once(
    deploys: Deploys, *commands: tuple[str, ...], pause: str = PAUSE
) -> list[tuple[str, str]]:
    """Start the commands together (as "deploy-N" applications); all must succeed."""
    processes = [
        deploys.start(*command, DEPLOY_MIGRATION_SECONDS=pause, PGAPPNAME=f"deploy-{n}")
        for n, command in enumerate(commands)
    ]
    outputs = [process.communicate(timeout=120) for process in processes]
    assert [p.returncode for p in processes] == [0] * len(processes), outputs
    return outputs


def assert_one_applied_one_waited(outputs: list[tuple[str, str]], migration: str) -> None:
    applying = f"Applying deployapp.{migration}... OK"
    appliers = [out for out, _ in outputs if applying in out]
    waiters = [out for out, _ in outputs if WAITED in out]
    assert len(appliers) == 1, outputs
    assert len(waiters) == 1 and waiters[0] is not appliers[0], outputs
    assert "No migrations to apply." in waiters[0], outputs
