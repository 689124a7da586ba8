"""What a scheduled refresh costs readers, and what a `--due` run costs when nothing is due.

    python benchmarks/refresh.py                    # 2,000,000 rows, 500 views
    python benchmarks/refresh.py --rows 200000 --views 100  # a quicker look

On a throwaway embedded PostgreSQL 16 unless DATABASE_URL is set (then a `bench_refresh`
database is created on that server and dropped afterwards). One run, in one process:

1. Readers' longest wait during the refresh of a materialised view of `--rows` rows, while a
   reader thread (its own connection) runs `SELECT id FROM <view> LIMIT 1` in a loop with no
   pause: (a) a plain `REFRESH MATERIALIZED VIEW` (an exclusive lock for the whole population);
   (b) `REFRESH ... CONCURRENTLY` (the view has a unique index: `pk_field`), as `refresh_due()`
   runs it; (c) built beside and swapped in, as `refresh_due()` does for a view without one.
   Each refresh changes a tenth of the rows first, so that CONCURRENTLY has a difference to
   apply. Beside the reader's longest query, a third connection polls pg_locks every ~2 ms and
   keeps the longest stretch during which a lock request waited: a slow read that is no lock
   wait is the machine's load, not the refresh's locks. Target: (b) and (c) at most 50 ms.
2. `refresh_due()` with `--views` materialised views scheduled and none due: the queries it
   sends (Django's CaptureQueriesContext) and its time (median of `--reps`). Target: one query.
   The first `refresh_due()`, which refreshes all of them, is timed too.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import psycopg

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT.parent))
sys.path.insert(0, str(ROOT))

import dbserver  # noqa: E402
from measure import Reader  # noqa: E402

TARGET_WAIT = 0.050


class LockWatcher(threading.Thread):
    """Polls pg_locks for a lock request waiting in this database; keeps the longest stretch
    of time during which one was seen waiting (a lower bound: it samples every ~2 ms)."""

    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        self.url = url
        self.stop = threading.Event()
        self.longest = 0.0

    def run(self) -> None:
        query = (
            "SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database "
            "WHERE NOT l.granted AND d.datname = current_database()"
        )
        with psycopg.connect(self.url, autocommit=True) as connection:
            since = None
            while not self.stop.is_set():
                now = time.perf_counter()
                row = connection.execute(query).fetchone()
                waiting = bool(row and row[0])
                if waiting and since is None:
                    since = now
                elif not waiting and since is not None:
                    self.longest = max(self.longest, now - since)
                    since = None
                time.sleep(0.002)


def watched(url: str, view: str, action: Any) -> dict[str, Any]:
    """`action()` timed while a reader reads `view`: its time, the longest read, the longest
    lock wait seen in pg_locks, errors."""
    reader = Reader(url, f'SELECT id FROM "views"."{view}" LIMIT 1')
    watcher = LockWatcher(url)
    reader.start()
    reader.ready.wait(60)
    watcher.start()
    time.sleep(0.3)
    started = time.perf_counter()
    action()
    seconds = time.perf_counter() - started
    time.sleep(0.3)
    reader.stop.set()
    watcher.stop.set()
    reader.join(60)
    watcher.join(60)
    return {
        "refresh": seconds,
        "longest_wait": reader.longest,
        "longest_lock_wait": watcher.longest,
        "reads": reader.reads,
        "errors": reader.errors[:3],
    }


def configure(url: str) -> None:
    import dj_database_url
    import django
    from django.conf import settings

    settings.configure(
        DATABASES={"default": dj_database_url.parse(url)},
        INSTALLED_APPS=["django_orm_views_hook"],
        USE_TZ=True,
        ORM_VIEWS_MODULE_NAME="no_views_module",  # the views are this script's registries
    )
    django.setup()


def big_views(rows: int) -> Any:
    from django_orm_views_hook import PostgresMaterialisedViewMixin, PostgresViewFromSQL
    from django_orm_views_hook.definitions.registry import Registry

    class BigBeside(PostgresMaterialisedViewMixin, PostgresViewFromSQL):
        """No unique key: built beside."""

        refresh_every = timedelta(hours=1)
        sql = "SELECT id, amount FROM bench_big"

    class BigKeyed(PostgresMaterialisedViewMixin, PostgresViewFromSQL):
        """A unique key: refreshed concurrently."""

        pk_field = "id"
        refresh_every = timedelta(hours=1)
        sql = "SELECT id, amount FROM bench_big"

    return Registry([BigBeside, BigKeyed])


def many_views(count: int) -> Any:
    from django_orm_views_hook import PostgresMaterialisedViewMixin, PostgresViewFromSQL
    from django_orm_views_hook.definitions.registry import Registry

    classes = [
        type(
            f"Small{index:04d}",
            (PostgresMaterialisedViewMixin, PostgresViewFromSQL),
            {
                "__module__": __name__,
                "pk_field": "id",
                "refresh_every": timedelta(hours=1),
                "sql": f"SELECT {index} AS id, count(*) AS n FROM bench_small",
            },
        )
        for index in range(count)
    ]
    return Registry(classes)


def make_due(cursor: Any, view: str) -> None:
    cursor.execute(
        "UPDATE django_orm_views_hook.refresh_state SET refreshed_at = now() - interval '2 hours' "
        "WHERE view_name = %s",
        [view],
    )


def readers(url: str, rows: int) -> dict[str, Any]:
    from django.db import connection

    from django_orm_views_hook import refresh_due, sync_views

    with psycopg.connect(url, autocommit=True) as setup:
        setup.execute("CREATE TABLE bench_big (id bigint PRIMARY KEY, amount integer NOT NULL)")
        setup.execute(
            f"INSERT INTO bench_big SELECT g, g % 1000 FROM generate_series(1, {rows}) AS g"
        )
        setup.execute("ANALYZE bench_big")
    registry = big_views(rows)
    sync_views(using="default", registry=registry)
    refresh_due(using="default", registry=registry)  # records both: neither is due now

    def change() -> None:
        with psycopg.connect(url, autocommit=True) as writer:
            writer.execute("UPDATE bench_big SET amount = amount + 1 WHERE id % 10 = 0")

    figures: dict[str, Any] = {"rows": rows}
    change()

    def plain() -> None:
        with connection.cursor() as cursor:
            cursor.execute('REFRESH MATERIALIZED VIEW "views"."bigbeside"')

    figures["a_plain"] = watched(url, "bigbeside", plain)

    def due(view: str) -> Any:
        def run() -> None:
            with connection.cursor() as cursor:
                make_due(cursor, view)
            (result,) = refresh_due(using="default", registry=registry)
            assert result.outcome.value == "refreshed", result
            figures.setdefault("methods", {})[view] = result.method.value

        return run

    change()
    figures["b_concurrently"] = watched(url, "bigkeyed", due("bigkeyed"))
    change()
    figures["c_beside"] = watched(url, "bigbeside", due("bigbeside"))
    return figures


def nothing_due(url: str, count: int, reps: int) -> dict[str, Any]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from django_orm_views_hook import refresh_due, sync_views

    with psycopg.connect(url, autocommit=True) as setup:
        setup.execute("CREATE TABLE bench_small (id integer PRIMARY KEY)")
        setup.execute("INSERT INTO bench_small SELECT generate_series(1, 100)")
        setup.execute("DROP SCHEMA IF EXISTS django_orm_views_hook CASCADE")
    registry = many_views(count)
    sync_views(using="default", registry=registry)
    started = time.perf_counter()
    first = refresh_due(using="default", registry=registry)
    first_seconds = time.perf_counter() - started
    assert len(first) == count and {r.outcome.value for r in first} == {"refreshed"}
    times, queries = [], []
    for _ in range(reps):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            assert refresh_due(using="default", registry=registry) == []
            times.append(time.perf_counter() - started)
        queries.append(len(captured.captured_queries))
    return {
        "views": count,
        "first_run_all_due": first_seconds,
        "nothing_due_median": statistics.median(times),
        "nothing_due_queries": max(queries),
    }


def report(figures: dict[str, Any]) -> str:
    lines = [
        f"## Scheduled refreshes ({figures['server']})",
        "",
        f"Readers' longest wait while a materialised view of {figures['readers']['rows']:,} rows "
        "is refreshed (a reader runs `SELECT id ... LIMIT 1` in a loop, no pause):",
        "",
        "| refresh | took | readers' longest wait | longest lock wait seen | reads | reader "
        "errors | target |",
        "|---|---|---|---|---|---|---|",
    ]
    for key, name, target in (
        ("a_plain", "(a) plain REFRESH", "-"),
        ("b_concurrently", "(b) CONCURRENTLY (pk_field)", "<= 50 ms"),
        ("c_beside", "(c) built beside (no pk_field)", "<= 50 ms"),
    ):
        row = figures["readers"][key]
        met = "" if target == "-" else (" met" if row["longest_wait"] <= TARGET_WAIT else " MISSED")
        lines.append(
            f"| {name} | {row['refresh']:.2f} s | {row['longest_wait'] * 1000:.1f} ms | "
            f"{row['longest_lock_wait'] * 1000:.1f} ms | {row['reads']} | {len(row['errors'])} "
            f"| {target}{met} |"
        )
    due = figures["nothing_due"]
    lines += [
        "",
        f"`refresh_due()` with {due['views']} scheduled materialised views, none due: "
        f"{due['nothing_due_queries']} query, {due['nothing_due_median'] * 1000:.1f} ms (median); "
        f"target one query: {'met' if due['nothing_due_queries'] == 1 else 'MISSED'}. "
        f"The first run, all {due['views']} due: {due['first_run_all_due']:.2f} s.",
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--views", type=int, default=500)
    parser.add_argument("--reps", type=int, default=20)
    options = parser.parse_args()
    server = dbserver.start()
    url = server.create("bench_refresh")
    try:
        configure(url)
        figures = {
            "server": server.version().split(" on ")[0],
            "readers": readers(url, options.rows),
            "nothing_due": nothing_due(url, options.views, options.reps),
        }
        from django.db import connections

        connections.close_all()
    finally:
        server.drop("bench_refresh")
    text = report(figures)
    print(text)
    results = ROOT / "results"
    results.mkdir(exist_ok=True)
    (results / "refresh.md").write_text(text)


if __name__ == "__main__":
    main()
