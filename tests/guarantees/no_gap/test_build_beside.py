"""A changed materialised view is built beside the live one, which serves its old rows until
the swap; a failed build leaves it untouched; a leftover build area is removed by the next sync.
"""

from __future__ import annotations

import threading

import pytest
from django.core.management import CommandError
from django.db import connections
from django.test.utils import override_settings

from django_orm_views_hook import sync_views
from django_orm_views_hook.exceptions import (
    UnsafeSchemaError,
    ViewBuildError,
    ViewDefinitionError,
)
from tests.guarantees.locks_and_readers.test_lock_retries import (
    Background,
    open_transaction,
    wait_for,
)
from tests.support.catalog import catalog, schema_exists, view_oids
from tests.testapp.beside_views import ROWS

pytestmark = pytest.mark.django_db(transaction=True)

AREA = "views__orm_build"
TOTALS = 'SELECT total, n FROM "views"."beside_figuretotals"'


def totals(factor: int) -> tuple[int, int]:
    return (factor * ROWS * (ROWS + 1) // 2, ROWS)


@pytest.fixture
def beside(monkeypatch):
    monkeypatch.setenv("BESIDE_FACTOR", "1")
    with override_settings(ORM_VIEWS_MODULE_NAME="beside_views"):
        sync_views(using="default")
        yield monkeypatch
    sync_views(using="default")  # the test project's own views, as they were


class Readers(threading.Thread):
    """Reads the totals over the materialised view in a loop; keeps each distinct answer."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.stop = threading.Event()
        self.reads = 0
        self.seen: list[tuple[int, int]] = []
        self.errors: list[str] = []

    def run(self) -> None:
        try:
            while not self.stop.is_set():
                try:
                    with connections["default"].cursor() as cursor:
                        cursor.execute(TOTALS)
                        row = tuple(int(value) for value in cursor.fetchone())
                except Exception as exc:  # noqa: BLE001 - every error is a finding
                    self.errors.append(str(exc))
                    continue
                self.reads += 1
                if not self.seen or self.seen[-1] != row:
                    self.seen.append(row)
        finally:
            connections.close_all()


def waiting_for(table: str) -> bool:
    rows = catalog(
        "SELECT count(*) FROM pg_locks WHERE relation = %s::regclass AND NOT granted", [table]
    )
    return rows[0][0] > 0


def test_readers_get_the_old_rows_while_the_new_ones_are_built_then_the_new(beside):
    before = view_oids()
    readers = Readers()
    readers.start()
    wait_for(lambda: readers.reads > 0)
    beside.setenv("BESIDE_FACTOR", "2")
    beside.setenv("BESIDE_GATE", "1")
    with open_transaction("LOCK TABLE testapp_testmodel IN ACCESS EXCLUSIVE MODE"):
        sync = Background(lambda: sync_views(using="default"))
        sync.start()
        wait_for(lambda: waiting_for("testapp_testmodel"))  # the build is under way, held up
        seen = readers.reads
        # Had the sync dropped the live view before building, no reader would get through.
        wait_for(lambda: readers.reads >= seen + 20)
        assert sync.is_alive()
    sync.join(timeout=60)
    wait_for(lambda: readers.seen[-1] == totals(2))
    readers.stop.set()
    readers.join(timeout=30)
    assert sync.error is None
    assert readers.errors == []
    assert readers.seen == [totals(1), totals(2)]  # the old rows, then the new, nothing else
    after = view_oids()
    changed = {name for name in after if after[name] != before.get(name)}
    assert changed == {"beside_figures", "beside_figuretotals"}  # the others keep their oids
    assert catalog(
        "SELECT indexname FROM pg_indexes WHERE schemaname = 'views' AND tablename = %s",
        ["beside_figures"],
    ) == [("beside_figures_id_uniq",)]
    assert not schema_exists(AREA)
    assert sync_views(using="default")[0].status.value == "up to date"


def test_a_failed_build_leaves_the_live_view_untouched(beside):
    before = view_oids()
    beside.setenv("BESIDE_FACTOR", "3")
    beside.setenv("BESIDE_FAIL", "1")
    with pytest.raises(ViewBuildError) as excinfo:
        sync_views(using="default")
    assert "Figures" in str(excinfo.value) and "division by zero" in str(excinfo.value)
    assert view_oids() == before
    assert catalog(TOTALS) == [totals(1)]
    assert not schema_exists(AREA)


def test_a_view_reading_a_replaced_view_without_declaring_it_is_named(beside):
    before = view_oids()
    beside.setenv("BESIDE_FACTOR", "5")
    beside.setenv("BESIDE_UNDECLARED", "1")
    with pytest.raises(ViewDefinitionError) as excinfo:
        sync_views(using="default")
    message = str(excinfo.value)
    assert "FigureTotals" in message and '"views"."beside_figures"' in message
    assert "view_dependencies" in message
    assert view_oids() == before
    assert not schema_exists(AREA)


def test_a_leftover_build_area_is_recognised_and_removed_by_the_next_sync(beside):
    beside.setenv("BESIDE_FACTOR", "4")
    script = sync_views(using="default", dry_run=True)[0].statements
    # Someone ran the printed script by hand, in autocommit, and stopped before the first DROP.
    prepared = script[: next(i for i, sql in enumerate(script) if sql.startswith("DROP"))]
    with connections["default"].cursor() as cursor:
        for sql in prepared:
            cursor.execute(sql)
    assert catalog(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = %s AND c.relkind = 'm'",
        [AREA],
    ) == [("beside_figures",)]
    beside.setenv("BESIDE_FACTOR", "1")  # back to what is live: the leftover is all to do
    before = view_oids()
    assert sync_views(using="default")[0].status.value == "rebuilt"
    assert not schema_exists(AREA)
    assert view_oids() == before
    assert sync_views(using="default")[0].status.value == "up to date"


def test_a_schema_of_that_name_that_is_not_ours_is_refused(beside):
    before = view_oids()
    with connections["default"].cursor() as cursor:
        cursor.execute(f'CREATE SCHEMA "{AREA}"')
        cursor.execute(f'CREATE TABLE "{AREA}".precious (id int)')
    try:
        with pytest.raises(UnsafeSchemaError) as excinfo:
            sync_views(using="default")
        assert AREA in str(excinfo.value) and "precious" in str(excinfo.value)
        assert view_oids() == before
    finally:
        with connections["default"].cursor() as cursor:
            cursor.execute(f'DROP SCHEMA "{AREA}" CASCADE')


def test_a_dry_run_refuses_what_the_sync_refuses(beside, run_command):
    """The dry run rehearses the sync, so the undeclared read above fails it the same way."""
    before = view_oids()
    beside.setenv("BESIDE_FACTOR", "5")
    beside.setenv("BESIDE_UNDECLARED", "1")
    with pytest.raises(CommandError) as dry:
        run_command("sync_views", "--database", "default", "--dry-run")
    with pytest.raises(ViewDefinitionError) as real:
        sync_views(using="default")
    assert str(dry.value) == str(real.value)
    assert "FigureTotals" in str(dry.value) and "view_dependencies" in str(dry.value)
    assert view_oids() == before
    assert not schema_exists(AREA)


def test_an_undeclared_read_is_reported_when_it_first_appears(beside, run_command):
    beside.setenv("BESIDE_UNDECLARED", "1")  # FigureTotals forgets Figures: it is rebuilt
    expected = (
        'tests.testapp.beside_views.FigureTotals: its SQL reads "views"."beside_figures" '
        "(tests.testapp.beside_views.Figures), but its view_dependencies do not name that class."
    )
    dry = run_command("sync_views", "--database", "default", "--dry-run")
    assert expected in dry.stderr
    done = run_command("sync_views", "--database", "default")
    assert expected in done.stderr
    assert "rebuilt 1 of" in done.stdout
    # Said once, when built: the next sync has nothing to build and nothing to say.
    again = run_command("sync_views", "--database", "default")
    assert "already up to date" in again.stdout and again.stderr == ""
