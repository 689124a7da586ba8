"""Deploys through a real PgBouncer in transaction pooling mode, with other clients busy.

Through it, a client keeps its server connection only while a transaction is open, and the pool
is smaller than its clients: a session-level lock would land on a pooled connection that other
clients then get, and a waiting deploy that held a server connection could starve the running
one. Each deploy must end, leave no advisory lock, and still apply each migration once.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator

import pytest
from django.db import connection

from tests.support.deploying import WAITED, Deploys, at_once, deploy_database
from tests.support.pgbouncer import pgbouncer  # noqa: F401 - a fixture
from tests.support.subprocesses import wait_for

pytestmark = pytest.mark.django_db(transaction=True)

MIGRATE = ("migrate", "deployapp")


@pytest.fixture(scope="module")
def pooled(pgbouncer, django_db_blocker) -> Iterator[Deploys]:  # noqa: F811 - the fixture
    name = f"{connection.settings_dict['NAME']}_pooled"
    user = connection.settings_dict.get("USER") or "postgres"
    url = f"postgresql://{user}@127.0.0.1:{pgbouncer}/{name}"
    with (
        django_db_blocker.unblock(),
        deploy_database(name, url, ORM_VIEWS_TRANSACTION_POOLER="1") as deploys,
    ):
        yield deploys


@pytest.fixture
def busy(pgbouncer, pooled) -> Iterator[None]:  # noqa: F811 - the fixture
    """Three other clients of the pool, each running short transactions until the test ends."""
    stop, errors = threading.Event(), []

    def client() -> None:
        other = pooled.connection.copy()
        other.settings_dict.update(HOST="127.0.0.1", PORT=pgbouncer)
        other.settings_dict["DISABLE_SERVER_SIDE_CURSORS"] = True
        try:
            while not stop.is_set():
                with other.cursor() as cursor:
                    cursor.execute("SELECT pg_sleep(0.01)")
        except Exception as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)
        finally:
            other.close()

    threads = [threading.Thread(target=client) for _ in range(3)]
    for thread in threads:
        thread.start()
    yield
    stop.set()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors


def test_atomic_migrate_behind_pgbouncer(pooled, busy):
    pooled.back_to("0001_initial")
    result = pooled.run(*MIGRATE, "0003")
    assert result.returncode == 0, result.stderr
    assert [pooled.records("0002_increment"), pooled.records("0003_sku")] == [1, 1]
    assert pooled.advisory_locks() == 0


def test_non_atomic_migrate_behind_pgbouncer_ends_and_leaves_no_lock(pooled, busy):
    pooled.back_to("0001_initial")
    result = pooled.run(*MIGRATE, "0004")  # 0004 creates an index concurrently: not atomic
    assert result.returncode == 0, result.stderr
    assert "cannot be atomic" in result.stderr
    assert pooled.records("0004_concurrent_index") == 1
    assert pooled.sql("SELECT to_regclass('counter_value_idx') IS NOT NULL") == [(True,)]
    assert pooled.advisory_locks() == 0


def test_two_deploys_and_a_sync_behind_pgbouncer_apply_each_migration_once(pooled, busy):
    pooled.back_to("0001_initial")
    # Waiting clients hold no server connection, so the pause cannot see them: a fixed one.
    commands = [(*MIGRATE, "0004"), (*MIGRATE, "0004"), ("sync_views", "--force")]
    outputs = at_once(pooled, *commands, pause="1")
    for migration in ("0002_increment", "0003_sku", "0004_concurrent_index"):
        assert pooled.records(migration) == 1
        assert sum(f"Applying deployapp.{migration}... OK" in out for out, _ in outputs) == 1
    assert pooled.sql("SELECT value FROM deployapp_counter") == [(1,)]
    assert any(WAITED in out for out, _ in outputs), outputs
    assert pooled.advisory_locks() == 0


def test_a_deploy_killed_behind_pgbouncer_leaves_no_lock(pooled, busy):
    pooled.back_to("0001_initial")
    # Alone, the pause lasts its whole time: the deploy holds the lock until it is killed.
    process = pooled.start(*MIGRATE, "0002", DEPLOY_MIGRATION_SECONDS="60")
    try:
        wait_for(lambda: pooled.advisory_locks() == 1)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        # PgBouncer closes the server connection of a client gone mid-transaction.
        wait_for(lambda: pooled.advisory_locks() == 0)
    finally:
        process.kill()
        process.communicate(timeout=30)
    result = pooled.run(*MIGRATE, "0002")
    assert result.returncode == 0, result.stderr
    assert "waiting" not in result.stdout
    assert pooled.sql("SELECT value FROM deployapp_counter") == [(1,)]
