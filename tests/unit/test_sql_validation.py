"""A SQL view's `sql` must be one query: refused before any SQL runs, naming the class."""

from __future__ import annotations

import pytest
from django.db.models import Count

from django_orm_views_hook import PostgresViewFromSQL
from django_orm_views_hook.exceptions import ViewDefinitionError
from django_orm_views_hook.plan import build_plan


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
        ("DELETE FROM auth_user", "DELETE statement"),
        ("INSERT INTO t VALUES (1)", "INSERT statement"),
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
