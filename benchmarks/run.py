"""Benchmark of django_orm_views_hook against the floor: the bare CREATE DDL in one execute.

    python benchmarks/run.py [--sizes 10,100,500,2000] [--runs 5] [--reps 3] [--quick]
                             [--profile] [--out benchmarks/results/latest.md]

Runs on an embedded PostgreSQL 16 (a temporary data directory) unless DATABASE_URL is set. For
each size N it generates a throwaway Django project (workload.py) and runs measure.py `--runs`
times, each in a fresh process on a fresh `bench_*` database; then it times `manage.py check`
with N views against a project without views. It prints Markdown tables (medians with min–max,
ratios computed within each run) and writes them to --out. See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import pstats
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import dbserver
import report
import workload

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10,100,500,2000", help="view counts, comma-separated")
    parser.add_argument("--runs", type=int, default=5, help="fresh runs per size (default 5)")
    parser.add_argument(
        "--reps", type=int, default=3, help="repetitions inside a run of the cheap figures"
    )
    parser.add_argument(
        "--quick", action="store_true", help="smoke test: sizes 10,100, 1 run, 1 repetition"
    )
    parser.add_argument(
        "--profile", action="store_true", help="cProfile the sync and migrate paths (untimed)"
    )
    parser.add_argument(
        "--waits-runs", type=int, default=3, help="fresh runs of the deploy-waits benchmark"
    )
    parser.add_argument("--out", type=Path, default=HERE / "results" / "latest.md")
    args = parser.parse_args()
    if args.quick:
        args.sizes, args.runs, args.reps = "10,100", 1, 1
    args.sizes = [int(size) for size in args.sizes.split(",") if size.strip()]
    return args


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def measure(
    server: dbserver.Server, project: Path, size: int, run: int, reps: int, profile: Path | None
) -> dict:
    name = f"bench_n{size}_r{run}_{os.getpid()}"
    url = server.create(name)
    out = project / f"run{run}.json"
    extra = {"BENCH_REPS": str(reps)}
    if server.log is not None:
        extra["BENCH_SERVER_LOG"] = str(server.log)
    if profile is not None:
        extra["BENCH_PROFILE_DIR"] = str(profile)
    try:
        subprocess.run(
            [sys.executable, str(HERE / "measure.py"), str(out)],
            cwd=project,
            env=workload.environment(project, url, **extra),
            check=True,
        )
    finally:
        server.drop(name)
    return json.loads(out.read_text())


def measure_waits(server: dbserver.Server, project: Path, run: int) -> dict:
    """One run of waits.py on a fresh database."""
    name = f"bench_waits_r{run}_{os.getpid()}"
    url = server.create(name)
    out = project / f"waits{run}.json"
    try:
        subprocess.run(
            [sys.executable, str(HERE / "waits.py"), str(out)],
            cwd=project,
            env=workload.environment(project, url),
            check=True,
        )
    finally:
        server.drop(name)
    return json.loads(out.read_text())


def check_time(project: Path, url: str) -> float:
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=project,
        env=workload.environment(project, url),
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - started


def startup_times(projects: dict[int, Path], url: str, runs: int) -> dict[int, list[float]]:
    """`manage.py check` per project, interleaved run by run (bytecode compiled beforehand)."""
    for project in projects.values():
        check_time(project, url)
    times: dict[int, list[float]] = {size: [] for size in projects}
    for _ in range(runs):
        for size, project in projects.items():
            times[size].append(check_time(project, url))
    return times


def commit() -> str:
    described = subprocess.run(
        ["git", "describe", "--always", "--dirty"], cwd=ROOT, capture_output=True, text=True
    )
    return described.stdout.strip() or "?"


def environment_lines(
    server: dbserver.Server, args: argparse.Namespace, started_at: str
) -> list[str]:
    import django
    import psycopg

    import django_orm_views_hook

    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    where = "embedded (pgserver)" if server.embedded else "DATABASE_URL"
    return [
        f"- date: {datetime.now(UTC):%Y-%m-%d %H:%M UTC}; commit `{started_at}` at the "
        f"start, `{commit()}` at the end (the package is imported afresh by every run)",
        f"- machine: {cpu}, {os.cpu_count()} cores, {platform.system()} {platform.release()}",
        f"- Python {platform.python_version()}, Django {django.__version__}, "
        f"psycopg {psycopg.__version__}, django_orm_views_hook {django_orm_views_hook.__version__}",
        f"- server: {server.version().split(',')[0]}, {where}",
        f"- command: `python benchmarks/run.py --sizes {','.join(map(str, args.sizes))} "
        f"--runs {args.runs} --reps {args.reps}{' --profile' if args.profile else ''}`",
    ]


def _where(filename: str, line: int, function: str) -> str:
    short = filename.split("site-packages/")[-1].split(f"{ROOT}/")[-1]
    return f"`{short}:{line} {function}`" if line else f"`{function}`"


def profile_lines(profile_root: Path) -> list[str]:
    """Per profiled action: the package's functions by cumulative time, then where the time
    itself is spent (self time, any module)."""
    lines = []
    for path in sorted(profile_root.glob("n*/*.pstats")):
        stats = pstats.Stats(str(path))
        total = stats.total_tt  # type: ignore[attr-defined]
        entries = stats.stats.items()  # type: ignore[attr-defined]
        lines.append(
            f"\n### {path.parent.name}, {path.stem}: {total * 1000:.1f} ms under cProfile\n"
        )
        lines.append("| cumulative | share | package function |\n|---|---|---|")
        ours = [e for e in entries if "django_orm_views_hook" in e[0][0]]
        for (filename, line, function), (*_, cumulative, _) in sorted(
            ours, key=lambda e: e[1][3], reverse=True
        )[:12]:
            lines.append(
                f"| {cumulative * 1000:.1f} ms | {cumulative / total:.0%} | "
                f"{_where(filename, line, function)} |"
            )
        lines.append("\n| self time | share | function (any module) |\n|---|---|---|")
        for (filename, line, function), (_, _, own, *_) in sorted(
            entries, key=lambda e: e[1][2], reverse=True
        )[:8]:
            lines.append(
                f"| {own * 1000:.1f} ms | {own / total:.0%} | {_where(filename, line, function)} |"
            )
    return lines


def main() -> None:
    args = parse_args()
    started_at = commit()
    server = dbserver.start()
    scratch = Path(tempfile.mkdtemp(prefix="orm-views-bench-projects-"))
    progress(f"server: {server.version().split(',')[0]}; projects in {scratch}")
    maker = server.create("bench_makemigrations")
    migrations = workload.make_migrations(scratch / "template", maker)
    server.drop("bench_makemigrations")

    profile_root = scratch / "profiles" if args.profile else None
    by_size: dict[int, list[dict]] = {}
    projects: dict[int, Path] = {0: workload.make_project(scratch / "n0", 0, migrations)}
    for size in args.sizes:
        project = workload.make_project(scratch / f"n{size}", size, migrations)
        projects[size] = project
        by_size[size] = []
        for run in range(args.runs):
            progress(f"N={size}: run {run + 1}/{args.runs}")
            profile_dir = None
            if profile_root is not None and run == args.runs - 1:  # the last run only
                profile_dir = profile_root / f"n{size}"
                profile_dir.mkdir(parents=True, exist_ok=True)
            figures = measure(server, project, size, run, args.reps, profile_dir)
            by_size[size].append(figures)
            args.out.parent.mkdir(parents=True, exist_ok=True)
            (args.out.parent / "runs.json").write_text(json.dumps(by_size, indent=1))
    progress("manage.py check")
    startup = startup_times(projects, server.url, args.runs)
    waits = []
    if not args.quick:
        waits_project = workload.make_waits_project(scratch / "waits")
        for run in range(args.waits_runs):
            progress(f"readers during a deploy: run {run + 1}/{args.waits_runs}")
            waits.append(measure_waits(server, waits_project, run))

    first = next(iter(by_size.values()))[0]
    sections = [
        "# django_orm_views_hook benchmark\n",
        *environment_lines(server, args, started_at),
        f"- statements counted from: {first['statement_source']}",
        f"- {args.runs} fresh runs per size (fresh process, fresh database); cheap figures are "
        f"the median of {args.reps} repetitions inside a run. Cells: median (min–max); ratios "
        "are computed inside each run, then summarised.",
        "\n## Floor: the plan's CREATE statements, one script, one execute\n",
        report.floors(by_size),
        "\n## 1–3. Cold sync and re-sync with nothing changed (time inside `sync_views()`)\n",
        report.syncs(by_size),
        "\n## 4–5. `migrate`, hook on vs `ORM_VIEWS_AUTO_SYNC = False`\n",
        report.migrates(by_size),
        "\n## 6. Scaling and start-up\n",
        report.scaling(by_size, startup),
        "",
        report.startups(startup),
        "\n## 7. Lock window: a reader of the first view dropped, during a forced rebuild\n",
        report.lock_windows(by_size),
        "\n## Targets of issue 6\n",
        report.verdict_table(report.verdicts(by_size, startup)),
    ]
    if waits:
        sections += [
            "\n## 8. Readers' longest wait during a deploy\n",
            report.deploy_waits(waits, by_size),
        ]
    errors = [e for runs in by_size.values() for run in runs for e in run["reader_errors"]]
    if errors:
        sections += ["\nReader errors:\n", *[f"- {e}" for e in errors[:20]]]
    if profile_root is not None:
        sections += ["\n## Profiles of the last run of each size (untimed passes)\n"]
        sections += profile_lines(profile_root)
    text = "\n".join(sections) + "\n"
    print(text)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text)
    progress(f"written to {args.out}")


if __name__ == "__main__":
    main()
