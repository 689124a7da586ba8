"""Exact SQL text from ddl, with a fake Quoting that makes every quoted part visible."""

from __future__ import annotations

import pytest

from django_orm_views_hook.planning.identifiers import hashed_identifier
from django_orm_views_hook.planning.plan import Plan, ViewSpec
from django_orm_views_hook.sql import ddl
from django_orm_views_hook.sql.statement import Quoting, Statement

Q = Quoting(name=lambda value: f"<{value}>", literal=lambda value: f"[{value}]")
RECORD = "Managed by django_orm_views_hook. digest="


def spec(name: str, **fields) -> ViewSpec:
    fields.setdefault("query", f"SELECT 1 AS id /* {name} */")
    return ViewSpec(label=f"app.postgres_views.{name.title()}", schema="views", name=name, **fields)


def sqls(statements: list[Statement]) -> list[str]:
    return [statement.sql for statement in statements]


def test_create_view_with_its_record():
    statements = ddl.create_view(Q, spec("plain", query="SELECT a FROM t"), "d1")
    assert sqls(statements) == [
        "CREATE VIEW <views>.<plain> AS (\nSELECT a FROM t\n)",
        f"COMMENT ON VIEW <views>.<plain> IS [{RECORD}d1]",
    ]
    assert {statement.owner for statement in statements} == {"app.postgres_views.Plain"}


def test_create_view_without_digest_has_no_comment():
    """The digest is computed from this very text, so it cannot be part of it."""
    assert sqls(ddl.create_view(Q, spec("plain", query="SELECT a FROM t"))) == [
        "CREATE VIEW <views>.<plain> AS (\nSELECT a FROM t\n)"
    ]


def test_documentation_comes_before_the_record():
    view = spec("documented", comment="Orders per day.\nNo personal data.")
    comment = ddl.create_view(Q, view, "d2")[-1].sql
    assert comment == (
        "COMMENT ON VIEW <views>.<documented> IS "
        f"[Orders per day.\nNo personal data.\n\n{RECORD}d2]"
    )


def test_create_materialised_view_with_unique_index():
    view = spec("totals", query="SELECT id FROM t", materialized=True, pk_field="id")
    assert sqls(ddl.create_view(Q, view, "d3")) == [
        "CREATE MATERIALIZED VIEW <views>.<totals> AS (\nSELECT id FROM t\n)",
        "CREATE UNIQUE INDEX <totals_id_uniq> ON <views>.<totals> (<id>)",
        f"COMMENT ON MATERIALIZED VIEW <views>.<totals> IS [{RECORD}d3]",
        "COMMENT ON INDEX <views>.<totals_id_uniq> IS [Managed by django_orm_views_hook.]",
    ]


def test_create_materialised_view_with_no_data_and_no_index():
    view = spec("empty", query="SELECT id FROM t", materialized=True, with_data=False)
    assert sqls(ddl.create_view(Q, view)) == [
        "CREATE MATERIALIZED VIEW <views>.<empty> AS (\nSELECT id FROM t\n) WITH NO DATA",
    ]


def test_pk_field_on_a_plain_view_creates_no_index():
    assert sqls(ddl.create_view(Q, spec("plain", pk_field="id"))) == [
        "CREATE VIEW <views>.<plain> AS (\nSELECT 1 AS id /* plain */\n)"
    ]


def test_extra_index_statements_follow_the_view():
    view = spec("m", materialized=True, indexes=('CREATE INDEX "m_x" ON "views"."m" ("x")',))
    assert sqls(ddl.create_view(Q, view))[1:] == ['CREATE INDEX "m_x" ON "views"."m" ("x")']


def test_query_ending_in_a_line_comment_keeps_the_statement_terminated():
    """A trailing `-- comment` must not swallow what ddl appends (semicolon, WITH NO DATA)."""
    view = spec(
        "commented", query="SELECT 1 AS id -- the answer", materialized=True, with_data=False
    )
    script = ddl.as_script(ddl.create_view(Q, view, "d4"))
    create, comment, end = script.split(";\n")
    assert create.splitlines() == [
        "CREATE MATERIALIZED VIEW <views>.<commented> AS (",
        "SELECT 1 AS id -- the answer",
        ") WITH NO DATA",
    ]
    assert comment.startswith("COMMENT ON MATERIALIZED VIEW")
    assert end == ""


def test_a_second_statement_in_sql_cannot_escape_the_view():
    """Parentheses make `SELECT 1; DROP TABLE t` a syntax error, not a DROP run by the sync."""
    create = ddl.create_view(Q, spec("sneaky", query="SELECT 1; DROP TABLE t"))[0].sql
    assert create.startswith("CREATE VIEW <views>.<sneaky> AS (\n")
    assert create.endswith("DROP TABLE t\n)")


def test_a_long_name_is_cut_to_63_bytes_at_a_character_boundary_with_a_hash():
    name = hashed_identifier("é" * 40 + "_identifier_uniq")
    assert len(name.encode()) <= 63
    assert name.startswith("é" * 27 + "_")  # 54 bytes of the name, never half a character
    assert name != hashed_identifier("é" * 40 + "_identifier_uniQ")


def test_drop_views_groups_runs_of_the_same_kind_and_keeps_the_order():
    statements = ddl.drop_views(
        Q,
        [
            ("views", "top", False),
            ("views", "middle", False),
            ("views", "snapshot", True),
            ("reports", "base", False),
        ],
    )
    assert sqls(statements) == [
        "DROP VIEW <views>.<top>, <views>.<middle>",
        "DROP MATERIALIZED VIEW <views>.<snapshot>",
        "DROP VIEW <reports>.<base>",
    ]
    assert all(statement.owner is None for statement in statements)


def test_drop_nothing_and_drop_with_cascade():
    assert ddl.drop_views(Q, []) == []
    assert sqls(ddl.drop_views(Q, [("views", "v", False)], cascade=True)) == [
        "DROP VIEW <views>.<v> CASCADE"
    ]


def test_grants_skip_hidden_views_and_quote_roles():
    views = [spec("shown"), spec("secret", hidden=True), spec("also_shown")]
    roles = ["analyst", "Read Only"]
    assert sqls(ddl.grant_select(Q, views, roles)) == [
        "GRANT SELECT ON <views>.<shown>, <views>.<also_shown> TO <analyst>, <Read Only>"
    ]


def test_privileges_changed_on_schemas_and_views_for_roles_and_public():
    def change(grant, privilege, view, grantees):
        return ddl.change_privilege(
            Q, grant=grant, privilege=privilege, schema="views", view=view, grantees=grantees
        ).sql

    assert change(True, "USAGE", None, ["analyst", "Read Only"]) == (
        "GRANT USAGE ON SCHEMA <views> TO <analyst>, <Read Only>"
    )
    assert change(False, "CREATE", None, [None]) == "REVOKE CREATE ON SCHEMA <views> FROM PUBLIC"
    assert change(False, "INSERT", "v", ["gone", None]) == (
        "REVOKE INSERT ON <views>.<v> FROM <gone>, PUBLIC"
    )
    with pytest.raises(ValueError):
        change(True, "SELECT; DROP", "v", ["analyst"])


def test_no_roles_or_only_hidden_views_no_grants():
    assert ddl.grant_select(Q, [spec("shown")], []) == []
    assert ddl.grant_select(Q, [spec("secret", hidden=True)], ["analyst"]) == []


def test_create_views_in_the_order_given_then_one_grant():
    views = (spec("base"), spec("mat", materialized=True, pk_field="id"), spec("top"))
    plan = Plan(using="default", views=views, roles=("analyst",))
    digests = {view.key: f"d-{view.name}" for view in views}
    assert sqls(ddl.create_views(Q, plan, views, digests)) == [
        "CREATE VIEW <views>.<base> AS (\nSELECT 1 AS id /* base */\n)",
        f"COMMENT ON VIEW <views>.<base> IS [{RECORD}d-base]",
        "CREATE MATERIALIZED VIEW <views>.<mat> AS (\nSELECT 1 AS id /* mat */\n)",
        "CREATE UNIQUE INDEX <mat_id_uniq> ON <views>.<mat> (<id>)",
        f"COMMENT ON MATERIALIZED VIEW <views>.<mat> IS [{RECORD}d-mat]",
        "COMMENT ON INDEX <views>.<mat_id_uniq> IS [Managed by django_orm_views_hook.]",
        "CREATE VIEW <views>.<top> AS (\nSELECT 1 AS id /* top */\n)",
        f"COMMENT ON VIEW <views>.<top> IS [{RECORD}d-top]",
        "GRANT SELECT ON <views>.<base>, <views>.<mat>, <views>.<top> TO <analyst>",
    ]


def test_schema_statements():
    assert sqls(ddl.create_schema(Q, "views")) == ["CREATE SCHEMA IF NOT EXISTS <views>"]
    assert ddl.drop_schema(Q, "old").sql == "DROP SCHEMA <old>"  # never CASCADE
    assert ddl.mark_schema(Q, "views").sql == (
        "COMMENT ON SCHEMA <views> IS [Managed by django_orm_views_hook.]"
    )


def test_refresh_and_lock_timeout():
    assert ddl.refresh_view(Q, "views", "mat").sql == "REFRESH MATERIALIZED VIEW <views>.<mat>"
    assert ddl.refresh_view(Q, "views", "mat", concurrently=True).sql == (
        "REFRESH MATERIALIZED VIEW CONCURRENTLY <views>.<mat>"
    )
    assert ddl.set_lock_timeout(Q, "5s").sql == "SET LOCAL lock_timeout = [5s]"


def test_as_script_terminates_every_statement():
    script = ddl.as_script([Statement("SELECT 1"), Statement("SELECT 2", "x.Y")])
    assert script == "SELECT 1;\nSELECT 2;\n"
    assert ddl.as_script([]) == ""
