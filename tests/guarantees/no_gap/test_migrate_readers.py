"""Readers of the views never see them missing, nor deadlock, while migrate and syncs run."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connections
from django.test.utils import override_settings

from django_orm_views_hook import sync_views
from tests.support.migrating import migrate

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("migrating_project")]

QUERIES = {
    # A view that reads another view: the reader locks mig_itemtotals, then mig_itemamounts.
    'SELECT items FROM "views"."mig_itemtotals"': 5,
    'SELECT count(*) FROM "views"."mig_itemamounts"': 5,
    'SELECT count(*) FROM "views"."mig_itemsnapshot"': 5,
}


class Reader(threading.Thread):
    def __init__(self, stop: threading.Event) -> None:
        super().__init__(daemon=True)
        self.stop = stop
        self.reads = 0
        self.errors: list[str] = []
        self.wrong: list[tuple[str, object]] = []

    def run(self) -> None:
        try:
            while not self.stop.is_set():
                for sql, expected in QUERIES.items():
                    try:
                        with connections["default"].cursor() as cursor:
                            cursor.execute(sql)
                            value = cursor.fetchone()[0]
                    except Exception as exc:  # noqa: BLE001 - every error is a finding
                        self.errors.append(f"{sql}: {exc}")
                        continue
                    self.reads += 1
                    if value != expected:
                        self.wrong.append((sql, value))
        finally:
            connections.close_all()


def test_readers_see_no_gap_and_no_deadlock_during_migrations_and_syncs():
    migrate("migrationapp", "0002", views="views_v1")
    stop = threading.Event()
    readers = [Reader(stop) for _ in range(4)]
    for reader in readers:
        reader.start()
    try:
        time.sleep(0.2)
        for _ in range(3):
            migrate("migrationapp", "0004", views="views_v2", verbosity=0)  # alters and drops
            with override_settings(ORM_VIEWS_MODULE_NAME="views_v2"):
                sync_views(using="default", force=True)
            migrate("migrationapp", "0002", views="views_v1", verbosity=0)  # and back
            with override_settings(ORM_VIEWS_MODULE_NAME="views_v1"):
                sync_views(using="default", force=True)
    finally:
        stop.set()
        for reader in readers:
            reader.join(timeout=30)
    errors = [error for reader in readers for error in reader.errors]
    assert errors == []
    assert [w for reader in readers for w in reader.wrong] == []
    assert sum(reader.reads for reader in readers) > 100
