"""The fidelity corpus (tests/unit/planning/grammar_corpus.py) against each binding of libpg_query.

    python benchmarks/fidelity.py [--show]

For each binding importable here, the package's own readers (django_orm_views_hook.planning.
grammar and the modules that use it) run on that binding's parse trees, and every answer is
compared with the one recorded in tests/unit/planning/grammar_corpus.json (pglast's, before the
switch to postgast).
The parse trees themselves are also compared with pglast's, without the locations (which
PostgreSQL 18 counts differently for statements), when pglast is importable. `--show` prints
every differing answer. Bindings whose protobuf requirements conflict cannot share one
environment: run the script once in each. `--record pglast` writes the answers of the package's
readers on pglast's trees as the recorded ones (for new inputs; review the diff).

Each binding's tree is read in libpg_query's JSON form: pglast's `parse_sql_json`, pgparse's
`parse`, psqlparse2's `query_parse_json`, and the protobuf messages of postgast and
pg-query-python through protobuf's own `MessageToDict`, which uses the same field names.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from django_orm_views_hook.database import deferred_constraints as deferred_triggers  # noqa: E402
from django_orm_views_hook.exceptions import SqlSyntaxError  # noqa: E402
from django_orm_views_hook.planning import grammar, sql_text, statement_effects  # noqa: E402
from tests.unit.planning import grammar_corpus  # noqa: E402

Raw = Callable[[str], list[grammar.Statement]]


def _statements(stmts: list[dict[str, Any]]) -> list[grammar.Statement]:
    """libpg_query's JSON statements as the package's Statements."""
    found = []
    for raw in stmts:
        if raw.get("stmt"):
            kind, fields = grammar.unwrap(raw["stmt"])
            found.append(grammar.Statement(kind, lambda fields=fields: fields))
    return found


def _failing(sql: str, message: str, cursorpos: int | None) -> SqlSyntaxError:
    return SqlSyntaxError(grammar.explain(sql, message, cursorpos))


def _pglast() -> tuple[Raw, str]:
    from pglast import parser

    def raw(sql: str) -> list[grammar.Statement]:
        try:
            return _statements(json.loads(parser.parse_sql_json(sql)).get("stmts", []))
        except parser.ParseError as exc:
            index = exc.args[1] if len(exc.args) > 1 else None
            raise _failing(sql, exc.args[0], None if index is None else index + 1) from exc

    major, minor = parser.get_postgresql_version()
    return raw, f"{major}.{minor}"


def _pgparse() -> tuple[Raw, str]:
    import pgparse

    def raw(sql: str) -> list[grammar.Statement]:
        try:
            return _statements(pgparse.parse(sql))
        except pgparse.PGQueryError as exc:
            raise _failing(sql, str(exc.message), exc.position) from exc

    return raw, "17 (libpg_query 17-latest)"


def _protobuf(parse: Callable[[str], Any], error: type[Exception]) -> Raw:
    from google.protobuf.json_format import MessageToDict

    def raw(sql: str) -> list[grammar.Statement]:
        try:
            return _statements(MessageToDict(parse(sql)).get("stmts", []))
        except error as exc:
            message = getattr(exc, "message", None) or str(exc)
            raise _failing(sql, message, getattr(exc, "cursorpos", None)) from exc

    return raw


def _postgast() -> tuple[Raw, str]:
    import postgast

    version = postgast.parse("SELECT 1").version
    return grammar._raw, f"{version // 10000}.{version % 100}"


def _pg_query_python() -> tuple[Raw, str]:
    import pg_query

    version = pg_query.parse("SELECT 1").version
    return _protobuf(pg_query.parse, pg_query.PgQueryError), f"{version // 10000}.{version % 100}"


def _psqlparse2() -> tuple[Raw, str]:
    from psqlparse2 import pg_query

    def raw(sql: str) -> list[grammar.Statement]:
        try:
            return _statements(json.loads(pg_query.query_parse_json(sql)).get("stmts", []))
        except pg_query.PgQueryExc as exc:
            message, cursorpos = str(exc), getattr(exc, "cursorpos", None)
            raise _failing(sql, message, cursorpos) from exc

    version = json.loads(pg_query.query_parse_json("SELECT 1"))["version"]
    return raw, f"{version // 10000}.{version % 100}"


BINDINGS: dict[str, Callable[[], tuple[Raw, str]]] = {
    "pglast": _pglast,
    "pgparse": _pgparse,
    "postgast": _postgast,
    "pg-query-python": _pg_query_python,
    "psqlparse2": _psqlparse2,
}


def answers_with(raw: Raw) -> dict[str, Any]:
    """The corpus's answers, the package reading `raw`'s trees."""
    original = grammar._raw
    grammar._raw = raw
    try:
        for cached in (
            sql_text.statement_kinds,
            statement_effects.of_sql,
            deferred_triggers.tables_checked_by,
        ):
            cached.cache_clear()
        return {
            grammar_corpus.key(sql, params): grammar_corpus.answers(sql, params)
            for sql, params in grammar_corpus.inputs()
        }
    finally:
        grammar._raw = original


def _without_locations(node: Any) -> Any:
    if isinstance(node, dict):
        return {
            k: _without_locations(v)
            for k, v in node.items()
            if k not in ("location", "stmt_location", "stmt_len")
        }
    if isinstance(node, list):
        return [_without_locations(item) for item in node]
    return node


def trees(raw: Raw) -> dict[str, Any]:
    found = {}
    for sql, params in grammar_corpus.inputs():
        try:
            statements = [[s.kind, s.fields] for s in raw(sql)]
            found[grammar_corpus.key(sql, params)] = _without_locations(statements)
        except SqlSyntaxError as exc:
            found[grammar_corpus.key(sql, params)] = {"error": str(exc)}
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--show", action="store_true", help="print every differing answer")
    parser.add_argument("--record", metavar="BINDING", help="record this binding's answers")
    args = parser.parse_args()
    if args.record:
        raw = BINDINGS[args.record]()[0]
        original, grammar._raw = grammar._raw, raw
        try:
            answers_with(raw)  # empties the caches
            grammar_corpus.record()
        finally:
            grammar._raw = original
        print(f"recorded {len(grammar_corpus.inputs())} answers from {args.record}")
        return
    print(f"# Python {platform.python_version()} ({sys.executable}), {platform.machine()}")
    expected = grammar_corpus.expected()
    loaded: dict[str, tuple[Raw, str]] = {}
    for name, load in BINDINGS.items():
        try:
            loaded[name] = load()
        except Exception as exc:  # noqa: BLE001 - not installed, or broken here: say which
            print(f"# {name}: not run ({type(exc).__name__}: {exc})".splitlines()[0])
    reference = trees(loaded["pglast"][0]) if "pglast" in loaded else None
    print(f"# corpus: {len(expected)} inputs")
    print("| binding | PostgreSQL grammar | answers as recorded | trees as pglast's |")
    print("|---|---|---|---|")
    differing: dict[str, list[str]] = {}
    for name, (raw, version) in loaded.items():
        found = answers_with(raw)
        differing[name] = [key for key in expected if found[key] != expected[key]]
        same_trees = "–"
        if reference is not None:
            mine = trees(raw)
            same_trees = f"{sum(mine[k] == reference[k] for k in reference)} / {len(reference)}"
        same = len(expected) - len(differing[name])
        print(f"| {name} | {version} | {same} / {len(expected)} | {same_trees} |")
        if args.show:
            for key in differing[name]:
                print(f"    {key!r}\n      recorded: {expected[key]}\n      {name}: {found[key]}")
    for name, keys in differing.items():
        if keys:
            print(f"# {name} differs on: " + "; ".join(key[:70] for key in keys))


if __name__ == "__main__":
    main()
