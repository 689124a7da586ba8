"""A re-sync with nothing changed, before and after the switch from pglast to postgast, in one run.

    python benchmarks/resync.py [--views 2000] [--rounds 7] [--before REV]

"Before" is the package as it was at REV (by default the parent of the commit that replaced
pglast in pyproject.toml), extracted with `git archive` and put first on PYTHONPATH; "after" is
this checkout. Both run on the same generated project (workload.py, N SQL views, every third
reading another, no two with the same SQL text, as in a real project) and the same database,
whose views are up to date, so nothing is rebuilt.
Each figure is a fresh process, as in a deploy; the rounds alternate the two sides (the order
swapped each round) and each figure is the median of the rounds, with the ratio after/before
computed within each round:

* `sync_views()`: the time inside the call, in a process that has done nothing else (settings
  loaded, apps ready): the plan, the digests, one catalog query. What `migrate` runs after the
  migrations, and what every sync of a deploy costs.
* `manage.py sync_views`, `manage.py migrate` (nothing pending) and `manage.py check`: the
  whole process, interpreter start-up and system checks included.

Each is reported as wall time and as the process's CPU time (user + system): parsing is CPU
work in the client, and on a shared machine CPU time is the steadier of the two.

The before side needs pglast, which the package no longer depends on: `pip install pglast`
into the environment that runs this script (GPL-3.0; a benchmark's tool, never shipped).
"""

from __future__ import annotations

import argparse
import atexit
import importlib.util
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

import dbserver
import workload

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

IN_PROCESS = """
import json, sys, time
import django
django.setup()
import django_orm_views_hook
from django_orm_views_hook import sync_views
started, cpu = time.perf_counter(), time.process_time()
[result] = sync_views(using="default")
seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
assert result.status.value == "up to date", result.status
print(json.dumps({"seconds": seconds, "cpu": cpu, "package": django_orm_views_hook.__file__}))
"""

COMMANDS = {
    "manage.py sync_views": ["sync_views", "--database", "default"],
    "manage.py migrate, nothing pending": ["migrate"],
    "manage.py check": ["check"],
}


def default_before() -> str:
    """The parent of the commit that took pglast out of pyproject.toml's dependencies."""
    switch = subprocess.run(
        ["git", "log", "-1", "--format=%H", "-G", '"pglast', "--", "pyproject.toml"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    if not switch:
        sys.exit("No commit changes pglast in pyproject.toml here: pass --before REV.")
    return subprocess.run(
        ["git", "rev-parse", "--short", f"{switch}^"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


def extract(rev: str, into: Path) -> Path:
    """The package as it was at `rev`, under `into`."""
    archive = into / "before.tar"
    with archive.open("wb") as out:
        subprocess.run(
            ["git", "archive", rev, "django_orm_views_hook"], cwd=ROOT, stdout=out, check=True
        )
    with tarfile.open(archive) as tar:
        tar.extractall(into / "before", filter="data")
    return into / "before"


Timing = tuple[float, float]  # wall, CPU (user + system) of this process


def in_process(env: dict[str, str], project: Path) -> tuple[Timing, str]:
    done = subprocess.run(
        [sys.executable, "-c", IN_PROCESS],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    found = json.loads(done.stdout.strip().splitlines()[-1])
    return (float(found["seconds"]), float(found["cpu"])), str(found["package"])


def process(env: dict[str, str], project: Path, command: list[str]) -> Timing:
    """The wall time of `manage.py COMMAND`, and its CPU time (user + system)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "manage.py", *command, "--verbosity", "0"],
        cwd=project,
        env=env,
        check=True,
        capture_output=True,
    )
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return seconds, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--views", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--before", help="the revision measured as 'before'")
    args = parser.parse_args()
    if importlib.util.find_spec("pglast") is None:
        sys.exit("The before side reads SQL with pglast: pip install pglast (for this run only).")
    before_rev = args.before or default_before()
    scratch = Path(tempfile.mkdtemp(prefix="orm-views-resync-"))
    atexit.register(shutil.rmtree, scratch, ignore_errors=True)
    before_dir = extract(before_rev, scratch)
    server = dbserver.start()
    maker = server.create("bench_resync_makemigrations")
    migrations = workload.make_migrations(scratch / "makemigrations", maker)
    server.drop("bench_resync_makemigrations")
    project = workload.make_project(scratch / "project", args.views, migrations, distinct_sql=True)
    name = f"bench_resync_{os.getpid()}"
    url = server.create(name)
    after_env = workload.environment(project, url)
    sides = {
        "before": {**after_env, "PYTHONPATH": os.pathsep.join([str(before_dir), str(project)])},
        "after": after_env,
    }
    try:
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--verbosity", "0"],
            cwd=project,
            env=after_env,
            check=True,
        )
        for side, env in sides.items():  # warm-up: bytecode compiled, caches of the OS filled
            _, package = in_process(env, project)
            print(f"# {side}: {package}", flush=True)
            for command in COMMANDS.values():
                process(env, project, command)
        figures: dict[str, dict[str, list[Timing]]] = {}
        for round_ in range(args.rounds):
            order = list(sides) if round_ % 2 == 0 else list(reversed(sides))
            for side in order:
                env = sides[side]
                timing, _ = in_process(env, project)
                figures.setdefault("sync_views(), in a fresh process", {}).setdefault(side, [])
                figures["sync_views(), in a fresh process"][side].append(timing)
                for label, command in COMMANDS.items():
                    figures.setdefault(label, {}).setdefault(side, []).append(
                        process(env, project, command)
                    )
            print(f"# round {round_ + 1} of {args.rounds} done", file=sys.stderr, flush=True)
    finally:
        server.drop(name)
    print(f"\nRe-sync with nothing changed, N = {args.views} SQL views; before = {before_rev}")
    print(f"(medians of {args.rounds} rounds, min–max; ratio after/before within each round)")
    for index, kind in enumerate(("wall time", "CPU time (user + system)")):
        print(f"\n| {kind} | before (pglast) | after (postgast) | after / before |")
        print("|---|---|---|---|")
        for label, sides_figures in figures.items():
            before = [timing[index] for timing in sides_figures["before"]]
            after = [timing[index] for timing in sides_figures["after"]]
            ratios = [a / b for a, b in zip(after, before, strict=True)]
            print(
                f"| {label} | {_ms(before)} | {_ms(after)} | {statistics.median(ratios):.2f} "
                f"({min(ratios):.2f}–{max(ratios):.2f}) |"
            )


def _ms(values: list[float]) -> str:
    return (
        f"{statistics.median(values) * 1000:.0f} ms "
        f"({min(values) * 1000:.0f}–{max(values) * 1000:.0f})"
    )


if __name__ == "__main__":
    main()
