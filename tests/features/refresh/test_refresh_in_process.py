"""`refresh_due()` for task queues, the `view_refreshed` signal, what an explicit refresh records,
and what the sync says when ORM_VIEWS_REFRESH_SCHEDULER is "pg_cron" and pg_cron is missing."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext, override_settings

from django_orm_views_hook import (
    refresh_due,
    refresh_materialized_view,
    sync_views,
    view_refreshed,
)
from django_orm_views_hook.exceptions import RefreshError, UnsafeSchemaError
from django_orm_views_hook.refresh.result import Outcome
from django_orm_views_hook.sql.refresh_script import Method
from tests.support import factories
from tests.support.catalog import catalog, schema_exists
from tests.support.migrating import execute
from tests.testapp.scheduled_views import ScheduledCount, ScheduledRatios

pytestmark = pytest.mark.django_db(transaction=True)

STATE = "django_orm_views_hook"


@pytest.fixture
def scheduled():
    with override_settings(ORM_VIEWS_MODULE_NAME="scheduled_views"):
        sync_views(using="default")
        yield
    sync_views(using="default")  # the test project's own views, as they were
    execute(f"DROP SCHEMA IF EXISTS {STATE} CASCADE")


@pytest.fixture
def signals():
    received: list[dict] = []

    def receiver(sender, **kwargs):
        received.append({"sender": sender, **kwargs})

    view_refreshed.connect(receiver, dispatch_uid="test-refresh-signals")
    yield received
    view_refreshed.disconnect(dispatch_uid="test-refresh-signals")


def test_a_signal_after_each_refresh_carries_view_duration_rows_and_outcome(scheduled, signals):
    factories.TestModelFactory.create_batch(3, integer_col=4)
    results = refresh_due(using="default")
    assert [(r.view.label.rsplit(".")[-1], r.outcome, r.rows) for r in results] == [
        ("ScheduledCount", Outcome.REFRESHED, 1),
        ("ScheduledRatios", Outcome.REFRESHED, 3),
    ]
    assert [(s["sender"], s["view"], s["outcome"], s["rows"], s["method"]) for s in signals] == [
        (ScheduledCount, ScheduledCount, Outcome.REFRESHED, 1, "concurrently"),
        (ScheduledRatios, ScheduledRatios, Outcome.REFRESHED, 3, "built beside"),
    ]
    assert all(s["duration"] > 0 and s["error"] is None for s in signals)
    assert {s["using"] for s in signals} == {"default"}
    assert catalog("SELECT n FROM views.sched_scheduledcount") == [(3,)]


def test_a_failed_refresh_is_signalled_with_its_error(scheduled, signals):
    refresh_due(using="default")
    factories.TestModelFactory(integer_col=0)
    execute(f"UPDATE {STATE}.refresh_state SET refreshed_at = now() - interval '2 hours'")
    results = refresh_due(using="default")
    assert [r.outcome for r in results] == [Outcome.REFRESHED, Outcome.FAILED]
    failed = signals[-1]
    assert (failed["sender"], failed["outcome"], failed["rows"]) == (
        ScheduledRatios,
        Outcome.FAILED,
        None,
    )
    assert failed["error"] == "division by zero" == results[1].reason


def test_nothing_due_costs_one_query(scheduled):
    assert len(refresh_due(using="default")) == 2
    with CaptureQueriesContext(connection) as queries:
        assert refresh_due(using="default") == []
    assert len(queries.captured_queries) == 1


def test_refresh_due_refuses_to_run_inside_a_transaction(scheduled):
    with transaction.atomic(), pytest.raises(RefreshError, match="inside a transaction"):
        refresh_due(using="default")


def test_an_explicit_refresh_is_recorded_and_signalled(scheduled, signals):
    refresh_materialized_view(ScheduledRatios)
    assert catalog(f"SELECT view_name, refreshes, method FROM {STATE}.refresh_state") == [
        ("sched_scheduledratios", 1, Method.IN_PLACE.value)
    ]
    assert [(s["sender"], s["outcome"]) for s in signals] == [(ScheduledRatios, Outcome.REFRESHED)]
    # It is fresh: a due run refreshes the other one only.
    assert [r.view.name for r in refresh_due(using="default")] == ["sched_scheduledcount"]


def test_a_schema_of_the_state_s_name_that_is_not_ours_is_refused(scheduled):
    execute(f"CREATE SCHEMA {STATE}")
    with pytest.raises(UnsafeSchemaError, match=f'schema "{STATE}" exists and was not created'):
        refresh_due(using="default")


def test_pg_cron_as_scheduler_without_the_extension_says_so(scheduled, run_command):
    with override_settings(ORM_VIEWS_REFRESH_SCHEDULER="pg_cron"):
        (result,) = sync_views(using="default")
        output = run_command("sync_views", "--database", "default")
    (warning,) = result.schedule
    assert warning.startswith('WARNING: ORM_VIEWS_REFRESH_SCHEDULER is "pg_cron", but database')
    assert "does not have the pg_cron extension" in warning
    assert '2 scheduled views are refreshed only by "manage.py refresh_views --due"' in warning
    assert warning in output.stdout
    assert not schema_exists(STATE)  # nothing made for a job that cannot exist
