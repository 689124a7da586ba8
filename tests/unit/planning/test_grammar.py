"""PostgreSQL's grammar through postgast: the cases where the bindings compared disagreed.

benchmarks/fidelity.py ran the corpus against each binding; these are the inputs on which some
binding answered otherwise than pglast did, kept as tests of the one the package uses.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from django_orm_views_hook.database.deferred_constraints import tables_checked_by
from django_orm_views_hook.exceptions import SqlSyntaxError
from django_orm_views_hook.planning import grammar
from django_orm_views_hook.planning.sql_text import statement_kinds
from django_orm_views_hook.planning.statement_effects import of_sql


@pytest.mark.parametrize(
    "sql",
    [
        # What Django 6.1 writes for GeneratedField(db_persist=False) on PostgreSQL 18.
        'ALTER TABLE "app_m" ADD COLUMN "c" integer GENERATED ALWAYS AS (("a" + 1)) VIRTUAL',
        "ALTER TABLE t ADD CONSTRAINT c CHECK (a > 0) NOT ENFORCED",
        "ALTER TABLE t ADD CONSTRAINT p PRIMARY KEY (id, valid WITHOUT OVERLAPS)",
    ],
)
def test_statements_of_postgresql_18_are_read_not_taken_for_unknown(sql):
    # With PostgreSQL 16's or 17's grammar (pgparse, pg-query-python, psqlparse2) they do not
    # parse: every managed view would be dropped before them, and their table's pending
    # deferred checks would not be fired.
    assert not of_sql(sql).breaks_views
    assert tables_checked_by(sql)[0][1] in ("app_m", "t")


def test_json_table_in_a_view_is_one_query():
    # PostgreSQL 16's grammar (pg-query-python, psqlparse2) refuses it as a syntax error.
    sql = "SELECT * FROM JSON_TABLE('[1]'::jsonb, '$[*]' COLUMNS (v int PATH '$')) AS jt"
    assert statement_kinds(sql) == ("SelectStmt",)


@pytest.mark.parametrize(
    ("sql", "where"),
    [
        ("SELECT 'é' AS e FROM FROM t", "at character 22: 'FROM t'"),
        ("SELECT '😀😀' AS e FROM FROM t", "at character 23: 'FROM t'"),
    ],
)
def test_error_positions_count_characters_not_bytes(sql, where):
    # postgast documents `cursorpos` as a byte offset; libpg_query reports PostgreSQL's, a
    # character position, and the message quotes the text from there.
    with pytest.raises(SqlSyntaxError) as excinfo:
        statement_kinds(sql)
    assert str(excinfo.value) == f'syntax error at or near "FROM", {where}'


def test_an_error_at_the_end_of_the_input_says_so_without_a_position():
    with pytest.raises(SqlSyntaxError) as excinfo:
        grammar.parse("SELECT (1")
    assert str(excinfo.value) == "syntax error at end of input"


def test_a_statement_s_fields_are_libpg_query_s_json_form():
    (statement,) = grammar.parse("ALTER TABLE ONLY s.t DROP COLUMN a CASCADE")
    assert statement.kind == "AlterTableStmt"
    assert statement.get("relation") == {
        "schemaname": "s",
        "relname": "t",
        "relpersistence": "p",
        "location": 17,
    }
    ((kind, command),) = [grammar.unwrap(node) for node in statement.get("cmds")]
    assert (kind, command["subtype"], command["name"]) == ("AlterTableCmd", "AT_DropColumn", "a")


def test_without_the_parser_the_import_error_says_what_to_do(monkeypatch):
    monkeypatch.setitem(sys.modules, "postgast", None)  # as if it were not installed
    grammar._binding.cache_clear()
    try:
        with pytest.raises(ImportError) as excinfo:
            grammar.parse("SELECT 1")
    finally:
        grammar._binding.cache_clear()
    message = str(excinfo.value)
    assert "reads SQL with PostgreSQL's own grammar through postgast" in message
    assert "Windows (x86_64)" in message and "Dependencies section of the README" in message


def test_the_parser_is_loaded_at_the_first_parse_not_with_the_package():
    # A web worker, or a migrate with nothing to do, never loads postgast and protobuf.
    script = (
        "import sys, django; django.setup()\n"
        "from django_orm_views_hook.planning import plan, statement_effects\n"
        "from django_orm_views_hook.database import deferred_constraints\n"
        "from django_orm_views_hook.management.commands import migrate, sync_views\n"
        "assert 'postgast' not in sys.modules and 'google.protobuf' not in sys.modules\n"
        "statement_effects.of_sql('ALTER TABLE t DROP COLUMN a')\n"
        "assert 'postgast' in sys.modules\n"
    )
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": "postgres://nobody@127.0.0.1:1/never_connected",
        "PYTHONPATH": str(Path(__file__).resolve().parents[3]),
    }
    subprocess.run([sys.executable, "-c", script], env=environment, check=True, timeout=120)
