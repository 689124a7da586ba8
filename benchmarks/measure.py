"""One fresh run of the benchmark, inside a process of the generated project.

run.py starts it as `python benchmarks/measure.py OUT.json` with DJANGO_SETTINGS_MODULE set to the
generated project and DATABASE_URL pointing at a fresh, empty `bench_*` database. It measures, in
this order and on this one database, and writes the figures (seconds, counts) as JSON:

1. floor: the CREATE statements of the plan, one script, one `execute`, one transaction, sent
   by psycopg on a connection of its own; and the whole script the sync would send, likewise;
2. cold sync: `sync_views()` with the views absent;
3. re-sync with nothing changed; building the plan, with the parse cache empty and full;
4. `migrate` with one pending migration (0002 adds a column to table t00), hook off and on;
   `migrate` runs in this process through call_command, with its system checks;
5. `migrate` with nothing pending, hook off and on, with the system checks (as
   `manage.py migrate` runs them) and with `--skip-checks`;
6. lock window: a reader thread querying the first view the sync drops, during
   `sync_views(force=True)`: its longest wait;
7. statement counts (server log, and Django's cursor), in passes of their own: the timed passes
   run without statement logging.
"""

from __future__ import annotations

import cProfile
import json
import os
import re
import statistics
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import dbserver
import django
import psycopg
import workload

FIRST_DROPPED = re.compile(r'^DROP (?:MATERIALIZED )?VIEW ("[^"]+"\."[^"]+")')


def timed(action: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    value = action()
    return time.perf_counter() - started, value


class Reader(threading.Thread):
    """Runs one query in a loop on a connection of its own and keeps its longest latency."""

    def __init__(self, url: str, sql: str) -> None:
        super().__init__(daemon=True)
        self.url, self.sql = url, sql
        self.stop = threading.Event()
        self.ready = threading.Event()
        self.reads = 0
        self.longest = 0.0
        self.errors: list[str] = []

    def run(self) -> None:
        with psycopg.connect(self.url, autocommit=True) as connection:
            connection.execute(self.sql).fetchone()
            self.ready.set()
            while not self.stop.is_set():
                started = time.perf_counter()
                try:
                    connection.execute(self.sql).fetchone()
                except psycopg.Error as exc:
                    self.errors.append(str(exc).strip())
                self.longest = max(self.longest, time.perf_counter() - started)
                self.reads += 1


class Run:
    """The measurements of one fresh database; figures end up in `self.figures`."""

    def __init__(self, url: str, reps: int, profile_dir: Path | None) -> None:
        from django.db import connection

        self.url = url
        self.reps = reps
        self.profile_dir = profile_dir
        self.connection = connection
        self.log = dbserver.StatementLog(
            Path(os.environ["BENCH_SERVER_LOG"]) if os.environ.get("BENCH_SERVER_LOG") else None
        )
        self.figures: dict[str, Any] = {"statement_source": self.statement_source}

    @property
    def statement_source(self) -> str:
        if self.log.available:
            return "server log (log_statement = 'all' for the measured session)"
        return "Django's cursor (CaptureQueriesContext): BEGIN/COMMIT not included"

    # -- helpers -----------------------------------------------------------------------------

    def sync(self, **options: Any) -> Any:
        from django_orm_views_hook import sync_views

        return sync_views(using="default", **options)[0]

    def migrate(self, *args: str, hook: bool, checks: bool = True) -> None:
        """`migrate` in this process; with its system checks, as `manage.py migrate` runs it
        (call_command alone would skip them)."""
        from django.core.management import call_command
        from django.test.utils import override_settings

        with override_settings(ORM_VIEWS_AUTO_SYNC=hook):
            call_command("migrate", *args, verbosity=0, skip_checks=not checks)

    def counted(self, action: Callable[[], Any]) -> dict[str, int]:
        """Statements the Django connection sends during `action` (not timed)."""
        from django.test.utils import CaptureQueriesContext

        with self.connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid = cursor.fetchone()[0]
            self.log.start(cursor)
        with CaptureQueriesContext(self.connection) as queries:
            action()
        with self.connection.cursor() as cursor:
            count = self.log.stop(cursor, pid)
        if not self.log.available:
            count.statements = len(queries.captured_queries)
            count.ddl = sum(bool(dbserver.DDL.match(q["sql"])) for q in queries.captured_queries)
        return {"statements": count.statements, "ddl": count.ddl, "executes": len(queries)}

    def profiled(self, name: str, action: Callable[[], Any]) -> None:
        if self.profile_dir is None:
            return
        profile = cProfile.Profile()
        profile.runcall(action)
        profile.dump_stats(str(self.profile_dir / f"{name}.pstats"))

    def view_oids(self) -> dict[str, int]:
        with self.connection.cursor() as cursor:
            cursor.execute(
                "SELECT c.relname, c.oid FROM pg_class c JOIN pg_namespace n "
                "ON n.oid = c.relnamespace WHERE n.nspname = 'views' AND c.relkind IN ('v', 'm')"
            )
            return dict(cursor.fetchall())

    def drop_views(self) -> None:
        with self.connection.cursor() as cursor:
            cursor.execute('DROP SCHEMA IF EXISTS "views" CASCADE')

    # -- the phases ----------------------------------------------------------------------------

    def prepare(self) -> None:
        self.migrate(workload.APP, "0001", hook=False)
        with self.connection.cursor() as cursor:
            cursor.execute(workload.FILL_SQL)
            cursor.execute("ANALYZE")

    def floor(self) -> None:
        result = self.sync(dry_run=True)
        creates = [sql for sql in result.statements if sql.startswith("CREATE")]
        floor_script = "".join(f"{sql};\n" for sql in creates)
        self.figures["sql_statements"] = len(result.statements)
        self.figures["create_statements"] = len(creates)
        self.figures["views"] = len(result.views)
        with psycopg.connect(self.url, autocommit=True) as connection:

            def send(script: str) -> float:
                # Autocommit and one simple query: PostgreSQL runs the script as one transaction.
                seconds, _ = timed(lambda: connection.execute(script))
                connection.execute('DROP SCHEMA "views" CASCADE')
                return seconds

            send(floor_script)  # warm-up: the sync below also finds warm caches
            self.figures["floor"] = send(floor_script)
            self.figures["script"] = send(result.script)

    def cold_sync(self) -> None:
        seconds, result = timed(self.sync)
        assert result.status.value == "rebuilt" and len(result.built) == len(result.views)
        self.figures["cold_sync"] = seconds

    def resync(self) -> None:
        times = []
        for _ in range(self.reps):
            seconds, result = timed(self.sync)
            assert result.status.value == "up to date", result.status
            times.append(seconds)
        self.figures["resync"] = statistics.median(times)

    def plan_build(self) -> None:
        """Building the plan (validation, querysets compiled, SQL parsed): in a fresh process,
        where nothing is cached, and again, as every later sync or migrate of the process."""
        from django_orm_views_hook.planning import sql_text
        from django_orm_views_hook.sync.plans import plan_for

        cache = getattr(sql_text, "statement_kinds", None)
        cold, warm = [], []
        for _ in range(self.reps):
            if cache is not None:
                cache.cache_clear()
            cold.append(timed(plan_for)[0])
            warm.append(timed(plan_for)[0])
        self.figures["plan_cold"] = statistics.median(cold)
        self.figures["plan_warm"] = statistics.median(warm)

    def migrate_pending(self) -> None:
        off, on = [], []
        for rep in range(self.reps):
            off.append(timed(lambda: self.migrate(hook=False))[0])
            self.migrate(workload.APP, "0001", hook=False)
            on.append(timed(lambda: self.migrate(hook=True))[0])
            if rep < self.reps - 1:
                self.migrate(workload.APP, "0001", hook=True)
        self.figures["migrate_pending_off"] = statistics.median(off)
        self.figures["migrate_pending_on"] = statistics.median(on)

    def migrate_nothing_pending(self) -> None:
        times: dict[str, list[float]] = {}
        for _ in range(self.reps):
            for checks, suffix in ((True, ""), (False, "_skip_checks")):
                for hook, side in ((False, "off"), (True, "on")):
                    seconds, _ = timed(lambda h=hook, c=checks: self.migrate(hook=h, checks=c))
                    times.setdefault(f"migrate_noop_{side}{suffix}", []).append(seconds)
        self.figures.update({key: statistics.median(values) for key, values in times.items()})

    def lock_window(self) -> None:
        drops = [s for s in self.sync(dry_run=True, force=True).statements if s.startswith("DROP")]
        match = FIRST_DROPPED.match(drops[0])
        assert match, drops[0]
        self.figures["reader_view"] = match.group(1)
        waits, syncs, reads, errors = [], [], 0, []
        for _ in range(self.reps):
            reader = Reader(self.url, f"SELECT count(*) FROM {match.group(1)}")
            reader.start()
            reader.ready.wait(30)
            time.sleep(0.2)
            seconds, _ = timed(lambda: self.sync(force=True))
            time.sleep(0.2)
            reader.stop.set()
            reader.join(30)
            waits.append(reader.longest)
            syncs.append(seconds)
            reads += reader.reads
            errors += reader.errors
        self.figures["reader_longest_wait"] = statistics.median(waits)
        self.figures["forced_sync"] = statistics.median(syncs)
        self.figures["reader_reads"] = reads
        self.figures["reader_errors"] = errors

    def counts(self) -> None:
        """Statement counts, each in an untimed pass; ends at 0002 with the views current."""
        self.drop_views()
        self.figures["count_cold_sync"] = self.counted(self.sync)
        self.figures["count_resync"] = self.counted(self.sync)
        self.figures["count_migrate_noop_off"] = self.counted(lambda: self.migrate(hook=False))
        self.figures["count_migrate_noop_on"] = self.counted(lambda: self.migrate(hook=True))
        self.migrate(workload.APP, "0001", hook=True)
        before = self.view_oids()
        self.figures["count_migrate_pending_on"] = self.counted(lambda: self.migrate(hook=True))
        after = self.view_oids()
        self.figures["migrate_pending_rebuilt"] = sum(after[k] != before.get(k) for k in after)
        self.migrate(workload.APP, "0001", hook=False)
        self.figures["count_migrate_pending_off"] = self.counted(lambda: self.migrate(hook=False))

    def profiles(self) -> None:
        self.drop_views()
        self.profiled("cold_sync", self.sync)
        self.profiled("resync", self.sync)
        self.profiled("migrate_noop_on", lambda: self.migrate(hook=True))


def main() -> None:
    out = Path(sys.argv[1])
    reps = int(os.environ.get("BENCH_REPS", "3"))
    profile_dir = (
        Path(os.environ["BENCH_PROFILE_DIR"]) if os.environ.get("BENCH_PROFILE_DIR") else None
    )
    django.setup()
    run = Run(os.environ["DATABASE_URL"], reps, profile_dir)
    run.prepare()
    run.floor()
    run.cold_sync()
    run.resync()
    run.plan_build()
    run.migrate_pending()
    run.migrate_nothing_pending()
    run.lock_window()
    run.counts()
    if profile_dir is not None:
        run.profiles()
    out.write_text(json.dumps(run.figures, indent=2))


if __name__ == "__main__":
    main()
