"""A long reader of a view never makes the other readers queue behind a sync's pending lock.

Real concurrent sessions: a holder keeps a view in an open transaction (an analyst's long query),
reader threads query it on their own connections, the sync or migrate runs in another thread.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from django.db import connections
from django.test.utils import override_settings

from django_orm_views_hook import refresh_materialized_view, sync_views
from django_orm_views_hook.exceptions import LockTimeoutError
from tests.support.catalog import catalog, view_oids
from tests.support.migrating import migrate
from tests.testapp.postgres_views import SimpleMaterializedView

pytestmark = pytest.mark.django_db(transaction=True)

VIEW = '"views"."customer_cities"'


def wait_for(predicate: Callable[[], bool], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


@contextmanager
def open_transaction(sql: str) -> Iterator[int]:
    """A session that ran `sql` in a transaction it keeps open; yields its pid."""
    connection = connections.create_connection("default")
    connection.set_autocommit(False)
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql)
            cursor.execute("SELECT pg_backend_pid()")
            yield cursor.fetchone()[0]
    finally:
        connection.rollback()
        connection.close()


def holder(view: str) -> contextlib.AbstractContextManager[int]:
    """An analyst's long transaction that read `view`."""
    return open_transaction(f"SELECT count(*) FROM {view}")


class Readers(threading.Thread):
    """Queries `view` in a loop on a connection of its own, in autocommit."""

    def __init__(self, view: str) -> None:
        super().__init__(daemon=True)
        self.sql = f"SELECT count(*) FROM {view}"
        self.stop = threading.Event()
        self.reads = 0
        self.errors: list[str] = []

    def run(self) -> None:
        try:
            while not self.stop.is_set():
                try:
                    with connections["default"].cursor() as cursor:
                        cursor.execute(self.sql)
                        cursor.fetchone()
                    self.reads += 1
                except Exception as exc:  # noqa: BLE001 - every error is a finding
                    self.errors.append(str(exc))
        finally:
            connections.close_all()


class Background(threading.Thread):
    def __init__(self, action: Callable[[], object]) -> None:
        super().__init__(daemon=True)
        self.action = action
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self.action()
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            self.error = exc
        finally:
            connections.close_all()


def pending_exclusive_requests(view: str) -> int:
    """Sessions waiting for an AccessExclusiveLock on `view` right now."""
    rows = catalog(
        "SELECT count(*) FROM pg_locks WHERE relation = %s::regclass AND NOT granted"
        " AND mode = 'AccessExclusiveLock'",
        [view],
    )
    return rows[0][0]


def readers_keep_reading_while(
    view: str, action: Callable[[], object]
) -> tuple[Readers, Background]:
    """Run `action` while a holder keeps `view`: readers must progress after `action` has
    asked for the view's exclusive lock, with the holder still holding; then the holder ends."""
    readers = Readers(view)
    readers.start()
    with holder(view):
        wait_for(lambda: readers.reads > 0)
        worker = Background(action)
        worker.start()
        wait_for(lambda: pending_exclusive_requests(view) > 0)  # an attempt is waiting
        seen = readers.reads
        # With one lock request left waiting, the readers would queue behind it until the
        # holder ends; with short attempts they are served while the holder still holds.
        wait_for(lambda: readers.reads >= seen + 20)
        assert worker.is_alive()  # the sync cannot finish before the holder ends
    worker.join(timeout=60)
    readers.stop.set()
    readers.join(timeout=30)
    return readers, worker


def test_a_long_reader_does_not_block_other_readers_and_the_sync_completes_after_it():
    before = view_oids()
    readers, sync = readers_keep_reading_while(
        VIEW, lambda: sync_views(using="default", force=True)
    )
    assert sync.error is None
    assert readers.errors == []
    after = view_oids()
    assert after["customer_cities"] != before["customer_cities"]  # rebuilt once it could


def test_a_budget_shorter_than_the_holder_fails_naming_it_and_changes_nothing():
    before = view_oids()
    with (
        holder(VIEW) as pid,
        override_settings(ORM_VIEWS_LOCK_BUDGET="300ms"),
        pytest.raises(LockTimeoutError) as excinfo,
    ):
        sync_views(using="default", force=True)
    message = str(excinfo.value)
    assert f"pid {pid} " in message
    assert "SELECT pg_backend_pid()" in message  # the holder's last query
    assert VIEW in message
    assert "ORM_VIEWS_LOCK_BUDGET" in message and "nothing changed" in message
    assert view_oids() == before


def test_a_refresh_waits_for_a_long_reader_in_short_attempts():
    view = '"views"."test_simplematerializedview"'
    readers, refresh = readers_keep_reading_while(
        view, lambda: refresh_materialized_view(SimpleMaterializedView)
    )
    assert refresh.error is None
    assert readers.errors == []


@pytest.mark.usefixtures("migrating_project")
def test_migrate_drops_what_a_migration_breaks_in_short_attempts():
    migrate("migrationapp", "0002", views="views_v1")
    view = '"views"."mig_itemamounts"'  # reads the column 0003 retypes
    readers, migration = readers_keep_reading_while(
        view, lambda: migrate("migrationapp", "0003", views="views_v1", verbosity=0)
    )
    assert migration.error is None
    assert readers.errors == []
    assert catalog("SELECT name FROM django_migrations WHERE name = '0003_amount_bigint'")
