"""What `migrate` drops, and what that costs, when a migration breaks few views or none.

    python benchmarks/breaking.py [--views 500] [--rows 200000] [--reps 7]

One table read by N views (a third of them through another view) and by a materialised view of
`--rows` rows; 16 of the direct views read a column that a migration removes. In one process,
on an embedded PostgreSQL 16 (or DATABASE_URL's server, in a `bench_*` database):

* the cost: `migrate` applying one no-op `AlterField` (a `help_text`) on that table, hook on vs
  `ORM_VIEWS_AUTO_SYNC = False`, alternating, each followed by an untimed migrate back; the
  ratio of the medians, and the median of the per-pair ratios. Twice: as a deploy runs it
  (`manage.py migrate` in a fresh process, system checks included: wall time), inside one
  process with the system checks `manage.py migrate` runs (the same without interpreter
  start-up, so less noisy), and inside one process with `--skip-checks`, which isolates the
  hook's own fixed cost (building the plan, the digests, the catalog query that finds the
  views up to date);
* what is dropped: `AddField` + `AlterField(help_text)` + `AddIndex` (of a column the
  materialised view reads) + `RenameField` (of the column just added, which no view reads: a
  rename of a column a view reads drops its readers) must keep every view's oid; `RemoveField`
  of the column the 16 views read must change exactly those 16 and the 16 that read them.

Prints a Markdown table; exits 1 when a behaviour is not as expected.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]

import dbserver  # noqa: E402

APP = "breakbench"
SETTINGS = """
import os
from django_orm_views_hook.embedded import database_settings

SECRET_KEY = "benchmark-only"
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
DATABASES = {"default": database_settings()}
INSTALLED_APPS = ["django_orm_views_hook", "breakbench"]
ORM_VIEWS_MODULE_NAME = "views_before"
ORM_VIEWS_AUTO_SYNC = os.environ.get("BENCH_AUTO_SYNC", "1") == "1"
"""
MIGRATIONS = {
    "0001_initial": """
from django.db import migrations, models

ROWS = {rows}


class Migration(migrations.Migration):
    initial = True
    operations = [
        migrations.CreateModel(
            name="Reading",
            fields=[
                ("id", models.BigAutoField(primary_key=True, serialize=False)),
                ("name", models.CharField(max_length=50)),
                ("amount", models.IntegerField()),
                ("gone", models.IntegerField(default=0)),
            ],
        ),
        migrations.RunSQL(
            "INSERT INTO breakbench_reading (name, amount, gone)"
            f" SELECT 'r' || n, n % 1000, n FROM generate_series(1, {{ROWS}}) AS n",
            migrations.RunSQL.noop,
        ),
    ]
""",
    "0002_help_text": """
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("breakbench", "0001_initial")]
    operations = [
        migrations.AlterField("reading", "name", models.CharField(max_length=50, help_text="x")),
    ]
""",
    "0003_harmless": """
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("breakbench", "0002_help_text")]
    operations = [
        migrations.AddField("reading", "extra", models.IntegerField(default=1)),
        migrations.AlterField("reading", "name", models.CharField(max_length=50, help_text="y")),
        migrations.AddIndex("reading", models.Index(fields=["amount"], name="reading_amount")),
        migrations.RenameField("reading", "extra", "bonus"),
    ]
""",
    "0004_remove_gone": """
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("breakbench", "0003_harmless")]
    operations = [migrations.RemoveField("reading", "gone")]
""",
}
READERS_OF_GONE = 16


def views_module(views: int, gone: bool) -> str:
    """View i reads the view before it when i % 3 == 1; 16 direct ones read `gone`."""
    lines = [
        "from django_orm_views_hook import PostgresMaterialisedViewMixin, PostgresViewFromSQL\n"
    ]
    for i in range(views):
        if i % 3 == 1:
            sql = f'SELECT id, v FROM "views"."v{i - 1:04d}"'
            extra = f"    view_dependencies = [V{i - 1:04d}]\n"
        else:
            column = "gone" if i % 3 == 0 and i < 3 * READERS_OF_GONE else "amount"
            if column == "gone" and not gone:
                column = "id"
            sql = f"SELECT id, {column} AS v FROM breakbench_reading WHERE id % 7 = {i % 7}"
            extra = ""
        lines.append(f"\n\nclass V{i:04d}(PostgresViewFromSQL):\n{extra}    sql = {sql!r}\n")
    lines.append(
        "\n\nclass Snapshot(PostgresMaterialisedViewMixin, PostgresViewFromSQL):\n"
        '    pk_field = "id"\n'
        "    sql = 'SELECT id, name, amount FROM breakbench_reading'\n"
    )
    return "".join(lines)


def write_project(root: Path, views: int, rows: int) -> None:
    (root / "breakbench_settings.py").write_text(SETTINGS)
    app = root / APP
    (app / "migrations").mkdir(parents=True)
    (app / "__init__.py").write_text("")
    (app / "models.py").write_text("")
    (app / "migrations" / "__init__.py").write_text("")
    for name, source in MIGRATIONS.items():
        (app / "migrations" / f"{name}.py").write_text(source.format(rows=rows))
    (app / "views_before.py").write_text(views_module(views, gone=True))
    (app / "views_after.py").write_text(views_module(views, gone=False))


def migrate(target: str, checks: bool = False, **values: object) -> float:
    """`migrate` in this process, with settings `values` set for the call (not through
    override_settings, whose extra layer would slow every settings read of both sides)."""
    from django.conf import settings
    from django.core.management import call_command

    saved = {name: getattr(settings, name) for name in values}
    for name, value in values.items():
        setattr(settings, name, value)
    try:
        started = time.perf_counter()
        call_command(
            "migrate", APP, target, verbosity=0, stdout=io.StringIO(), skip_checks=not checks
        )
        return time.perf_counter() - started
    finally:
        for name, value in saved.items():
            setattr(settings, name, value)


def migrate_process(root: Path, target: str, auto_sync: bool) -> float:
    """Wall time of `manage.py migrate` in a fresh process (its CPU time would be blind to the
    server's share: the rebuild of the views costs the client almost nothing)."""
    env = {
        **os.environ,
        "BENCH_AUTO_SYNC": "1" if auto_sync else "0",
        "PYTHONPATH": os.pathsep.join([str(root), str(HERE.parent)]),
    }
    command = [sys.executable, "-m", "django", "migrate", APP, target, "--verbosity", "0"]
    started = time.perf_counter()
    subprocess.run(command, env=env, check=True, cwd=root)
    return time.perf_counter() - started


def timed_pairs(reps: int, timed: Callable[[str, bool], float]) -> tuple[list[float], ...]:
    """(hook on, hook off) times of migrating to 0002, each undone untimed."""
    on, off = [], []
    for _ in range(reps):
        off.append(timed("0002", False))
        timed("0001", False)
        on.append(timed("0002", True))
        timed("0001", True)
    return on, off


def cost(label: str, on: list[float], off: list[float]) -> str:
    pairs = [a / b for a, b in zip(on, off, strict=True)]
    return (
        f"| `migrate` one no-op `AlterField`, {label}: hook on / off (medians) | "
        f"{statistics.median(on) * 1000:.1f} / {statistics.median(off) * 1000:.1f} ms, "
        f"**{statistics.median(on) / statistics.median(off):.3f}×** "
        f"(per-pair median {statistics.median(pairs):.3f}×, "
        f"{min(pairs):.3f}–{max(pairs):.3f}) |"
    )


def oids() -> dict[str, int]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = 'views' AND c.relkind IN ('v', 'm')"
        )
        return {name: int(oid) for name, oid in cursor.fetchall()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--views", type=int, default=500)
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--reps", type=int, default=7)
    args = parser.parse_args()

    server = dbserver.start()
    name = f"bench_breaking_{os.getpid()}"
    os.environ["DATABASE_URL"] = server.create(name)
    root = Path(tempfile.mkdtemp(prefix="orm-views-breaking-"))
    write_project(root, args.views, args.rows)
    sys.path.insert(0, str(root))
    os.environ["DJANGO_SETTINGS_MODULE"] = "breakbench_settings"
    import django

    django.setup()
    try:
        return run(args, root)
    finally:
        from django.db import connections

        connections.close_all()
        server.drop(name)


def run(args: argparse.Namespace, root: Path) -> int:
    from django.db import connections

    migrate("0001")
    connections.close_all()
    deploy = timed_pairs(args.reps, lambda target, hook: migrate_process(root, target, hook))
    checked = timed_pairs(
        args.reps, lambda target, hook: migrate(target, checks=True, ORM_VIEWS_AUTO_SYNC=hook)
    )
    in_process = timed_pairs(
        args.reps, lambda target, hook: migrate(target, ORM_VIEWS_AUTO_SYNC=hook)
    )

    total = args.views + 1
    print(f"N = {args.views} views + 1 materialised view of {args.rows} rows, {args.reps} pairs\n")
    print("| figure | value |\n|---|---|")
    print(cost("`manage.py migrate` process", *deploy))
    print(cost("in-process, with system checks", *checked))
    print(cost("in-process, `--skip-checks`", *in_process), flush=True)
    migrate("0002")
    before = oids()
    harmless = migrate("0003")
    kept = sum(before[view] == oid for view, oid in oids().items())
    before = oids()
    removing = migrate("0004", ORM_VIEWS_MODULE_NAME="views_after")
    changed = {view for view, oid in oids().items() if before.get(view) != oid}
    expected = {f"v{i:04d}" for i in range(0, 3 * READERS_OF_GONE, 3)}
    expected |= {f"v{i + 1:04d}" for i in range(0, 3 * READERS_OF_GONE, 3)}

    ok = kept == total and changed == expected
    print(
        f"| AddField + AlterField(help_text) + AddIndex + RenameField | "
        f"{kept} of {total} oids kept, {harmless * 1000:.0f} ms |"
    )
    print(
        f"| RemoveField of a column {READERS_OF_GONE} views read | {len(changed)} views rebuilt "
        f"(expected {len(expected)}: those and their readers), {removing * 1000:.0f} ms |"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
