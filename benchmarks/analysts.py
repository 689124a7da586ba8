"""Analysts reading the views while `migrate` alters the tables they read: how long they wait.

    python benchmarks/analysts.py [--runs 3]

The project is the tests' `tests/analystapp` (three tables the views read, one they leave, seven
views): each run builds it at 0001 on fresh `bench_analysts_*` databases, starts a reader
process per view (a query after another, no pause; `tests/support/analyst.py`), and
applies, as a process:

* **wagtail**: 0001 -> 0002 (a field added to each table; a QuerySet view over one of them
  changes with it), with the hook, and the same on a copy with the hook off (`migrate`, then
  `sync_views`), the way it went before the hook;
* **history**: 0001 -> 0006 (fields added, a column retyped, one removed, one retyped by
  `RunSQL`, a table deleted) with the hook. Plain Django cannot apply it while the views
  exist (PostgreSQL refuses to retype a column a view reads), so it has no hook-off figure.

For each: whether the migrate succeeded, the readers' errors, the longest wait of the readers of
each view, and how long the migrate's transaction held each table in ACCESS EXCLUSIVE mode
(first to last seen in `pg_locks`, polled every 5 ms by a connection of its own). Results go to
stdout and to `benchmarks/results/analysts.md`.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import dbserver
import psycopg

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.analysts import READER, Seen  # noqa: E402

TABLES = ["analystapp_author", "analystapp_book", "analystapp_shelf", "analystapp_library"]
#: Which table each view's readers wait for (the materialised view: none, it has its own rows).
READS = {
    "an_authornames": "analystapp_author",
    "an_authorpages": "analystapp_book",
    "an_bookpages": "analystapp_book",
    "an_booktitles": "analystapp_book",
    "an_shelflabels": "analystapp_shelf",
    "an_librarycities": "analystapp_library",
    "an_bookstats": None,
}
ATTEMPT = 0.1  # ORM_VIEWS_LOCK_ATTEMPT_TIMEOUT's default, in seconds


def manage(url: str, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "django", *args],
        cwd=ROOT,
        env={
            **os.environ,
            "DATABASE_URL": url,
            "DJANGO_SETTINGS_MODULE": "tests.analyst_settings",
            "PYTHONPATH": str(ROOT),
            **env,
        },
        capture_output=True,
        text=True,
        timeout=600,
    )


class TableLocks(threading.Thread):
    """When another session first and last held each table in ACCESS EXCLUSIVE mode, polled."""

    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        self.url = url
        self.first: dict[str, float] = {}
        self.last: dict[str, float] = {}
        self.stop = threading.Event()

    def held(self) -> dict[str, float]:
        return {table: self.last[table] - first for table, first in self.first.items()}

    def run(self) -> None:
        with psycopg.connect(self.url, autocommit=True) as connection:
            while not self.stop.is_set():
                rows = connection.execute(
                    "SELECT DISTINCT c.relname FROM pg_locks l JOIN pg_class c ON c.oid = "
                    "l.relation WHERE l.granted AND l.mode = 'AccessExclusiveLock' "
                    "AND c.relname = ANY(%s)",
                    [TABLES],
                ).fetchall()
                now = time.monotonic()
                for (name,) in rows:
                    self.first.setdefault(name, now)
                    self.last[name] = now
                time.sleep(0.005)


def readers(url: str, views: list[str]) -> list[subprocess.Popen[str]]:
    started = [
        subprocess.Popen(
            [sys.executable, READER, url, "each", f'SELECT * FROM "views"."{view}"'],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for view in views
    ]
    for process in started:
        assert process.stdout is not None
        assert process.stdout.readline().strip() == "ready", process.stderr
    return started


def stopped(process: subprocess.Popen[str]) -> Seen:
    import json
    import signal

    process.send_signal(signal.SIGINT)
    out, _ = process.communicate(timeout=120)
    return Seen(**json.loads(out.strip().splitlines()[-1]))


def deploy(server: dbserver.Server, name: str, target: str, views: str, hook: bool) -> dict:
    url = server.create(name)
    try:
        built = manage(url, "migrate", "analystapp", "0001", ORM_VIEWS_MODULE_NAME="views_start")
        assert built.returncode == 0, built.stderr
        with psycopg.connect(url) as connection:
            names = [
                row[0]
                for row in connection.execute(
                    "SELECT relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                    "WHERE n.nspname = 'views' AND relkind IN ('v', 'm') ORDER BY 1"
                )
            ]
        kept = [view for view in names if view != "an_shelflabels" or target < "0006"]
        running = readers(url, kept)
        locks = TableLocks(url)
        locks.start()
        time.sleep(0.3)
        started = time.monotonic()
        env = {"ORM_VIEWS_MODULE_NAME": views, "ORM_VIEWS_AUTO_SYNC": "1" if hook else "0"}
        done = manage(url, "migrate", "analystapp", target, **env)
        ok = done.returncode == 0
        if ok and not hook:
            done = manage(url, "sync_views", **env)
            ok = done.returncode == 0
        ended = time.monotonic()
        time.sleep(0.3)
        locks.stop.set()
        seen = [stopped(process) for process in running]
        return {
            "ok": ok,
            "stderr": done.stderr[-500:],
            "seconds": ended - started,
            "errors": sum(s.error_count for s in seen),
            "waits": {view: max(s.longest.values()) for view, s in zip(kept, seen, strict=True)},
            "held": locks.held(),
        }
    finally:
        server.drop(name)


def summary(runs: list[dict]) -> list[str]:
    lines = [f"failed deploys: {sum(not r['ok'] for r in runs)} of {len(runs)}"]
    lines.append(f"reader errors: {sum(r['errors'] for r in runs)}")
    lines.append(f"migrate (and sync) seconds: {statistics.median(r['seconds'] for r in runs):.2f}")
    for view in sorted(runs[0]["waits"]):
        wait = statistics.median(r["waits"][view] for r in runs)
        table = READS[view]
        held = [r["held"].get(table, 0.0) for r in runs] if table else [0.0]
        lines.append(
            f"  {view:18} longest wait {wait * 1000:8.1f} ms = {wait / ATTEMPT:6.2f} attempts;"
            f" its table held {statistics.median(held) * 1000:8.1f} ms"
            f" ({table or 'none: a materialised view'})"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    server = dbserver.start()
    report = [f"# Analysts during a migrate ({server.version().split(',')[0]})", ""]
    for label, target, views, hooks in [
        ("wagtail", "0002", "views_wagtail", (True, False)),
        ("history", "0006", "views_end", (True,)),
    ]:
        for hook in hooks:
            runs = [
                deploy(server, f"bench_analysts_{label}", target, views, hook)
                for _ in range(args.runs)
            ]
            title = f"## {label} (0001 -> {target}), hook {'on' if hook else 'off'}"
            report += [title, "", "```", *summary(runs), "```", ""]
            print("\n".join(report[-6 - len(summary(runs)) :]), flush=True)
    results = ROOT / "benchmarks" / "results"
    results.mkdir(exist_ok=True)
    (results / "analysts.md").write_text("\n".join(report))


if __name__ == "__main__":
    main()
