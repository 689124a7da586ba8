"""Turn the per-run figures into Markdown tables: medians with min–max, ratios per run, verdicts.

Every ratio is computed within one run (same database, same minute) and only then summarised,
so a noisy machine moves numerator and denominator together.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

Figures = dict[str, Any]


@dataclass(frozen=True)
class Summary:
    median: float
    low: float
    high: float

    @classmethod
    def of(cls, values: Sequence[float]) -> Summary:
        return cls(statistics.median(values), min(values), max(values))


def summary(runs: Sequence[Figures], value: Callable[[Figures], float]) -> Summary:
    return Summary.of([value(run) for run in runs])


def ms(s: Summary) -> str:
    return f"{s.median * 1000:,.1f} ms ({s.low * 1000:,.1f}–{s.high * 1000:,.1f})"


def ratio(s: Summary) -> str:
    return f"**{s.median:.2f}×** ({s.low:.2f}–{s.high:.2f})"


def count(s: Summary) -> str:
    if s.low == s.high:
        return f"{s.median:g}"
    return f"{s.median:g} ({s.low:g}–{s.high:g})"


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def stmts(key: str) -> Callable[[Figures], float]:
    return lambda run: run[key]["statements"]


def floors(by_size: dict[int, list[Figures]]) -> str:
    rows = []
    for size, runs in by_size.items():
        first = runs[0]
        rows.append(
            [
                f"{size}",
                f"{first['views'] - size} mat.",
                f"{first['create_statements']} / {first['sql_statements']}",
                ms(summary(runs, lambda r: r["floor"])),
                ms(summary(runs, lambda r: r["script"])),
                ratio(summary(runs, lambda r: r["script"] / r["floor"])),
            ]
        )
    return table(
        [
            "N views",
            "+ materialised",
            "CREATE / all statements of the plan",
            "**floor** (CREATEs, 1 execute)",
            "sync's whole script, 1 execute",
            "script / floor",
        ],
        rows,
    )


def syncs(by_size: dict[int, list[Figures]]) -> str:
    rows = []
    for size, runs in by_size.items():
        rows.append(
            [
                f"{size}",
                ms(summary(runs, lambda r: r["floor"])),
                ms(summary(runs, lambda r: r["cold_sync"])),
                ratio(summary(runs, lambda r: r["cold_sync"] / r["floor"])),
                count(summary(runs, stmts("count_cold_sync"))),
                ms(summary(runs, lambda r: r["resync"])),
                ratio(summary(runs, lambda r: r["resync"] / r["floor"])),
                count(summary(runs, stmts("count_resync")))
                + f" (DDL {count(summary(runs, lambda r: r['count_resync']['ddl']))})",
                ms(summary(runs, lambda r: r["plan_cold"])),
                ms(summary(runs, lambda r: r["plan_warm"])),
            ]
        )
    return table(
        [
            "N",
            "floor",
            "cold sync",
            "cold / floor",
            "cold: statements",
            "re-sync, nothing changed",
            "re-sync / floor",
            "re-sync: statements",
            "plan build, fresh process",
            "plan build, again",
        ],
        rows,
    )


def migrates(by_size: dict[int, list[Figures]]) -> str:
    rows = []
    for size, runs in by_size.items():
        rows.append(
            [
                f"{size}",
                ms(summary(runs, lambda r: r["migrate_noop_off"])),
                ms(summary(runs, lambda r: r["migrate_noop_on"])),
                ratio(summary(runs, lambda r: r["migrate_noop_on"] / r["migrate_noop_off"])),
                ms(summary(runs, lambda r: r["migrate_noop_off_skip_checks"])),
                ms(summary(runs, lambda r: r["migrate_noop_on_skip_checks"])),
                ratio(
                    summary(
                        runs,
                        lambda r: (
                            r["migrate_noop_on_skip_checks"] / r["migrate_noop_off_skip_checks"]
                        ),
                    )
                ),
                f"{count(summary(runs, stmts('count_migrate_noop_off')))} → "
                f"{count(summary(runs, stmts('count_migrate_noop_on')))}",
                ms(summary(runs, lambda r: r["migrate_pending_off"])),
                ms(summary(runs, lambda r: r["migrate_pending_on"])),
                ratio(
                    summary(
                        runs,
                        lambda r: (r["migrate_pending_on"] - r["migrate_pending_off"]) / r["floor"],
                    )
                ),
                count(summary(runs, lambda r: r["migrate_pending_rebuilt"])),
                f"{count(summary(runs, stmts('count_migrate_pending_off')))} → "
                f"{count(summary(runs, stmts('count_migrate_pending_on')))}",
            ]
        )
    return table(
        [
            "N",
            "nothing pending, hook off",
            "nothing pending, hook on",
            "on / off",
            "same, --skip-checks: off",
            "on",
            "on / off",
            "statements off → on",
            "1 pending, hook off",
            "1 pending, hook on",
            "(on − off) / floor",
            "views rebuilt",
            "statements off → on",
        ],
        rows,
    )


def lock_windows(by_size: dict[int, list[Figures]]) -> str:
    rows = []
    for size, runs in by_size.items():
        rows.append(
            [
                f"{size}",
                ms(summary(runs, lambda r: r["floor"])),
                ms(summary(runs, lambda r: r["forced_sync"])),
                ms(summary(runs, lambda r: r["reader_longest_wait"])),
                ratio(summary(runs, lambda r: r["reader_longest_wait"] / r["floor"])),
                f"{sum(r['reader_reads'] for r in runs):,}",
                f"{sum(len(r['reader_errors']) for r in runs)}",
            ]
        )
    return table(
        [
            "N",
            "floor",
            "forced sync (force=True)",
            "reader's longest wait",
            "wait / floor",
            "reads",
            "reader errors",
        ],
        rows,
    )


def scaling(by_size: dict[int, list[Figures]], startup: dict[int, list[float]]) -> str:
    rows = []
    sizes = sorted(by_size)
    for small, large in zip(sizes, sizes[1:], strict=False):
        factor = large / small
        cold = [
            b["cold_sync"] / a["cold_sync"]
            for a, b in zip(by_size[small], by_size[large], strict=True)
        ]
        floor = [
            b["floor"] / a["floor"] for a, b in zip(by_size[small], by_size[large], strict=True)
        ]
        rows.append(
            [
                f"{large} / {small} (×{factor:g} views)",
                ratio(Summary.of(cold)),
                ratio(Summary.of(floor)),
                _startup_ratio(startup, large, small),
            ]
        )
    if 0 in startup:
        for size in sizes:
            rows.append([f"{size} / none", "", "", _startup_ratio(startup, size, 0)])
    return table(
        ["sizes", "cold sync", "floor", "`manage.py check`"],
        rows,
    )


def _startup_ratio(startup: dict[int, list[float]], large: int, small: int) -> str:
    if large not in startup or small not in startup:
        return "–"
    pairs = [b / a for a, b in zip(startup[small], startup[large], strict=True)]
    return ratio(Summary.of(pairs))


def startups(startup: dict[int, list[float]]) -> str:
    rows = [[f"{size}", ms(Summary.of(times))] for size, times in sorted(startup.items())]
    return table(["N views", "`manage.py check` (process wall time)"], rows)


@dataclass(frozen=True)
class Verdict:
    target: str
    measured: str
    met: bool | None


def _median(runs: Sequence[Figures], value: Callable[[Figures], float]) -> float:
    return statistics.median([value(run) for run in runs])


def verdicts(by_size: dict[int, list[Figures]], startup: dict[int, list[float]]) -> list[Verdict]:
    found: list[Verdict] = []
    judged = [size for size in (500, 2000) if size in by_size] or [max(by_size)]

    for size in judged:
        runs = by_size[size]
        cold = _median(runs, lambda r: r["cold_sync"] / r["floor"])
        found.append(Verdict(f"1. cold sync ≤ 1.2× floor (N={size})", f"{cold:.2f}×", cold <= 1.2))

    size = 500 if 500 in by_size else max(by_size)
    runs = by_size[size]
    resync = _median(runs, lambda r: r["resync"] / r["floor"])
    statements = max(r["count_resync"]["statements"] for r in runs)
    ddl = max(r["count_resync"]["ddl"] for r in runs)
    found.append(
        Verdict(
            f"2. re-sync: no DDL, ≤ 3 statements, ≤ 0.1× floor (N={size})",
            f"{ddl} DDL, {statements} statement(s), {resync:.3f}×",
            ddl == 0 and statements <= 3 and resync <= 0.1,
        )
    )
    for size in judged:
        runs = by_size[size]
        noop = _median(runs, lambda r: r["migrate_noop_on"] / r["migrate_noop_off"])
        extra = max(
            r["count_migrate_noop_on"]["statements"] - r["count_migrate_noop_off"]["statements"]
            for r in runs
        )
        found.append(
            Verdict(
                f"3. migrate, nothing pending: ≤ 1.1× hook off, ≤ 3 statements more (N={size})",
                f"{noop:.2f}×, {extra:+d} statements",
                noop <= 1.1 and extra <= 3,
            )
        )
        bare = _median(
            runs, lambda r: r["migrate_noop_on_skip_checks"] / r["migrate_noop_off_skip_checks"]
        )
        found.append(
            Verdict(
                f"3'. the same with --skip-checks (the hook's own cost) (N={size})",
                f"{bare:.2f}×",
                bare <= 1.1,
            )
        )
        pending = _median(
            runs, lambda r: (r["migrate_pending_on"] - r["migrate_pending_off"]) / r["floor"]
        )
        found.append(
            Verdict(
                f"4. migrate, 1 pending: on − off ≤ 1.2× floor (N={size})",
                f"{pending:.2f}× floor",
                pending <= 1.2,
            )
        )
    if 500 in by_size and 2000 in by_size:
        pairs = zip(by_size[500], by_size[2000], strict=True)
        cold = statistics.median([b["cold_sync"] / a["cold_sync"] for a, b in pairs])
        found.append(Verdict("6. cold sync N=2000 / N=500 ≤ 4.4×", f"{cold:.2f}×", cold <= 4.4))
    if 500 in startup and 2000 in startup:
        check = statistics.median([b / a for a, b in zip(startup[500], startup[2000], strict=True)])
        found.append(
            Verdict("6. `manage.py check` N=2000 / N=500 ≤ 4.4×", f"{check:.2f}×", check <= 4.4)
        )
    if 0 in startup and 2000 in startup:
        check = statistics.median([b / a for a, b in zip(startup[0], startup[2000], strict=True)])
        found.append(
            Verdict(
                "6. `manage.py check` N=2000 / no views (discovery must not dominate)",
                f"{check:.2f}×",
                None,
            )
        )
    size = 500 if 500 in by_size else max(by_size)
    runs = by_size[size]
    wait = _median(runs, lambda r: r["reader_longest_wait"] / r["floor"])
    errors = sum(len(r["reader_errors"]) for r in runs)
    found.append(
        Verdict(
            f"7. lock window: reader's longest wait ≤ 1.5× floor (N={size})",
            f"{wait:.2f}×, {errors} reader errors",
            wait <= 1.5 and errors == 0,
        )
    )
    return found


def verdict_table(found: Sequence[Verdict]) -> str:
    marks = {True: "met", False: "**missed**", None: "(reported)"}
    return table(
        ["target (issue 6)", "measured (median of per-run ratios)", "verdict"],
        [[v.target, v.measured, marks[v.met]] for v in found],
    )


def deploy_waits(waits: Sequence[Figures], by_size: dict[int, list[Figures]]) -> str:
    """Targets (a)-(c): readers wait for the swap only, and never behind a pending lock."""
    attempt = waits[0]["attempt_timeout"]
    big = summary(waits, lambda r: r["matview_longest_wait"])
    held = summary(waits, lambda r: r["held_longest_wait"] / r["attempt_timeout"])
    rows = [
        [
            f"(a) definition change of a materialised view over {waits[0]['big_rows']:,} rows",
            f"rebuild (the sync) {ms(summary(waits, lambda r: r['matview_sync']))}",
            f"longest wait {ms(big)}",
            "≤ 50 ms: " + ("met" if big.median <= 0.05 else "**missed**"),
        ],
        [
            f"(b) a sync must drop a view held by a {waits[0]['hold_seconds']:g} s transaction",
            f"sync {ms(summary(waits, lambda r: r['held_sync']))}",
            f"longest wait {ms(summary(waits, lambda r: r['held_longest_wait']))}, "
            f"{ratio(held)} the {attempt * 1000:g} ms attempt",
            "≤ 2×: " + ("met" if held.median <= 2 else "**missed**"),
        ],
    ]
    if 500 in by_size:
        runs = by_size[500]
        forced = summary(runs, lambda r: r["reader_longest_wait"] / r["floor"])
        rows.append(
            [
                "(c) forced rebuild of N=500 (section 7)",
                f"sync {ms(summary(runs, lambda r: r['forced_sync']))}",
                f"longest wait {ratio(forced)} the floor",
                "≤ 1.0×: " + ("met" if forced.median <= 1.0 else "**missed**"),
            ]
        )
    errors = sum(len(r["reader_errors"]) for r in waits)
    rows.append([f"reader errors in (a) and (b): {errors}", "", "", ""])
    return table(["scenario", "deploy", "reader's longest wait", "target"], rows)
