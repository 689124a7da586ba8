"""Per-parse cost of each Python binding of libpg_query on a 40-line view query.

    python benchmarks/parsers.py [--reps 2000] [--rounds 7]

Times, for each binding importable in this environment, what the package needs from it: the
whole parse tree of the query (in the binding's own form), and where the binding offers a cheaper
way, only "how many statements, and what is the first" (a view's `sql` check). Rounds alternate
between the bindings, and each figure is the median over the rounds of the mean per parse, in
microseconds. Bindings that cannot share one environment (their protobuf requirements conflict)
are timed by running the script once in each environment: the 40-line query is the same, and
the first line of the output names the interpreter, so the rows can be put side by side.
"""

from __future__ import annotations

import argparse
import importlib
import json
import platform
import re
import statistics
import sys
import time
from collections.abc import Callable

#: A view of the kind a reporting project writes: joins, a CTE, CASE, aggregates, comments.
VIEW_SQL = """\
-- monthly revenue per customer and region
WITH paid AS (
    SELECT o.id,
           o.customer_id,
           o.placed_at,
           sum(l.quantity * l.unit_price) AS total
    FROM shop_order AS o
    JOIN shop_orderline AS l ON l.order_id = o.id
    WHERE o.status IN ('paid', 'shipped')
      AND o.placed_at >= now() - interval '2 years'
    GROUP BY o.id, o.customer_id, o.placed_at
),
refunds AS (
    SELECT r.order_id, sum(r.amount) AS refunded
    FROM shop_refund AS r
    GROUP BY r.order_id
)
SELECT c.id AS customer_id,
       c.name,
       reg.name AS region,
       date_trunc('month', p.placed_at) AS month,
       count(*) AS orders,
       sum(p.total) AS gross,
       sum(coalesce(f.refunded, 0)) AS refunded,
       sum(p.total - coalesce(f.refunded, 0)) AS net,
       CASE
           WHEN sum(p.total) > 10000 THEN 'gold'
           WHEN sum(p.total) > 1000 THEN 'silver'
           ELSE 'bronze'
       END AS tier,
       /* a comment with a ; inside */
       string_agg(DISTINCT p.id::text, ',' ORDER BY p.id::text) AS order_ids
FROM paid AS p
JOIN shop_customer AS c ON c.id = p.customer_id
LEFT JOIN shop_region AS reg ON reg.id = c.region_id
LEFT JOIN refunds AS f ON f.order_id = p.id
WHERE c.is_active
  AND NOT EXISTS (SELECT 1 FROM shop_blocklist AS b WHERE b.customer_id = c.id)
GROUP BY c.id, c.name, reg.name, date_trunc('month', p.placed_at)
HAVING count(*) > 0
ORDER BY month DESC, net DESC"""

Timed = dict[str, Callable[[str], object]]


FIRST_NODE = re.compile(r'\{"version":\d+,"stmts":\[\{"stmt":\{"(\w+)"')


def _pglast() -> Timed:
    from pglast import parser

    def kinds(sql: str) -> object:  # what sql_text.statement_kinds did with pglast
        parser.split(sql)
        match = FIRST_NODE.match(parser.parse_sql_json(sql))
        return match and match.group(1)

    return {
        "tree (pglast Python nodes)": parser.parse_sql,
        "tree (libpg_query JSON, loaded)": lambda sql: json.loads(parser.parse_sql_json(sql)),
        "count + first kind (split, JSON, regex: the package with pglast)": kinds,
    }


def _pgparse() -> Timed:
    import pgparse

    return {"tree (libpg_query JSON, loaded)": pgparse.parse}


def _postgast() -> Timed:
    import postgast

    def kinds(sql: str) -> object:
        stmts = postgast.parse(sql).stmts
        return len(stmts), stmts[0].stmt.WhichOneof("node")

    return {
        "tree (protobuf message)": postgast.parse,
        "count + first kind (protobuf: the package with postgast)": kinds,
    }


def _pg_query_python() -> Timed:
    import pg_query

    return {"tree (protobuf message)": pg_query.parse}


def _psqlparse2() -> Timed:
    from psqlparse2 import pg_query

    return {
        "tree (protobuf message)": pg_query.query_parse_protobuf,
        "tree (libpg_query JSON, loaded)": lambda sql: json.loads(pg_query.query_parse_json(sql)),
    }


BINDINGS: dict[str, tuple[str, Callable[[], Timed]]] = {
    "pglast": ("pglast", _pglast),
    "pgparse": ("pgparse", _pgparse),
    "postgast": ("postgast", _postgast),
    "pg-query-python": ("pg_query", _pg_query_python),
    "psqlparse2": ("psqlparse2", _psqlparse2),
}


def available() -> dict[str, Timed]:
    found = {}
    for name, (module, load) in BINDINGS.items():
        try:
            importlib.import_module(module)
            found[name] = load()
        except Exception as exc:  # noqa: BLE001 - not installed, or broken here: say which
            print(f"# {name}: not timed ({type(exc).__name__}: {exc})".splitlines()[0])
    return found


def per_parse(function: Callable[[str], object], reps: int) -> float:
    started = time.perf_counter()
    for _ in range(reps):
        function(VIEW_SQL)
    return (time.perf_counter() - started) / reps * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reps", type=int, default=2000, help="parses per round")
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    print(f"# Python {platform.python_version()} ({sys.executable}), {platform.machine()}")
    print(f"# query: {len(VIEW_SQL.splitlines())} lines, {len(VIEW_SQL)} characters")
    bindings = available()
    cases = [(name, what, f) for name, timed in bindings.items() for what, f in timed.items()]
    for _, _, function in cases:
        per_parse(function, 50)  # warm-up
    rounds: dict[tuple[str, str], list[float]] = {(n, w): [] for n, w, _ in cases}
    for _ in range(args.rounds):
        for name, what, function in cases:
            rounds[(name, what)].append(per_parse(function, args.reps))
    print("| binding | what | µs per parse (median of rounds, min–max) |")
    print("|---|---|---|")
    for (name, what), values in rounds.items():
        print(
            f"| {name} | {what} | {statistics.median(values):.1f} "
            f"({min(values):.1f}–{max(values):.1f}) |"
        )


if __name__ == "__main__":
    main()
