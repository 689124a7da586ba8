"""Faults and concurrency with real processes: two syncs at once, SIGKILL, lost connections."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
from django.db import connection, connections
from django.test.utils import override_settings

from django_orm_views_hook import sync_views
from django_orm_views_hook.exceptions import LockTimeoutError
from tests.support.catalog import catalog, view_oids, views_in_schema
from tests.support.subprocesses import ROOT, database_url, wait_for

pytestmark = pytest.mark.django_db(transaction=True)


APP_NAME = "orm-views-faults"


def start_sync(*args: str, seconds: float = 1) -> subprocess.Popen:
    """`manage.py sync_views --force` in a child process, with a view that takes `seconds`."""
    env = {
        "PGAPPNAME": APP_NAME,
        **os.environ,
        "DATABASE_URL": database_url(connection.settings_dict["NAME"]),
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "PYTHONPATH": str(ROOT),
        "ORM_VIEWS_MODULE_NAME": "slow_views",
        "SLOW_VIEW_SECONDS": str(seconds),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "django", "sync_views", "--force", "--database", "default", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def backends_in_ddl() -> list[int]:
    """Child backends whose transaction has started writing (dropping and creating views)."""
    rows = catalog(
        "SELECT pid FROM pg_stat_activity WHERE application_name = %s AND backend_xid IS NOT NULL",
        [APP_NAME],
    )
    return [pid for (pid,) in rows]


@pytest.fixture
def slow_views(monkeypatch):
    monkeypatch.setenv("SLOW_VIEW_SECONDS", "1")  # the same definition here and in children
    with override_settings(ORM_VIEWS_MODULE_NAME="slow_views"):
        yield
    # Leave the test project's own views as they were.
    sync_views(using="default")


def test_two_syncs_at_once_serialise_and_both_succeed(slow_views):
    first, second = start_sync(), start_sync()
    outputs = [process.communicate(timeout=120) for process in (first, second)]
    assert [first.returncode, second.returncode] == [0, 0], outputs
    # One held the deploy lock for its one-second rebuild; the other said it waited for it.
    assert sum("waiting for it to finish" in out for out, _ in outputs) == 1, outputs
    assert views_in_schema()["test_slowmaterializedview"] == "m"
    assert sync_views(using="default")[0].status.value == "up to date"


def test_sigkill_mid_sync_leaves_the_previous_views(slow_views):
    sync_views(using="default", force=True)
    before = view_oids()
    process = start_sync(seconds=3)
    wait_for(lambda: bool(backends_in_ddl()))
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    assert view_oids() == before  # waits for the server to roll the orphan back
    result = sync_views(using="default", force=True)[0]
    assert result.status.value == "rebuilt"


def test_connection_lost_mid_sync_is_a_clear_error_and_changes_nothing(slow_views):
    sync_views(using="default", force=True)
    before = view_oids()
    process = start_sync(seconds=3)
    wait_for(lambda: bool(backends_in_ddl()))
    for pid in backends_in_ddl():
        catalog("SELECT pg_terminate_backend(%s)", [pid])
    _, stderr = process.communicate(timeout=60)
    assert process.returncode != 0
    assert "was lost during the sync" in stderr
    assert "Traceback" not in stderr
    assert view_oids() == before


def test_lock_timeout_fails_fast_naming_the_view_and_changes_nothing():
    before = view_oids()
    reader = connections.create_connection("default")
    reader.set_autocommit(False)
    try:
        with reader.cursor() as cursor:  # an analyst's long transaction that read a view
            cursor.execute('SELECT count(*) FROM "views"."customer_cities"')
        started = time.monotonic()
        with (
            override_settings(ORM_VIEWS_LOCK_BUDGET="500ms"),
            pytest.raises(LockTimeoutError) as excinfo,
        ):
            sync_views(using="default", force=True)
        elapsed = time.monotonic() - started
    finally:
        reader.rollback()
        reader.close()
    assert '"views"."customer_cities"' in str(excinfo.value)
    assert "nothing changed" in str(excinfo.value)
    assert elapsed < 10
    assert view_oids() == before
