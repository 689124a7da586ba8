"""Readers' longest wait during a deploy, in a process of the generated "waits" project.

run.py starts it as `python benchmarks/waits.py OUT.json` with DJANGO_SETTINGS_MODULE set to the
project `workload.make_waits_project` wrote and DATABASE_URL pointing at a fresh `bench_*`
database. It measures, and writes as JSON (seconds):

a. a materialised view over BIG_ROWS rows (with a unique index) whose definition changes: the
   time of the `sync_views()` that rebuilds it, and the longest query of a reader thread
   looking up one of its rows in a loop meanwhile;
b. a plain view that a sync must drop while another session holds it in a transaction of
   HOLD_SECONDS: the sync's time, and the longest query of a reader thread of that view.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from pathlib import Path

import django
import psycopg
from measure import Reader, timed

BIG_ROWS = int(os.environ.get("BENCH_BIG_ROWS", "2000000"))  # smaller for a smoke test
HOLD_SECONDS = 5.0

SETUP_SQL = f"""
CREATE TABLE bench_big (id bigint PRIMARY KEY, amount integer NOT NULL);
INSERT INTO bench_big SELECT g, g % 1000 FROM generate_series(1, {BIG_ROWS}) AS g;
CREATE TABLE bench_small (id integer PRIMARY KEY, label text NOT NULL);
INSERT INTO bench_small SELECT g, 'label ' || g FROM generate_series(1, 100) AS g;
ANALYZE bench_big, bench_small;
"""


def sync() -> None:
    from django_orm_views_hook import sync_views

    [result] = sync_views(using="default")
    assert result.status.value == "rebuilt", result.status


def watched(url: str, sql: str, action) -> tuple[float, float, Reader]:
    """`action` timed while a reader runs `sql` in a loop: (action's seconds, longest read)."""
    reader = Reader(url, sql)
    reader.start()
    reader.ready.wait(30)
    time.sleep(0.2)
    seconds, _ = timed(action)
    time.sleep(0.2)
    reader.stop.set()
    reader.join(30)
    return seconds, reader.longest, reader


def main() -> None:
    out = Path(sys.argv[1])
    url = os.environ["DATABASE_URL"]
    django.setup()
    from django_orm_views_hook import conf

    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(SETUP_SQL)
    os.environ["BENCH_BIG_FACTOR"] = "1"
    os.environ["BENCH_HELD_VERSION"] = "1"
    sync()

    figures: dict[str, object] = {"big_rows": BIG_ROWS, "hold_seconds": HOLD_SECONDS}
    figures["attempt_timeout"] = conf.lock_attempt_timeout()

    # a. The definition of the big materialised view changes.
    os.environ["BENCH_BIG_FACTOR"] = "2"
    seconds, longest, reader = watched(
        url, 'SELECT amount FROM "views"."bigrows" WHERE id = 123456', sync
    )
    figures.update(matview_sync=seconds, matview_longest_wait=longest)
    figures["matview_reads"], errors = reader.reads, list(reader.errors)

    # b. A sync must drop a view another session holds for HOLD_SECONDS.
    held = threading.Event()

    def hold() -> None:
        with psycopg.connect(url) as connection:  # a transaction until rollback
            connection.execute('SELECT count(*) FROM "views"."held"').fetchone()
            held.set()
            time.sleep(HOLD_SECONDS)
            connection.rollback()

    holder = threading.Thread(target=hold, daemon=True)
    os.environ["BENCH_HELD_VERSION"] = "2"
    reader = Reader(url, 'SELECT label FROM "views"."held" WHERE id = 7')
    reader.start()
    reader.ready.wait(30)
    holder.start()
    held.wait(30)
    seconds, _ = timed(sync)
    time.sleep(0.2)
    reader.stop.set()
    reader.join(30)
    holder.join(30)
    figures.update(held_sync=seconds, held_longest_wait=reader.longest)
    figures["held_reads"] = reader.reads
    figures["reader_errors"] = errors + list(reader.errors)
    out.write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
