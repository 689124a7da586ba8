"""Lock table entries per view, and rebuilds of thousands of views at server defaults.

    python benchmarks/locks.py                  # 5,000 views, 3 runs
    python benchmarks/locks.py --views 2000 --runs 1

Starts a server of its own from pgserver's binaries (initdb, pg_ctl), at PostgreSQL's defaults
(max_locks_per_transaction = 64, max_connections = 100), in a temporary directory deleted at
exit. It measures, with N views over 20 tables (every third reading the view before it):

1. entries of the shared lock table (`pg_locks`, fast-path locks excluded, one per locked
   object) that this backend holds at the end of a cold sync, of a forced rebuild (which does
   not fit dropping and creating, so it replaces the views in place) and of a sync after every
   definition changed (drop and create), per view;
2. at defaults, the cold sync, the forced rebuild, and the sync of changed definitions,
   refused before any DDL (time to the refusal, the value of max_locks_per_transaction named);
3. after a restart with that value: the sync of changed definitions, against the floor
   measured in the same run: its own script (`sync_views(dry_run=True)`) sent by psycopg as one
   script in one transaction.

Results go to stdout and to benchmarks/results/locks.md.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import django  # noqa: E402
import psycopg  # noqa: E402
from django.conf import settings  # noqa: E402

from tests.support.pgcluster import Cluster  # noqa: E402

TABLES = 20
HELD_BY_ME = """
SELECT count(*) FROM (
    SELECT DISTINCT locktype, database, relation, page, tuple, virtualxid, transactionid,
           classid, objid, objsubid
    FROM pg_locks WHERE NOT fastpath AND pid = pg_backend_pid()) AS mine
"""


def registry(count: int, version: int = 0):  # type: ignore[no-untyped-def]
    """`count` views; each `version` defines every one of them differently."""
    from django_orm_views_hook import PostgresViewFromSQL
    from django_orm_views_hook.definitions.registry import Registry

    classes: list[type] = []
    for i in range(count):
        left, right = f"t{i % TABLES:02d}", f"t{(i + 1) % TABLES:02d}"
        attrs: dict[str, object] = {
            "__module__": __name__,
            "sql": f"SELECT l.id, l.a + r.b AS total, {version} AS version"
            f" FROM {left} l JOIN {right} r USING (id) WHERE l.a > {i % 7}",
        }
        if i % 3 == 2:
            attrs["view_dependencies"] = [classes[-1]]
            attrs["sql"] = f'SELECT id, total + 1 AS total, version FROM "views"."view{i - 1}"'
        classes.append(type(f"View{i}", (PostgresViewFromSQL,), attrs))
    return Registry(classes)


def held_after(action) -> int:  # type: ignore[no-untyped-def]
    """Lock table entries this backend holds once `action` ran, in a transaction rolled back."""
    from django.db import connection, transaction

    with transaction.atomic():
        action()
        with connection.cursor() as cursor:
            cursor.execute(HELD_BY_ME)
            (held,) = cursor.fetchone()
        transaction.set_rollback(True)
    return int(held)


def timed(action) -> float:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def run(views: int) -> dict[str, float]:
    """At the defaults: a cold sync, a forced rebuild (in place), a change of every view."""
    from django_orm_views_hook import sync_views
    from django_orm_views_hook.exceptions import LockCapacityError

    plan = registry(views)
    sync = lambda **options: sync_views(using="default", registry=plan, **options)  # noqa: E731
    figures: dict[str, float] = {}
    figures["cold_entries"] = held_after(sync) / views
    figures["cold"] = timed(sync)
    figures["in_place_entries"] = held_after(lambda: sync(force=True)) / views
    figures["in_place"] = timed(lambda: sync(force=True))
    try:
        started = time.perf_counter()
        sync_views(using="default", registry=registry(views, version=1))
    except LockCapacityError as exc:
        figures["refused"] = time.perf_counter() - started
        found = re.search(r"max_locks_per_transaction = (\d+);", str(exc))
        figures["named"] = int(found.group(1)) if found else 0
        print(f"  at defaults: {exc}")
    else:
        figures["refused"] = figures["named"] = 0
    return figures


def rebuild(views: int, url: str, version: int) -> dict[str, float]:
    """With the setting raised: every view changed, so dropped and created again."""
    from django_orm_views_hook import sync_views

    changed = registry(views, version=version)
    sync = lambda: sync_views(using="default", registry=changed)  # noqa: E731
    script = sync_views(using="default", registry=changed, dry_run=True)[0].script
    with psycopg.connect(url) as raw:
        started = time.perf_counter()
        raw.execute(script)
        floor = time.perf_counter() - started
        raw.rollback()
    return {
        "changed_entries": held_after(sync) / views,
        "changed": timed(sync),
        "floor": floor,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--views", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    cluster = Cluster("bench-locks").initdb().start()
    try:
        settings.configure(
            DATABASES={"default": cluster.database_settings()},
            INSTALLED_APPS=["django_orm_views_hook"],
            USE_TZ=True,
        )
        django.setup()
        from django.db import connection

        with connection.cursor() as cursor:
            for t in range(TABLES):
                cursor.execute(
                    f"CREATE TABLE t{t:02d} AS SELECT g AS id, g % 10 AS a, g % 5 AS b"
                    " FROM generate_series(1, 1000) g"
                )
        at_defaults = []
        for _ in range(args.runs):
            at_defaults.append(run(args.views))
            drop_views(args.views)
        named = int(max(f["named"] for f in at_defaults))
        connection.close()
        raised = []
        if named:
            cluster.restart(max_locks_per_transaction=named)
            from django_orm_views_hook import sync_views

            sync_views(using="default", registry=registry(args.views))
            raised = [rebuild(args.views, cluster.url(), run + 2) for run in range(args.runs)]
        report(args.views, at_defaults, raised, named)
    finally:
        cluster.stop()


def drop_views(views: int) -> None:
    """Drop them a thousand at a time (one DROP of them all overflows the lock table too)."""
    from django.db import connection

    with connection.cursor() as cursor:
        for end in range(views, 0, -1000):
            names = ", ".join(f'"views"."view{i}"' for i in range(max(end - 1000, 0), end))
            cursor.execute(f"DROP VIEW {names} CASCADE")
        cursor.execute("DROP SCHEMA views")


def median(values: list[float]) -> float:
    return statistics.median(values)


def report(views: int, at_defaults: list[dict], raised: list[dict], named: int) -> None:
    def cell(rows: list[dict], key: str, scale: float = 1000, unit: str = " ms") -> str:
        values = [row[key] * scale for row in rows]
        return f"{median(values):.1f}{unit} ({min(values):.1f}–{max(values):.1f})"

    rows = [
        ("entries per view, cold sync (create)", cell(at_defaults, "cold_entries", 1, "")),
        ("cold sync at defaults", cell(at_defaults, "cold")),
        (
            "entries per view, forced rebuild (in place)",
            cell(at_defaults, "in_place_entries", 1, ""),
        ),
        ("forced rebuild at defaults (in place)", cell(at_defaults, "in_place")),
        ("every view changed, at defaults: refused after", cell(at_defaults, "refused")),
        ("max_locks_per_transaction it names", str(named)),
    ]
    if raised:
        ratios = [row["changed"] / row["floor"] for row in raised]
        rows += [
            ("entries per view, changed (drop + create)", cell(raised, "changed_entries", 1, "")),
            (f"every view changed, max_locks_per_transaction = {named}", cell(raised, "changed")),
            ("floor: that sync's own script, sent as one", cell(raised, "floor")),
            (
                "changed / floor (same run)",
                f"{median(ratios):.2f}× ({min(ratios):.2f}–{max(ratios):.2f})",
            ),
        ]
    lines = [
        f"# Lock table, {views:,} views, {len(at_defaults)} runs (median (min–max))",
        "",
        "| figure | value |",
        "|---|---|",
        *(f"| {name} | {value} |" for name, value in rows),
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    results = ROOT / "benchmarks" / "results"
    results.mkdir(exist_ok=True)
    (results / "locks.md").write_text(text)


if __name__ == "__main__":
    main()
