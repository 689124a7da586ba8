"""Analysts on a hot standby while `migrate` runs on the primary (a real streaming replica).

The primary and its standby are servers of the test's own (initdb, pg_basebackup -R, pg_ctl);
`migrate` runs in a child process against the primary, as a deploy would. The standby cancels a
query only when replaying the primary's WAL conflicts with it: an AccessExclusive lock on a
relation the query holds, such as the DROP of a view it reads, once the query has delayed
replay by max_standby_streaming_delay (1 s here, so that a conflict could not hide).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.pgcluster import Cluster
from tests.support.subprocesses import run

try:
    import psycopg as driver
except ImportError:  # the psycopg2 runs
    import psycopg2 as driver  # type: ignore[no-redef]

DELAY = 1.0  # max_standby_streaming_delay, seconds
NOT_REBUILT = "views.test_simpleviewfromsql"  # reads testapp_testmodel only
REBUILT = "views.mig_itemamounts"  # reads migrationapp_item.amount, which 0003 retypes


def connect(url: str) -> Any:
    connection = driver.connect(url)
    connection.autocommit = True
    return connection


def fetch(url: str, sql: str, params: tuple = ()) -> Any:
    connection = connect(url)
    try:
        cursor = connection.cursor()
        cursor.execute(sql, params)
        return cursor.fetchone()[0]
    finally:
        connection.close()


def django(url: str, *args: str, views: str = "views_v1") -> None:
    """`manage.py ARGS` in a child process on database `url`, migrationapp installed."""
    done = run(
        ["django", *args],
        url,
        DJANGO_SETTINGS_MODULE="tests.settings_migrating",
        ORM_VIEWS_MODULE_NAME=views,
    )
    assert done.returncode == 0, done.stderr


@pytest.fixture(scope="module")
def replica() -> Iterator[tuple[Cluster, Cluster]]:
    """A primary with the test project at migrationapp 0002 and its views, and a hot standby."""
    primary = Cluster("primary", wal_level="replica", max_wal_senders=4)
    primary.initdb().start()
    standby = None
    try:
        for name in ("shop", "shop_other"):
            connect(primary.url()).cursor().execute(f"CREATE DATABASE {name}")
        # The tables the views read, then migrationapp 0002 with the views deployed with it.
        setup = (
            "from django.core.management import call_command as run\n"
            "from django.test.utils import override_settings\n"
            "with override_settings(ORM_VIEWS_AUTO_SYNC=False):\n"
            "    run('migrate', 'auth', verbosity=0)\n"
            "    run('migrate', 'testapp', verbosity=0)\n"
            "run('migrate', 'migrationapp', '0002', verbosity=0)\n"
        )
        django(primary.url("shop"), "shell", "-c", setup)
        # hot_standby_feedback keeps vacuum on the primary from cancelling long standby queries
        # (snapshot conflicts); it does nothing against lock conflicts.
        standby = Cluster(
            "standby",
            hot_standby="on",
            hot_standby_feedback="on",
            max_standby_streaming_delay=f"'{DELAY * 1000:.0f}ms'",
        )
        standby.base_backup_of(primary).start()
        yield primary, standby
    finally:
        if standby is not None:
            standby.stop()
        primary.stop()


class Analyst(threading.Thread):
    """A long query on the standby; keeps the error it ended with, if any."""

    def __init__(self, url: str, view: str) -> None:
        super().__init__(daemon=True)
        self.connection = connect(url)
        self.pid = fetch_pid(self.connection)
        self.sql = f"SELECT count(*) FROM {view}, pg_sleep(120)"
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self.connection.cursor().execute(self.sql)
        except driver.Error as exc:
            self.error = exc
        finally:
            self.connection.close()


def fetch_pid(connection: Any) -> int:
    cursor = connection.cursor()
    cursor.execute("SELECT pg_backend_pid()")
    return int(cursor.fetchone()[0])


def sqlstate(exc: BaseException | None) -> str | None:
    return getattr(exc, "sqlstate", None) or getattr(exc, "pgcode", None)


def active(url: str, pid: int) -> bool:
    return (
        fetch(
            url, "SELECT count(*) FROM pg_stat_activity WHERE pid = %s AND state = 'active'", (pid,)
        )
        == 1
    )


def wait_for(condition, timeout: float = 30.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_standby_queries_on_views_the_migrate_does_not_rebuild_run_across_it(replica):
    primary, standby = replica
    url = standby.url("shop")
    untouched, rebuilt = Analyst(url, NOT_REBUILT), Analyst(url, REBUILT)
    for analyst in (untouched, rebuilt):
        analyst.start()
        wait_for(lambda analyst=analyst: active(url, analyst.pid))

    django(
        primary.url("shop"), "migrate", "migrationapp", "0003"
    )  # drops and rebuilds the mig_ views
    target = fetch(primary.url(), "SELECT pg_current_wal_lsn()::text")
    wait_for(lambda: fetch(url, "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", (target,)))
    time.sleep(DELAY)  # a conflict would have cancelled it by now

    # The query on a view the migrate did not rebuild is still running: nothing of the
    # migrate locked what it reads. The one on a rebuilt view was cancelled by the standby.
    assert active(url, untouched.pid)
    rebuilt.join(5)
    assert sqlstate(rebuilt.error) == "40001", rebuilt.error
    assert "conflict with recovery" in str(rebuilt.error)
    fetch(url, "SELECT pg_cancel_backend(%s)", (untouched.pid,))
    untouched.join(5)
    assert sqlstate(untouched.error) == "57014"  # our own cancel, not a recovery conflict
    assert "user request" in str(untouched.error)
    # The standby has the new views.
    columns = (
        "SELECT data_type FROM information_schema.columns"
        " WHERE table_name = %s AND column_name = %s"
    )
    assert fetch(url, columns, ("mig_itemamounts", "amount")) == "bigint"
