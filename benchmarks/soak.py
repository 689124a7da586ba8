"""Readers soak (issue 5, point 6): readers of the views while syncs and migrates run repeatedly.

    python benchmarks/soak.py [--seconds 60] [--readers 6] [--views 100]

Reader threads, each on a connection of its own, query in a loop a plain view, a materialised
view and a view that reads another view (round robin over the threads), all three over the table
the migration alters. Meanwhile the main thread repeats, until the time is up:
`sync_views(force=True)`, `migrate` (0002 adds a column to that table), `sync_views(force=True)`,
`migrate benchapp 0001` (removes it). Each read is compared with the value read before the churn
started. Reports reads served, the slowest read, errors (must be zero) and wrong results (must be
zero); exits 1 otherwise. Runs on the embedded PostgreSQL 16 unless DATABASE_URL is set, in a
fresh `bench_soak_*` database, and stops by itself.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import dbserver
import psycopg
import workload

HERE = Path(__file__).resolve().parent

#: kind -> query; every view reads benchapp_t00, which migration 0002 alters.
QUERIES = {
    "plain view": 'SELECT count(*), sum(amount) FROM "views"."view0000"',
    "view reading a view": 'SELECT count(*), sum(double_amount) FROM "views"."view0020"',
    "materialised view": 'SELECT count(*), sum(total) FROM "views"."mat00"',
}


class Reader(threading.Thread):
    def __init__(self, url: str, kind: str, expected: tuple, stop: threading.Event) -> None:
        super().__init__(daemon=True)
        self.url, self.kind, self.expected, self.stop = url, kind, expected, stop
        self.reads = 0
        self.slowest = 0.0
        self.errors: list[str] = []
        self.wrong: list[str] = []

    def run(self) -> None:
        sql = QUERIES[self.kind]
        with psycopg.connect(self.url, autocommit=True) as connection:
            while not self.stop.is_set():
                started = time.perf_counter()
                try:
                    row = connection.execute(sql).fetchone()
                except psycopg.Error as exc:
                    self.errors.append(f"{self.kind}: {str(exc).strip()}")
                    continue
                finally:
                    self.slowest = max(self.slowest, time.perf_counter() - started)
                self.reads += 1
                if tuple(row or ()) != self.expected:
                    self.wrong.append(f"{self.kind}: {row!r} instead of {self.expected!r}")


def worker(out: Path, seconds: float, readers: int) -> None:
    """Inside a process of the generated project: prepare, soak, write the figures as JSON."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import override_settings

    from django_orm_views_hook import sync_views

    def migrate(*args: str) -> None:
        with override_settings(ORM_VIEWS_AUTO_SYNC=True):
            call_command("migrate", *args, verbosity=0, skip_checks=False)

    with override_settings(ORM_VIEWS_AUTO_SYNC=False):
        call_command("migrate", workload.APP, "0001", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute(workload.FILL_SQL)
    sync_views(using="default")

    url = os.environ["DATABASE_URL"]
    with psycopg.connect(url, autocommit=True) as reference:
        expected = {kind: tuple(reference.execute(sql).fetchone()) for kind, sql in QUERIES.items()}

    stop = threading.Event()
    kinds = list(QUERIES)
    threads = [
        Reader(url, kinds[i % len(kinds)], expected[kinds[i % len(kinds)]], stop)
        for i in range(readers)
    ]
    for thread in threads:
        thread.start()
    steps = [
        ("sync_views(force=True)", lambda: sync_views(using="default", force=True)),
        ("migrate (0002: alters benchapp_t00)", lambda: migrate()),
        ("sync_views(force=True)", lambda: sync_views(using="default", force=True)),
        ("migrate benchapp 0001 (back)", lambda: migrate(workload.APP, "0001")),
    ]
    done: dict[str, int] = {}
    longest: dict[str, float] = {}
    writer_errors: list[str] = []
    deadline = time.monotonic() + seconds
    started = time.monotonic()
    try:
        step = 0
        while time.monotonic() < deadline:
            name, action = steps[step % len(steps)]
            began = time.perf_counter()
            try:
                action()
            except Exception as exc:  # noqa: BLE001 - reported, and the soak goes on
                writer_errors.append(f"{name}: {exc}")
            longest[name] = max(longest.get(name, 0.0), time.perf_counter() - began)
            done[name] = done.get(name, 0) + 1
            step += 1
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
    elapsed = time.monotonic() - started
    figures = {
        "seconds": elapsed,
        "views": len(sync_views(using="default", dry_run=True)[0].views),
        "readers": {
            kind: {
                "threads": sum(t.kind == kind for t in threads),
                "reads": sum(t.reads for t in threads if t.kind == kind),
                "slowest": max((t.slowest for t in threads if t.kind == kind), default=0.0),
                "errors": [e for t in threads if t.kind == kind for e in t.errors],
                "wrong": [w for t in threads if t.kind == kind for w in t.wrong],
            }
            for kind in kinds
        },
        "writer": {name: {"runs": done[name], "longest": longest[name]} for name in done},
        "writer_errors": writer_errors,
        "stuck_readers": sum(t.is_alive() for t in threads),
    }
    out.write_text(json.dumps(figures, indent=2))


def render(figures: dict, server: dbserver.Server, args: argparse.Namespace) -> tuple[str, bool]:
    readers = figures["readers"]
    rows = [
        "| reader | threads | reads served | slowest read | errors | wrong results |",
        "|---|---|---|---|---|---|",
    ]
    for kind, r in readers.items():
        rows.append(
            f"| {kind} | {r['threads']} | {r['reads']:,} | {r['slowest'] * 1000:,.1f} ms | "
            f"{len(r['errors'])} | {len(r['wrong'])} |"
        )
    total = sum(r["reads"] for r in readers.values())
    errors = [e for r in readers.values() for e in r["errors"]]
    wrong = [w for r in readers.values() for w in r["wrong"]]
    slowest = max(r["slowest"] for r in readers.values())
    rows.append(
        f"| **all** | {sum(r['threads'] for r in readers.values())} | **{total:,}** | "
        f"**{slowest * 1000:,.1f} ms** | **{len(errors)}** | **{len(wrong)}** |"
    )
    writer = ["| writer step | runs | longest |", "|---|---|---|"]
    for name, w in figures["writer"].items():
        writer.append(f"| {name} | {w['runs']} | {w['longest'] * 1000:,.1f} ms |")
    ok = not errors and not wrong and not figures["writer_errors"] and not figures["stuck_readers"]
    lines = [
        "# Readers soak\n",
        f"- command: `python benchmarks/soak.py --seconds {args.seconds:g} --readers "
        f"{args.readers} --views {args.views}`",
        f"- server: {server.version().split(',')[0]}"
        f" ({'embedded' if server.embedded else 'DATABASE_URL'})",
        f"- {figures['views']} views ({args.views} SQL views, a third reading another view, and "
        f"materialised views); ran {figures['seconds']:.1f} s",
        "",
        "\n".join(rows),
        "",
        "\n".join(writer),
        "",
        f"Writer errors: {len(figures['writer_errors'])}; readers still running at the end: "
        f"{figures['stuck_readers']}. Verdict: **{'PASS' if ok else 'FAIL'}**",
    ]
    for problem in (errors + wrong + figures["writer_errors"])[:20]:
        lines.append(f"- {problem}")
    return "\n".join(lines) + "\n", ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--readers", type=int, default=6, help="reader threads (default 6)")
    parser.add_argument("--views", type=int, default=100, help="SQL views (at least 21)")
    parser.add_argument("--out", type=Path, default=HERE / "results" / "soak.md")
    parser.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.seconds, args.readers)
        return
    if args.views < 21:
        parser.error("--views must be at least 21 (the soak reads view0020)")

    server = dbserver.start()
    scratch = Path(tempfile.mkdtemp(prefix="orm-views-soak-"))
    name = f"bench_soak_{os.getpid()}"
    migrations = workload.make_migrations(scratch / "template", server.create(name))
    project = workload.make_project(scratch / "project", args.views, migrations)
    url = server.create(name)
    out = scratch / "soak.json"
    print(f"soaking for {args.seconds:g} s ...", file=sys.stderr, flush=True)
    try:
        subprocess.run(
            [
                sys.executable,
                str(Path(__file__).resolve()),
                "--worker",
                str(out),
                "--seconds",
                str(args.seconds),
                "--readers",
                str(args.readers),
            ],
            cwd=project,
            env=workload.environment(project, url),
            check=True,
            timeout=args.seconds + 600,
        )
    finally:
        server.drop(name)
    text, ok = render(json.loads(out.read_text()), server, args)
    print(text)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
