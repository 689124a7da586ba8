"""What the package costs django-tenants' `migrate_schemas`, and what a tenant migration rebuilds.

    python benchmarks/tenants.py                          # 200 tenants, 20 views each
    python benchmarks/tenants.py --tenants 20 --views 20  # a quicker look

On a throwaway embedded PostgreSQL 16 unless DATABASE_URL is set (then a `bench_tenants`
database is created on that server and dropped afterwards, unless --keep). The project is the
django-tenants test project (tests/tenants, settings tests/tenant_settings.py), every command a
child process (`python -m django ...`) as a deploy runs it, with ORM_VIEWS_MODULE_NAME =
"bench_views": tests/tenants/shop/bench_views.py defines `--views` SQL views per tenant
(ORM_VIEWS_BENCH_VIEWS), the first reading shop_order.quantity, a few reading other views;
no shared view. TENANTS_VARIANT is "hook" (the package on, TENANT_BASE_MIGRATE_COMMAND naming
its migrate) or "hook-off" (the same with ORM_VIEWS_AUTO_SYNC = False). One run:

0. Set-up, with the package off: public migrated, `--tenants` tenants created through
   django-tenants (`seed_tenants --create`, `--batch` a process; each runs `migrate_schemas`
   for its schema), rows written. Then one `migrate_schemas` with the package on builds every
   tenant's views (timed; the views are counted in the catalog).
1. `migrate_schemas` with nothing to do, hook and hook-off, alternating (`--reps` of each, the
   order swapped every pair): the wall time of the process (start-up included), medians, and
   hook / hook-off of the medians and of each pair. Then one untimed run of each with the probe
   (tests/tenants/probe, TENANTS_PROBE), which counts the statements reading the catalogs from
   schema_pre_migration to schema_migrated, schema by schema. Target: hook minus hook-off at
   most 1 in every schema; and nothing rebuilt (every view keeps its oid).
2. `migrate_schemas shop 0002`: shop 0003 backwards retypes shop_order.quantity (bigint to
   integer) in every tenant, which PostgreSQL refuses while a view reads it. The oids of every
   view of every `<tenant>_views` (and `views`) are compared before and after; the views that
   had to go are read from the catalog before (pg_depend: the views reading that column, and
   their readers, transitively). Target: in every tenant, exactly those rebuilt, nothing else
   anywhere (tenants x k, not tenants x views). Then `migrate_schemas shop 0003` (forwards,
   the same column retyped back), measured the same way.

Results go to stdout and benchmarks/results/tenants.md (raw figures: tenants.json).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path
from typing import Any

import django
import django_tenants  # noqa: F401  (fails early where django-tenants is missing)
import psycopg
import psycopg.sql

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT.parent))
sys.path.insert(0, str(ROOT))

import dbserver  # noqa: E402

DATABASE = "bench_tenants"
TARGET_CATALOG = 1  # catalog statements the package may add to a schema's no-op migrate
REBUILT = re.compile(r"Views: rebuilt (\d+) of (\d+) views")

#: {(schema, view): oid} of every view and materialised view in the views schemas.
VIEW_OIDS = """
SELECT n.nspname, c.relname, c.oid::bigint FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('v', 'm') AND n.nspname = ANY(%s)
"""

#: (schema, view) of the views reading shop_order.quantity in any schema, and of their readers.
READERS_OF_QUANTITY = """
WITH RECURSIVE broken(oid) AS (
    SELECT r.ev_class FROM pg_depend d
    JOIN pg_rewrite r ON d.classid = 'pg_rewrite'::regclass AND d.objid = r.oid
    JOIN pg_class t ON t.oid = d.refobjid
    JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid
    WHERE d.refclassid = 'pg_class'::regclass AND t.relname = 'shop_order'
      AND a.attname = 'quantity' AND r.ev_class <> t.oid
    UNION
    SELECT r.ev_class FROM broken b
    JOIN pg_depend d ON d.refclassid = 'pg_class'::regclass AND d.refobjid = b.oid
    JOIN pg_rewrite r ON d.classid = 'pg_rewrite'::regclass AND d.objid = r.oid
    WHERE r.ev_class <> b.oid
)
SELECT n.nspname, c.relname FROM broken b
JOIN pg_class c ON c.oid = b.oid JOIN pg_namespace n ON n.oid = c.relnamespace
"""


@dataclass
class Project:
    """The tenant project on database `url`, its views module generating `views` views."""

    url: str
    views: int
    executor: str
    log: list[dict[str, Any]] = field(default_factory=list)

    def manage(self, *args: str, variant: str = "hook", **env: str) -> tuple[float, str]:
        """`python -m django <args>` in the tenant project: (wall seconds, stdout). Fails loudly."""
        environment = {
            key: value
            for key, value in os.environ.items()
            if key not in ("TENANTS_PROBE", "TENANTS_GRANTS")
        }
        environment.update(
            DATABASE_URL=self.url,
            DJANGO_SETTINGS_MODULE="tests.tenant_settings",
            PYTHONPATH=str(ROOT.parent),
            TENANTS_VARIANT=variant,
            ORM_VIEWS_MODULE_NAME="bench_views",
            ORM_VIEWS_BENCH_VIEWS=str(self.views),
            **env,
        )
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "django", *args],
            cwd=ROOT.parent,
            env=environment,
            capture_output=True,
            text=True,
            timeout=3600,
        )
        seconds = time.perf_counter() - started
        self.log.append({"args": list(args), "variant": variant, "seconds": seconds})
        if done.returncode != 0:
            raise SystemExit(
                f"failed ({variant}): django {' '.join(args)}\n"
                f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
            )
        return seconds, done.stdout

    def migrate_schemas(self, *args: str, variant: str = "hook", **env: str) -> tuple[float, str]:
        return self.manage(
            "migrate_schemas", *args, f"--executor={self.executor}", "--noinput",
            variant=variant, **env,
        )  # fmt: skip

    def query(self, sql: Any, params: list | None = None) -> list[tuple]:
        with psycopg.connect(self.url, autocommit=True) as connection:
            return connection.execute(sql, params).fetchall()

    def tenants(self) -> list[str]:
        rows = self.query(
            "SELECT schema_name FROM public.customers_client WHERE schema_name <> 'public'"
            " ORDER BY id"
        )
        return [name for (name,) in rows]

    def view_oids(self, tenants: list[str]) -> dict[tuple[str, str], int]:
        schemas = ["views", *(f"{tenant}_views" for tenant in tenants)]
        return {(s, v): oid for s, v, oid in self.query(VIEW_OIDS, [schemas])}


def reported_rebuilt(stdout: str) -> int:
    """The views the package says it rebuilt ("Views: rebuilt N of M views ..."), summed."""
    return sum(int(match.group(1)) for match in REBUILT.finditer(stdout))


def build(project: Project, names: list[str], batch: int) -> dict[str, Any]:
    """Public and the tenants with the package off, then the views with it on."""
    off = "hook-off"
    shared, _ = project.manage("migrate_schemas", "--shared", "--noinput", variant=off)
    create = 0.0
    for start in range(0, len(names), batch):
        seconds, _ = project.manage(
            "seed_tenants", "--create", *names[start : start + batch], variant=off
        )
        create += seconds
    rows, _ = project.manage("seed_tenants", "--rows", variant=off)
    assert project.tenants() == names
    assert not project.view_oids(names), "views before the package was on"
    views_build, stdout = project.migrate_schemas()
    built = project.view_oids(names)
    return {
        "migrate_shared_s": shared,
        "create_tenants_s": create,
        "rows_s": rows,
        "first_build_s": views_build,
        "views_built": len(built),
        "views_reported_rebuilt": reported_rebuilt(stdout),
        "views_expected": len(names) * project.views,
    }


def catalog_counts(project: Project, variant: str) -> dict[str, int]:
    """{schema: catalog statements} of one no-op migrate_schemas, from the probe."""
    with tempfile.TemporaryDirectory(prefix="bench-tenants-probe-") as scratch:
        probe = Path(scratch) / f"{variant}.jsonl"
        _, stdout = project.migrate_schemas(variant=variant, TENANTS_PROBE=str(probe))
        records = [json.loads(line) for line in probe.read_text().splitlines()]
    assert "rebuilt" not in stdout, stdout[-2000:]
    return {r["counted"]: r["count"] for r in records if r["signal"] == "catalog_queries"}


def nothing_to_do(project: Project, names: list[str], reps: int) -> dict[str, Any]:
    """No-op migrate_schemas, hook vs hook-off: times (alternating) and catalog statements."""
    before = project.view_oids(names)
    times: dict[str, list[float]] = {"hook": [], "hook-off": []}
    for rep in range(reps):
        order = ("hook-off", "hook") if rep % 2 == 0 else ("hook", "hook-off")
        for variant in order:
            seconds, stdout = project.migrate_schemas(variant=variant)
            assert "rebuilt" not in stdout, stdout[-2000:]
            times[variant].append(seconds)
    counts = {variant: catalog_counts(project, variant) for variant in ("hook-off", "hook")}
    schemas = ["public", *names]
    assert set(counts["hook"]) == set(counts["hook-off"]) == set(schemas), counts
    added = {schema: counts["hook"][schema] - counts["hook-off"][schema] for schema in schemas}
    pairs = [on / off for on, off in zip(times["hook"], times["hook-off"], strict=True)]
    return {
        "hook_s": times["hook"],
        "hook_off_s": times["hook-off"],
        "hook_median_s": statistics.median(times["hook"]),
        "hook_off_median_s": statistics.median(times["hook-off"]),
        "ratio_of_medians": statistics.median(times["hook"]) / statistics.median(times["hook-off"]),
        "pair_ratios": pairs,
        "catalog_hook": counts["hook"],
        "catalog_hook_off": counts["hook-off"],
        "catalog_added": added,
        "oids_kept": project.view_oids(names) == before,
    }


def breaking(project: Project, names: list[str], target: str) -> dict[str, Any]:
    """`migrate_schemas shop <target>` with the package on: what it rebuilt, what it had to."""
    before = project.view_oids(names)
    must = {key for key in map(tuple, project.query(READERS_OF_QUANTITY)) if key in before}
    seconds, stdout = project.migrate_schemas("shop", target)
    after = project.view_oids(names)
    rebuilt = {key for key, oid in before.items() if after.get(key) != oid}
    missing = set(before) - set(after)
    per_tenant = {
        tenant: sorted(v for s, v in rebuilt if s == f"{tenant}_views") for tenant in names
    }
    exact = [
        tenant
        for tenant in names
        if {v for s, v in rebuilt if s == f"{tenant}_views"}
        == {v for s, v in must if s == f"{tenant}_views"}
    ]
    latest = project.query(
        psycopg.sql.SQL(" UNION ").join(
            psycopg.sql.SQL("SELECT max(name) FROM {}.django_migrations WHERE app = 'shop'").format(
                psycopg.sql.Identifier(tenant)
            )
            for tenant in names
        )
    )
    return {
        "target": target,
        "seconds": seconds,
        "views_total": len(before),
        "must_rebuild": len(must),
        "rebuilt": len(rebuilt),
        "reported_rebuilt": reported_rebuilt(stdout),
        "missing_after": len(missing),
        "shared_rebuilt": sum(1 for s, _ in rebuilt if s == "views"),
        "tenants_exact": len(exact),
        "rebuilt_per_tenant": sorted({len(v) for v in per_tenant.values()}),
        "example": per_tenant[names[0]] if names else [],
        "all_at_target": {name for (name,) in latest} == {_migration_name(target)},
    }


def _migration_name(target: str) -> str:
    return {"0002": "0002_order_note", "0003": "0003_retype_order_quantity"}[target]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms"


def report(figures: dict[str, Any]) -> str:
    tenants, views = figures["tenants"], figures["views"]
    setup, noop = figures["setup"], figures["nothing_to_do"]
    added = list(noop["catalog_added"].values())
    over = [s for s, n in noop["catalog_added"].items() if n > TARGET_CATALOG]
    pairs = noop["pair_ratios"]
    schemas = tenants + 1
    extra_per_schema = (noop["hook_median_s"] - noop["hook_off_median_s"]) / schemas
    lines = [
        f"## django-tenants: {tenants} tenants x {views} views ({figures['server']})",
        "",
        f"{figures['python']}, Django {figures['django']}, django-tenants "
        f"{figures['django_tenants']}; executor `{figures['executor']}`; load average "
        f"{figures['load_before']:.2f} before, {figures['load_after']:.2f} after; the whole run "
        f"took {figures['total_s']:.0f} s. Every `migrate_schemas` is a process, timed from "
        "start to exit.",
        "",
        "| figure | measured | target |",
        "|---|---|---|",
        f"| set-up, package off: public migrated / {tenants} tenants created (seed_tenants "
        f"--create, {figures['batch']} a process) / rows | {setup['migrate_shared_s']:.1f} s / "
        f"{setup['create_tenants_s']:.1f} s / {setup['rows_s']:.1f} s | |",
        f"| first `migrate_schemas` with the package on: views built | "
        f"{setup['first_build_s']:.1f} s, {setup['views_built']:,} views in the catalog "
        f"({setup['views_reported_rebuilt']:,} reported), {setup['views_expected']:,} expected "
        f"| |",
        f"| no-op `migrate_schemas`, hook / hook-off (median of {len(pairs)}) | "
        f"{ms(noop['hook_median_s'])} / {ms(noop['hook_off_median_s'])}, "
        f"**{noop['ratio_of_medians']:.2f}x** (per pair {statistics.median(pairs):.2f}x, "
        f"{min(pairs):.2f}-{max(pairs):.2f}); hook's extra per schema "
        f"{extra_per_schema * 1000:.1f} ms | ratio only |",
        f"| no-op: catalog statements per schema, hook / hook-off (median) | "
        f"{statistics.median(noop['catalog_hook'].values()):g} / "
        f"{statistics.median(noop['catalog_hook_off'].values()):g} | |",
        f"| no-op: hook minus hook-off, per schema ({schemas} schemas) | "
        f"**{min(added):+d} to {max(added):+d}** (total {sum(added):+d}); "
        f"{len(over)} schemas over {TARGET_CATALOG} | <= {TARGET_CATALOG}: "
        f"{'met' if not over else 'NOT met'} |",
        f"| no-op: views rebuilt | {0 if noop['oids_kept'] else 'some'} (oids "
        f"{'all kept' if noop['oids_kept'] else 'CHANGED'}) | 0 |",
    ]
    for step in figures["breaking"]:
        direction = "backwards" if step["target"] == "0002" else "forwards"
        ok = _breaking_met(step, tenants)
        each = "/".join(map(str, step["rebuilt_per_tenant"]))
        lines.append(
            f"| `migrate_schemas shop {step['target']}` (shop 0003 {direction}: retypes "
            f"shop_order.quantity): views rebuilt | **{step['rebuilt']:,} of "
            f"{step['views_total']:,}** ({tenants} x {each}; "
            f"{step['reported_rebuilt']:,} reported); must go: {step['must_rebuild']:,}; "
            f"exact in {step['tenants_exact']} of {tenants} tenants; {step['missing_after']} "
            f"missing after; {step['seconds']:.1f} s "
            f"({step['seconds'] / noop['hook_median_s']:.2f}x the no-op) | only the broken "
            f"views and their readers: {'met' if ok else 'NOT met'} |"
        )
    example = figures["breaking"][0]["example"] if figures["breaking"] else []
    lines += [
        "",
        f"Rebuilt in the first tenant by shop 0002: {', '.join(example)}.",
        "",
        f"* Catalog statements: {'met' if not over else 'NOT met'}: the package adds "
        f"{min(added):+d} to {max(added):+d} per schema to a no-op `migrate_schemas` "
        f"(target <= {TARGET_CATALOG}).",
    ]
    for step in figures["breaking"]:
        ok = _breaking_met(step, tenants)
        lines.append(
            f"* Rebuilds, shop {step['target']}: {'met' if ok else 'NOT met'}: "
            f"{step['rebuilt']:,} of {step['views_total']:,} views rebuilt, exactly the "
            f"{step['must_rebuild']:,} that read shop_order.quantity or read such a view "
            f"in {step['tenants_exact']} of {tenants} tenants."
        )
    lines.append(
        f"* Time, no-op: hook / hook-off = {noop['ratio_of_medians']:.2f}x in this run "
        "(no target: a ratio, not an absolute claim)."
    )
    return "\n".join(lines) + "\n"


def _breaking_met(step: dict[str, Any], tenants: int) -> bool:
    return (
        step["tenants_exact"] == tenants
        and step["rebuilt"] == step["must_rebuild"]
        and step["missing_after"] == 0
        and step["shared_rebuilt"] == 0
        and step["all_at_target"]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tenants", type=int, default=200)
    parser.add_argument("--views", type=int, default=20, help="views per tenant")
    parser.add_argument("--reps", type=int, default=3, help="no-op runs of each variant")
    parser.add_argument("--batch", type=int, default=50, help="tenants per seed_tenants")
    parser.add_argument("--executor", default="standard", choices=["standard", "multiprocessing"])
    parser.add_argument("--keep", action="store_true", help=f"keep the {DATABASE} database")
    options = parser.parse_args()
    started = time.perf_counter()
    load_before = os.getloadavg()[0]
    server = dbserver.start()
    url = server.create(DATABASE)
    project = Project(url=url, views=options.views, executor=options.executor)
    names = [f"t{index:04d}" for index in range(options.tenants)]
    try:
        figures: dict[str, Any] = {
            "server": server.version().split(" on ")[0],
            "python": f"Python {platform.python_version()}",
            "django": django.get_version(),
            "django_tenants": version("django-tenants"),
            "executor": options.executor,
            "tenants": options.tenants,
            "views": options.views,
            "batch": options.batch,
            "load_before": load_before,
        }
        print(f"set-up: {options.tenants} tenants ...", file=sys.stderr, flush=True)
        figures["setup"] = build(project, names, options.batch)
        print("no-op migrate_schemas ...", file=sys.stderr, flush=True)
        figures["nothing_to_do"] = nothing_to_do(project, names, options.reps)
        print("breaking migration ...", file=sys.stderr, flush=True)
        figures["breaking"] = [breaking(project, names, target) for target in ("0002", "0003")]
    finally:
        if not options.keep:
            server.drop(DATABASE)
    figures["load_after"] = os.getloadavg()[0]
    figures["total_s"] = time.perf_counter() - started
    figures["commands"] = project.log
    text = report(figures)
    print(text)
    results = ROOT / "results"
    results.mkdir(exist_ok=True)
    (results / "tenants.md").write_text(text)
    (results / "tenants.json").write_text(json.dumps(figures, indent=1, default=sorted))


if __name__ == "__main__":
    main()
