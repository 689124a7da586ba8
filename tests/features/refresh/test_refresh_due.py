"""`refresh_views --due`, run as real processes: exactly the due views, dependencies first,
each once however many runs start together, nothing half done when a run is killed, failures
recorded and retried without stopping the others."""

from __future__ import annotations

import os
import signal
import threading
import time

import pytest
from django.db import connection

from django_orm_views_hook.sql.marks import DEPLOY_LOCK_KEY as KEY
from tests.support.fresh import LABEL, SCHEDULED, Fresh, fresh_database, refreshed_lines
from tests.support.subprocesses import wait_for

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(scope="module")
def database(django_db_blocker):
    with django_db_blocker.unblock(), fresh_database("sched") as fresh:
        yield fresh


@pytest.fixture
def fresh(database):
    database.reset()
    return database


def test_only_the_due_views_are_refreshed_dependencies_first(fresh):
    first = fresh.due()
    assert first.returncode == 0, first.stderr
    # Never refreshed: all scheduled views are due, in dependency order; Unscheduled never is.
    assert refreshed_lines(first.stdout) == [
        "Totals",
        "Ratios",
        "Big",
        "LatestReading",
        "Doubled",
    ]
    assert fresh.refreshes() == dict.fromkeys(SCHEDULED, 1)

    again = fresh.due()
    assert again.stdout == "No materialised view is due.\n"
    assert fresh.refreshes() == dict.fromkeys(SCHEDULED, 1)

    fresh.reading()
    fresh.make_due("fresh_totals")  # 16 minutes ago: its 15 minutes have passed
    fresh.make_due("fresh_doubled", ago="14 minutes")  # not yet
    only = fresh.due()
    assert refreshed_lines(only.stdout) == ["Totals"]
    assert fresh.value('SELECT readings FROM "views"."fresh_totals"') == 1
    assert fresh.value('SELECT readings FROM "views"."fresh_doubled"') == 0  # not due: old rows

    fresh.make_due("fresh_doubled")
    fresh.reading()
    fresh.make_due("fresh_totals")
    both = fresh.due()
    assert refreshed_lines(both.stdout) == ["Totals", "Doubled"]
    # Doubled read the Totals this run had just refreshed.
    assert fresh.value('SELECT readings FROM "views"."fresh_doubled"') == 4
    assert fresh.refreshes()["fresh_totals"] == 3


def test_two_runs_started_together_refresh_each_view_once(fresh):
    assert fresh.due().returncode == 0
    for _ in range(2):
        fresh.make_due()
        fresh.knob(delay=0.4)  # each population takes 0.4 s: the runs overlap
        before = fresh.refreshes()
        runs = [fresh.start("refresh_views", "--due") for _ in range(2)]
        outputs = [run.communicate(timeout=120) for run in runs]
        assert [run.returncode for run in runs] == [0, 0], outputs
        after = fresh.refreshes()
        assert {name: after[name] - before[name] for name in SCHEDULED} == dict.fromkeys(
            SCHEDULED, 1
        )
        done = [name for out, _ in outputs for name in refreshed_lines(out)]
        assert sorted(done) == sorted(["Totals", "Ratios", "Big", "LatestReading", "Doubled"])
        fresh.knob(delay=0)


def test_a_run_killed_mid_refresh_leaves_nothing_half_done(fresh):
    assert fresh.due().returncode == 0
    oid = fresh.value("SELECT 'views.fresh_big'::regclass::oid")
    fresh.reading()
    fresh.knob(delay=60)
    fresh.make_due("fresh_big")
    run = fresh.start("refresh_views", "--due")
    building = (
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
        "AND query LIKE 'CREATE MATERIALIZED VIEW%fresh_big%' AND state = 'active'"
    )
    wait_for(lambda: bool(fresh.sql(building)))  # building beside, in its area
    os.kill(run.pid, signal.SIGKILL)
    run.communicate(timeout=30)
    # The server notices the client is gone within client_connection_check_interval.
    wait_for(lambda: not fresh.sql(building), timeout=20)

    assert fresh.areas() == []
    assert fresh.value("SELECT 'views.fresh_big'::regclass::oid") == oid
    assert fresh.rows("fresh_big") == 1000  # the old rows
    state = fresh.state()["fresh_big"]
    assert (state["refreshes"], state["last_error"], state["row_count"]) == (1, None, 1000)
    locks = (
        "SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database "
        "WHERE d.datname = current_database() AND l.pid <> pg_backend_pid()"
    )
    assert fresh.value(locks) == 0
    assert fresh.run("sync_views", "--check").returncode == 0  # the views are the code's

    fresh.knob(delay=0)
    again = fresh.due()
    assert refreshed_lines(again.stdout) == ["Big"]
    assert fresh.rows("fresh_big") == 1001


def test_a_failing_refresh_is_recorded_and_retried_and_stops_no_other(fresh):
    fresh.reading(value=5, divisor=5)
    assert fresh.due().returncode == 0
    assert fresh.sql('SELECT n, total FROM "views"."fresh_ratiosummary"') == [(1, 20)]
    fresh.reading(value=7, divisor=0)  # new data the view cannot compute
    fresh.make_due()

    failed = fresh.due()
    assert failed.returncode == 1
    assert "1 of 5 refreshes failed" in failed.stderr
    assert f"{LABEL.format('Ratios')}: division by zero" in failed.stderr
    assert refreshed_lines(failed.stdout) == ["Totals", "Big", "LatestReading", "Doubled"]
    assert "Ratios... FAILED: division by zero" in failed.stdout
    # The old rows stay readable, and so does the view that reads them.
    assert fresh.sql("SELECT id, ratio FROM views.fresh_ratios") == [(1, 20)]
    assert fresh.sql('SELECT n, total FROM "views"."fresh_ratiosummary"') == [(1, 20)]
    state = fresh.state()
    assert state["fresh_ratios"]["last_error"] == "division by zero"
    assert (state["fresh_ratios"]["refreshes"], state["fresh_ratios"]["failures"]) == (1, 1)
    assert fresh.areas() == []

    retried = fresh.due()  # still due: retried at once, still failing
    assert retried.returncode == 1 and refreshed_lines(retried.stdout) == []
    assert fresh.state()["fresh_ratios"]["failures"] == 2

    fresh.sql("UPDATE freshapp_reading SET divisor = 1 WHERE divisor = 0")
    fixed = fresh.due()
    assert fixed.returncode == 0, fixed.stderr
    assert refreshed_lines(fixed.stdout) == ["Ratios"]
    assert fresh.sql("SELECT id, ratio FROM views.fresh_ratios ORDER BY id") == [(1, 20), (2, 100)]
    assert fresh.sql('SELECT n, total FROM "views"."fresh_ratiosummary"') == [(2, 120)]
    state = fresh.state()["fresh_ratios"]
    assert (state["last_error"], state["failures"], state["refreshes"]) == (None, 0, 2)
    assert fresh.run("sync_views", "--check").returncode == 0


def test_a_statement_timeout_fails_that_view_only(fresh):
    assert fresh.due().returncode == 0
    fresh.reading()
    fresh.knob(delay=2)  # the views that read the knob take 2 s; Doubled does not
    fresh.make_due("fresh_big", "fresh_doubled")
    done = fresh.due(PGOPTIONS="-c statement_timeout=500")
    assert done.returncode == 1
    assert "Big: canceling statement due to statement timeout" in done.stderr
    assert refreshed_lines(done.stdout) == ["Doubled"]
    assert fresh.rows("fresh_big") == 1000
    assert "statement timeout" in fresh.state()["fresh_big"]["last_error"]


class Reader(threading.Thread):
    """Counts the rows of a view in a loop with no pause, on a connection of its own."""

    def __init__(self, fresh: Fresh, view: str) -> None:
        super().__init__(daemon=True)
        self.fresh = fresh
        self.query = f'SELECT count(*) FROM "views"."{view}"'
        self.stop = threading.Event()
        self.counts: list[int] = []
        self.errors: list[str] = []
        self.longest = 0.0

    def run(self) -> None:
        db = self.fresh.db.copy()  # a connection belongs to the thread that made it
        try:
            while not self.stop.is_set():
                started = time.monotonic()
                try:
                    with db.cursor() as cursor:
                        cursor.execute(self.query)
                        self.counts.append(cursor.fetchone()[0])
                except Exception as exc:  # noqa: BLE001 - every error is a finding
                    self.errors.append(str(exc))
                self.longest = max(self.longest, time.monotonic() - started)
        finally:
            db.close()


def test_readers_of_a_200k_row_view_without_unique_key_read_throughout_its_refresh(fresh):
    fresh.knob(big_rows=200_000)
    assert fresh.due().returncode == 0
    assert fresh.rows("fresh_big") == 200_000
    fresh.reading()
    fresh.make_due("fresh_big")
    reader = Reader(fresh, "fresh_big")
    reader.start()
    wait_for(lambda: len(reader.counts) > 5)
    done = fresh.due()
    reads_after = len(reader.counts) + 5
    wait_for(lambda: len(reader.counts) > reads_after)
    reader.stop.set()
    reader.join(timeout=30)

    assert done.returncode == 0, done.stderr
    assert "Big... done" in done.stdout and "200001 rows, built beside" in done.stdout
    assert reader.errors == []
    assert set(reader.counts) == {200_000, 200_001}
    first_new = reader.counts.index(200_001)
    assert set(reader.counts[first_new:]) == {200_001}  # old rows, then new ones, never a mix


def test_a_run_during_a_deploy_leaves_the_views_built_beside_to_the_next_run(fresh):
    assert fresh.due().returncode == 0
    fresh.make_due()
    deploy = fresh.db.copy()  # holds the deploy lock, as a migrate would
    deploy.set_autocommit(False)
    try:
        with deploy.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [KEY])
        during = fresh.due()
    finally:
        deploy.rollback()
        deploy.close()
    assert during.returncode == 0, during.stderr
    assert refreshed_lines(during.stdout) == ["Totals", "LatestReading", "Doubled"]
    assert "Ratios... skipped: a migrate or sync_views of this database is running" in (
        during.stdout
    )
    assert refreshed_lines(fresh.due().stdout) == ["Ratios", "Big"]


def test_a_run_whose_code_differs_from_the_database_does_not_swap_its_version_in(fresh):
    assert fresh.due().returncode == 0
    oid = fresh.value("SELECT 'views.fresh_ratios'::regclass::oid")
    # As if another version of the code had built the view.
    fresh.sql(
        "COMMENT ON MATERIALIZED VIEW views.fresh_ratios IS "
        "'Managed by django_orm_views_hook. digest=0123456789abcdef'"
    )
    fresh.make_due("fresh_ratios")
    done = fresh.due()
    assert done.returncode == 1
    assert "views.fresh_ratios in the database differ from the code" in done.stderr
    assert fresh.value("SELECT 'views.fresh_ratios'::regclass::oid") == oid


def test_the_state_is_no_part_of_the_managed_schemas(fresh):
    assert fresh.due().returncode == 0
    comment = fresh.value("SELECT obj_description('django_orm_views_hook'::regnamespace)")
    assert comment.startswith("State of django_orm_views_hook")
    # A sync of code without views drops the managed schema and leaves the state alone.
    assert fresh.run("sync_views", ORM_VIEWS_MODULE_NAME="no_such_module").returncode == 0
    assert fresh.value("SELECT to_regnamespace('views') IS NULL")
    assert len(fresh.state()) == 5
    assert connection.vendor == "postgresql"
