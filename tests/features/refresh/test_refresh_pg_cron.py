"""ORM_VIEWS_REFRESH_SCHEDULER = "pg_cron": the sync keeps the job and the schedule like grants,
and the job refreshes the due views in the database as `refresh_views --due` would.

Against a real pg_cron (Debian's postgresql-15-cron) on a PostgreSQL 15 server of the tests' own,
started with shared_preload_libraries = 'pg_cron'; skipped, saying why, where it is not installed.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
from django.db import connections

from django_orm_views_hook.sql.marks import JOB_NAME
from tests.support.fresh import SCHEDULED, Fresh
from tests.support.pgcluster import Cluster, database_alias, debian_bin_dir

DATABASE = "fresh"
SCHEDULE = "django_orm_views_hook.refresh_schedule"
OTHERS = [  # someone else's jobs: never touched
    ("nightly_report", "0 3 * * *", "SELECT 1"),
    ("django_orm_views_hook_backup", "0 4 * * *", "SELECT 2"),  # our prefix ends with ':'
]


@pytest.fixture(scope="module")
def server(django_db_blocker) -> Iterator[Cluster]:
    bin = debian_bin_dir(15)
    if not (bin.parent / "lib" / "pg_cron.so").exists():
        pytest.skip("needs pg_cron for PostgreSQL 15 (apt-get install postgresql-15-cron)")
    cluster = Cluster(
        "cron",
        bin=bin,
        shared_preload_libraries="'pg_cron'",
        **{"cron.database_name": f"'{DATABASE}'"},
    )
    cluster.initdb()
    # pg_cron runs each job over a connection of its own: by the socket, as there is no TCP.
    cluster.settings["cron.host"] = f"'{cluster.root}'"
    cluster.start()
    try:
        admin = database_alias("cron_admin", cluster.database_settings())
        with django_db_blocker.unblock(), admin as connection, connection.cursor() as cursor:
            cursor.execute(f"CREATE DATABASE {DATABASE}")
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture
def cron(server, django_db_blocker) -> Iterator[Fresh]:
    """The database of pg_cron, emptied and migrated with pg_cron as scheduler.

    Emptied, not dropped: pg_cron's scheduler stops for good when its database goes.
    """
    with django_db_blocker.unblock(), database_alias("cron", server.database_settings(DATABASE)):
        fresh = Fresh(
            server.url(DATABASE), connections["cron"], ORM_VIEWS_REFRESH_SCHEDULER="pg_cron"
        )
        fresh.sql("CREATE EXTENSION IF NOT EXISTS pg_cron")
        fresh.sql("SELECT cron.unschedule(jobid) FROM cron.job")
        fresh.sql("DELETE FROM cron.job_run_details")
        for schema in ("views", "django_orm_views_hook"):
            fresh.sql(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        fresh.sql("DROP TABLE IF EXISTS freshapp_reading, freshapp_knob, django_migrations")
        for name, schedule, command in OTHERS:
            fresh.sql("SELECT cron.schedule(%s, %s, %s)", [name, schedule, command])
        migrated = fresh.run("migrate")
        assert migrated.returncode == 0, migrated.stderr
        fresh.migrated = migrated
        yield fresh


def jobs(fresh: Fresh) -> list[tuple]:
    return fresh.sql("SELECT jobid, jobname, schedule, command, active FROM cron.job ORDER BY 1")


def ours(fresh: Fresh) -> list[tuple]:
    return [job for job in jobs(fresh) if job[1] == JOB_NAME]


def others(fresh: Fresh) -> list[tuple]:
    return [job[1:4] for job in jobs(fresh) if job[1] != JOB_NAME]


def schedule(fresh: Fresh) -> dict[str, str]:
    rows = fresh.sql(f"SELECT view_name, every::text FROM {SCHEDULE} ORDER BY position")
    return dict(rows)


def test_the_sync_creates_changes_and_removes_the_job_and_leaves_others_alone(cron):
    created = cron.migrated
    ((jobid, _, every, command, active),) = ours(cron)
    assert f"pg_cron: created job {jobid} ({JOB_NAME}, * * * * *)" in created.stdout
    assert (every, active) == ("* * * * *", True)
    assert command == (
        'CALL "django_orm_views_hook"."refresh_due"'
        "(lock_attempt => '100ms', lock_budget => '60s')"
    )
    assert list(schedule(cron)) == SCHEDULED
    assert set(schedule(cron).values()) == {"00:15:00"}
    assert others(cron) == OTHERS

    again = cron.run("sync_views")
    assert "pg_cron" not in again.stdout  # nothing to do, nothing done
    assert ours(cron)[0][0] == jobid

    slower = cron.run("sync_views", FRESH_EVERY_MINUTES="30")  # the code's schedule changed
    assert "pg_cron: views.fresh_totals schedule updated (every 0:30:00)" in slower.stdout
    assert set(schedule(cron).values()) == {"00:30:00"}
    assert ours(cron)[0][0] == jobid

    budget = cron.run("sync_views", ORM_VIEWS_LOCK_BUDGET="30s")  # so did the job's command
    assert f"pg_cron: changed job {jobid}" in budget.stdout
    assert "lock_budget => '30s'" in ours(cron)[0][3]

    cron.sql("SELECT cron.alter_job(%s, schedule => '0 * * * *', active => false)", [jobid])
    put_back = cron.run("sync_views")
    assert f"pg_cron: changed job {jobid} ({JOB_NAME}) back to what the code says" in (
        put_back.stdout
    )
    assert ours(cron)[0][2:] == ("* * * * *", command, True)

    gone = cron.run("sync_views", FRESH_SCHEDULED="0")  # no view scheduled any more
    assert f"pg_cron: removed job {jobid} ({JOB_NAME})" in gone.stdout
    assert ours(cron) == [] and schedule(cron) == {}
    assert others(cron) == OTHERS

    back = cron.run("sync_views")
    ((again_id, *_),) = ours(cron)
    assert f"pg_cron: created job {again_id}" in back.stdout
    assert list(schedule(cron)) == SCHEDULED
    # Setting ORM_VIEWS_REFRESH_SCHEDULER back to None leaves the job: this removes it.
    unscheduled = cron.run("refresh_views", "--unschedule", ORM_VIEWS_REFRESH_SCHEDULER="")
    assert unscheduled.stdout == f"pg_cron: removed job {again_id} ({JOB_NAME})\n"
    assert ours(cron) == [] and schedule(cron) == {} and others(cron) == OTHERS


def test_the_procedure_refreshes_the_due_views_as_refresh_views_due_does(cron):
    cron.reading(value=5, divisor=5)
    cron.sql("CALL django_orm_views_hook.refresh_due()")
    state = cron.state()
    assert {name: row["refreshes"] for name, row in state.items()} == dict.fromkeys(SCHEDULED, 1)
    assert {name: row["method"] for name, row in state.items()} == {
        "fresh_totals": "concurrently",
        "fresh_ratios": "built beside",
        "fresh_big": "built beside",
        "fresh_latestreading": "concurrently",
        "fresh_doubled": "concurrently",
    }
    assert state["fresh_big"]["row_count"] == 1001
    assert cron.sql('SELECT n, total FROM "views"."fresh_ratiosummary"') == [(1, 20)]
    # One state for both schedulers: nothing is due for refresh_views --due either.
    assert cron.due().stdout == "No materialised view is due.\n"

    cron.reading(value=7, divisor=0)
    cron.make_due()
    failing = r"refresh failed for 1 view\(s\) .*Ratios: division by zero"
    with pytest.raises(Exception, match=failing):
        cron.sql("CALL django_orm_views_hook.refresh_due()")
    state = cron.state()
    assert state["fresh_ratios"]["last_error"] == "division by zero"
    assert {name: row["refreshes"] for name, row in state.items()} == {
        **dict.fromkeys(SCHEDULED, 2),
        "fresh_ratios": 1,
    }
    assert cron.sql('SELECT n, total FROM "views"."fresh_ratiosummary"') == [(1, 20)]

    cron.sql("UPDATE freshapp_reading SET divisor = 1 WHERE divisor = 0")
    cron.sql("CALL django_orm_views_hook.refresh_due()")  # still due: retried
    assert cron.state()["fresh_ratios"]["last_error"] is None
    assert cron.sql('SELECT n, total FROM "views"."fresh_ratiosummary"') == [(2, 120)]
    assert cron.areas() == []
    check = cron.run("sync_views", "--check")
    assert check.returncode == 0, check.stdout  # what the procedure rebuilt is the code's


def test_two_calls_at_once_refresh_each_view_once(cron):
    cron.knob(delay=0.3)
    errors: list[BaseException] = []

    def call() -> None:
        db = cron.db.copy()  # a session of its own, as a second pg_cron run would have
        try:
            with db.cursor() as cursor:
                cursor.execute("CALL django_orm_views_hook.refresh_due()")
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            db.close()

    calls = [threading.Thread(target=call) for _ in range(2)]
    for thread in calls:
        thread.start()
    for thread in calls:
        thread.join(timeout=120)
    assert errors == []
    assert cron.refreshes() == dict.fromkeys(SCHEDULED, 1)


def test_pg_cron_runs_the_job(cron):
    """pg_cron starts the job at the next minute: this test waits up to 70 seconds."""
    (job,) = ours(cron)
    deadline = time.monotonic() + 70
    runs: list[tuple] = []
    while time.monotonic() < deadline and not runs:
        time.sleep(1)
        runs = cron.sql(
            "SELECT status, return_message FROM cron.job_run_details "
            "WHERE jobid = %s AND status IN ('succeeded', 'failed')",
            [job[0]],
        )
    assert runs == [("succeeded", "CALL")]
    assert cron.refreshes() == dict.fromkeys(SCHEDULED, 1)
    assert cron.state()["fresh_big"]["row_count"] == 1000
    status = cron.run("refresh_views", "--check")
    assert status.returncode == 0, status.stderr
