"""A SQL view's `sql` must be one query, as PostgreSQL's grammar reads it: refused before any SQL
runs, naming the class."""

from __future__ import annotations

import pytest
from django.db.models import Count

from django_orm_views_hook import PostgresViewFromSQL
from django_orm_views_hook.exceptions import ViewDefinitionError
from django_orm_views_hook.planning.order import build_plan


def plan_of(sql: str):
    view = type("Report", (PostgresViewFromSQL,), {"sql": sql, "__module__": "shop.views"})
    return build_plan([view], "default", inline=lambda sql, params: sql)


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT 1 AS one",
        "WITH a AS (SELECT 1 AS one) SELECT one FROM a",
        "VALUES (1), (2)",
        "(SELECT 1 AS one) UNION (SELECT 2)",
        "select $$;$$ AS semicolon_in_a_string",
        "-- a comment first\nSELECT 1 AS one",
        "SELECT 1 AS one -- trailing; comment",
        "TABLE auth_user",
        "SELECT $é$a;b$é$ AS dollar_quote_with_a_non_ascii_tag",
        "SELECT a$b$c FROM (SELECT 1 AS a$b$c) AS t",
        "SELECT $tag$ ; $x$ ; $tag$ AS a",
        "SELECT 'it''s;' AS a, E'\\';' AS b, \"x;\" FROM (SELECT 1 AS \"x;\") t",
        "SELECT /* a /* nested; */ still; */ 1 AS one",
        # One query with standard_conforming_strings on (the server's default, and what a sync
        # runs with); with it off, the backslash would escape the quote and the DROP would run.
        "SELECT '\\' AS a, ' ) ; DROP TABLE auth_user; SELECT (1 --' AS b",
    ],
)
def test_queries_are_accepted(sql):
    assert plan_of(sql).views[0].query == sql


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        ("SELECT 1; SELECT 2", "holds 2 statements"),
        ("SELECT 1;", "semicolon"),
        ("SELECT 1; DROP TABLE auth_user", "holds 2 statements"),
        ("DELETE FROM auth_user", "PostgreSQL reads it as DeleteStmt"),
        ("INSERT INTO t VALUES (1)", "PostgreSQL reads it as InsertStmt"),
        ("WITH d AS (SELECT 1) DELETE FROM t", "PostgreSQL reads it as DeleteStmt"),
        ("SHOW search_path", "VariableShowStmt"),
        ("-- only a comment", "holds 0 statements"),
        ("SELECT 1; /* c */ ; DROP TABLE t", "holds 2 statements"),
        # A hand-written lexer took `€$$` for a dollar quote hiding the DROP; PostgreSQL reads
        # an identifier, and then a syntax error.
        ("SELECT 1 AS €$$) ; DROP TABLE shop_unrelated; SELECT (1 --$$", "not valid SQL"),
        # With standard_conforming_strings on, '\' is a whole string: three statements.
        ("SELECT '\\' ' AS a) ; DROP TABLE shop_unrelated; SELECT (1 --'", "not valid SQL"),
        ("SELECT '\\' AS a; DROP TABLE shop_unrelated; SELECT ';' AS b", "holds 3 statements"),
        ("SELEC 1", 'syntax error at or near "SELEC", at character 1'),
    ],
)
def test_non_queries_are_refused_naming_the_class(sql, message):
    # (A data-modifying WITH inside a SELECT is refused by PostgreSQL itself at CREATE VIEW.)
    with pytest.raises(ViewDefinitionError) as excinfo:
        plan_of(sql)
    assert str(excinfo.value).startswith("shop.views.Report: ")
    assert message in str(excinfo.value)


def test_a_queryset_materialised_view_pk_field_must_be_one_of_its_columns():
    from django_orm_views_hook import PostgresMaterialisedViewMixin, PostgresViewFromQueryset
    from tests.testapp.models import Customer

    def view(pk_field, queryset):
        return type(
            "CityTotals",
            (PostgresMaterialisedViewMixin, PostgresViewFromQueryset),
            {
                "pk_field": pk_field,
                "get_queryset": classmethod(lambda cls: queryset),
                "__module__": "shop.views",
            },
        )

    plan = build_plan([view("id", Customer.objects.all())], "default", inline=lambda s, p: s)
    assert plan.views[0].pk_field == "id"
    values = Customer.objects.values("city").annotate(n=Count("id"))
    assert build_plan([view("city", values)], "default", inline=lambda s, p: s).views
    with pytest.raises(ViewDefinitionError) as excinfo:
        build_plan([view("id", values)], "default", inline=lambda s, p: s)
    assert str(excinfo.value).startswith("shop.views.CityTotals: pk_field 'id'")
    assert "city, n" in str(excinfo.value)
