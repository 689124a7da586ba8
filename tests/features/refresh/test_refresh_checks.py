"""A `refresh_every` that makes no sense, or an unknown ORM_VIEWS_REFRESH_SCHEDULER: check errors
naming the class (or the setting), and the sync refuses before any DDL."""

from __future__ import annotations

import pytest
from django.test.utils import override_settings

from django_orm_views_hook import sync_views
from django_orm_views_hook.exceptions import RefreshScheduleError
from tests.guarantees.definitions.test_definition_checks import check_output
from tests.support.migrating import capture, ddl_statements

MODULE = "tests.testapp.mistake_refresh_every"


def test_check_names_each_class_with_a_nonsense_refresh_every():
    output = check_output("mistake_refresh_every")
    assert (
        f"(orm_views.E020) {MODULE}.PlainScheduled: refresh_every is set, but the view is not "
        "materialised"
    ) in output
    assert (
        f"(orm_views.E021) {MODULE}.StringScheduled: refresh_every must be a datetime.timedelta, "
        "e.g. timedelta(minutes=15), not '15 minutes'."
    ) in output
    assert f"(orm_views.E022) {MODULE}.TooOften: refresh_every is 0:00:30, under a minute" in output
    assert "orm_views.E001" not in output


@pytest.mark.django_db(transaction=True)
def test_the_sync_refuses_them_before_any_ddl():
    refused = pytest.raises(RefreshScheduleError, match=rf"{MODULE}\.\w+: refresh_every")
    module = override_settings(ORM_VIEWS_MODULE_NAME="mistake_refresh_every")
    with module, capture() as queries, refused:
        sync_views(using="default")
    assert ddl_statements(queries) == []


@pytest.mark.parametrize("value", ["cron", "PG_CRON", True])
def test_check_refuses_an_unknown_scheduler(value):
    with override_settings(ORM_VIEWS_REFRESH_SCHEDULER=value):
        output = check_output("postgres_views")
    expected = f'ORM_VIEWS_REFRESH_SCHEDULER must be None or "pg_cron", not {value!r}.'
    assert f"(orm_views.E111) {expected}" in output


def test_check_accepts_the_known_schedulers():
    for value in (None, "pg_cron"):
        with override_settings(ORM_VIEWS_REFRESH_SCHEDULER=value):
            assert "orm_views.E111" not in check_output("postgres_views")
