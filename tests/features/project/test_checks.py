"""`manage.py check` reports what the sync would refuse, with the same message."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core import checks
from django.test.utils import override_settings

from django_orm_views_hook import sync_views
from django_orm_views_hook.exceptions import DependencyError

pytestmark = pytest.mark.django_db


def ours(prefix: str = "orm_views.") -> list[checks.CheckMessage]:
    return [message for message in checks.run_checks() if message.id.startswith(prefix)]


def test_the_test_project_is_clean():
    assert ours() == []


def test_a_definition_error_is_reported_as_the_sync_reports_it():
    with override_settings(INSTALLED_APPS=[*settings.INSTALLED_APPS, "tests.badapps.cycle"]):
        [error] = ours("orm_views.E001")
        with pytest.raises(DependencyError) as excinfo:
            sync_views(using="default", dry_run=True)
    assert error.msg == str(excinfo.value)
    assert "tests.badapps.cycle.postgres_views.Chicken" in error.msg
    assert "cycle" in error.msg
    assert error.hint


@pytest.mark.parametrize(
    ("setting", "value", "check_id"),
    [
        ("ORM_VIEWS_GRANT_SELECT_TO", "analyst", "orm_views.E101"),
        ("ORM_VIEWS_GRANT_SELECT_TO", ["analyst", 3], "orm_views.E101"),
        ("ORM_VIEWS_SCHEMA", "public", "orm_views.E102"),
        ("ORM_VIEWS_SCHEMA", 'bad"name', "orm_views.E102"),
        ("ORM_VIEWS_AUTO_SYNC", "yes", "orm_views.E103"),
        ("ORM_VIEWS_CANCEL_STUCK_QUERIES", "no", "orm_views.E103"),
        ("ORM_VIEWS_LOCK_ATTEMPT_TIMEOUT", "100", "orm_views.E110"),  # ms or s? refused
        ("ORM_VIEWS_LOCK_ATTEMPT_TIMEOUT", 0, "orm_views.E110"),
        ("ORM_VIEWS_LOCK_BUDGET", "a minute", "orm_views.E110"),
        ("ORM_VIEWS_LOCK_BUDGET", None, "orm_views.E110"),
    ],
)
def test_settings_of_the_wrong_type_or_value(setting, value, check_id):
    with override_settings(**{setting: value}):
        assert [message.id for message in ours("orm_views.E1")] == [check_id]


@pytest.mark.parametrize(
    ("value", "seconds"), [("100ms", 0.1), ("60s", 60), ("1.5 min", 90), (2, 2), (0.25, 0.25)]
)
def test_lock_durations_take_a_unit_or_a_number_of_seconds(value, seconds):
    from django_orm_views_hook import conf

    with override_settings(ORM_VIEWS_LOCK_BUDGET=value):
        assert conf.lock_budget() == seconds
        assert ours("orm_views.E1") == []
