"""Two deploys at once: every migration is applied exactly once, by real processes."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import override_settings

from django_orm_views_hook import sync_views
from django_orm_views_hook.sql.marks import DEPLOY_LOCK_KEY as KEY
from tests.support.deploying import (
    WAITED,
    Deploys,
    assert_one_applied_one_waited,
    at_once,
    deploy_database,
)

pytestmark = pytest.mark.django_db(transaction=True)

REPETITIONS = 10
MIGRATE = ("migrate", "deployapp")


@pytest.fixture(scope="module")
def deploys(django_db_blocker) -> Iterator[Deploys]:
    with (
        django_db_blocker.unblock(),
        deploy_database(f"{connection.settings_dict['NAME']}_deploys") as deploys,
    ):
        yield deploys


def test_two_deploys_apply_a_data_migration_exactly_once(deploys):
    for _ in range(REPETITIONS):
        deploys.back_to("0001_initial")
        outputs = at_once(deploys, (*MIGRATE, "0002"), (*MIGRATE, "0002"))
        assert deploys.records("0002_increment") == 1
        assert deploys.sql("SELECT value FROM deployapp_counter") == [(1,)]
        assert_one_applied_one_waited(outputs, "0002_increment")


def test_two_deploys_apply_a_schema_migration_exactly_once(deploys):
    deploys.back_to("0001_initial")
    assert deploys.run(*MIGRATE, "0002").returncode == 0
    for _ in range(REPETITIONS):
        deploys.back_to("0002_increment")
        outputs = at_once(deploys, (*MIGRATE, "0003"), (*MIGRATE, "0003"))
        assert deploys.records("0003_sku") == 1
        assert deploys.sql("SELECT count(*) FROM deployapp_counter WHERE sku = ''") == [(1,)]
        assert_one_applied_one_waited(outputs, "0003_sku")


@pytest.mark.parametrize("command", ["migrate", "sync_views"])
def test_a_deploy_waits_for_the_lock_at_most_the_lock_timeout(command):
    holder = connection.copy()  # another deploy, as far as this one can tell
    try:
        with holder.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [KEY])
        out = io.StringIO()
        with (
            override_settings(ORM_VIEWS_LOCK_TIMEOUT="200ms"),
            pytest.raises(CommandError, match=r"ORM_VIEWS_LOCK_TIMEOUT \(200ms\)"),
        ):
            call_command(command, "--database", "default", stdout=out)
        assert WAITED in out.getvalue()
    finally:
        holder.close()
    assert sync_views(using="default")[0].status.value == "up to date"
