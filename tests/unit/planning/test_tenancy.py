"""Which views a django-tenants project builds per tenant (planning/tenancy.py; no database).

Placement follows the tables a view reads (by PostgreSQL's grammar, on the compiled query), the
views it reads, and `per_tenant` when a class says so; placements that cannot work are refused
naming the class. Naming a tenant's copy: definitions.naming.per_tenant_names.
"""

from __future__ import annotations

import pytest
from django.db.models import Count

from django_orm_views_hook import PostgresViewFromQueryset, PostgresViewFromSQL
from django_orm_views_hook.definitions.naming import per_tenant_names
from django_orm_views_hook.exceptions import ViewDefinitionError
from django_orm_views_hook.planning.order import build_plan
from django_orm_views_hook.planning.tenancy import per_tenant
from tests.testapp import models

#: The tenants' own tables, as tenant_tables() would find them for a TENANT_APPS of testapp.
TENANT_TABLES = {models.Customer._meta.db_table, "shop_order"}


def keep(sql, params):
    return sql


def placed(*classes: type) -> set[str]:
    plan = build_plan(classes, "default", inline=keep, check_sql=False)
    return {name.rsplit(".", 1)[1] for name in per_tenant(plan, classes, TENANT_TABLES)}


def sql_view(class_name: str, sql: str, **attrs) -> type:
    return type(class_name, (PostgresViewFromSQL,), {"sql": sql, "__module__": __name__, **attrs})


class Plans(PostgresViewFromSQL):
    sql = "SELECT 1 AS id FROM customers_plan"


class Orders(PostgresViewFromSQL):
    sql = "SELECT o.id FROM shop_order o JOIN public.customers_plan p ON true"


class OverOrders(PostgresViewFromSQL):
    view_dependencies = [Orders]
    sql = 'SELECT id FROM "views"."orders"'


class CustomersById(PostgresViewFromQueryset):
    @classmethod
    def get_queryset(cls):
        return models.Customer.objects.values("id").annotate(n=Count("id"))


def test_a_view_over_a_tenants_table_is_per_tenant_and_one_over_shared_tables_is_not():
    assert placed(Plans, Orders) == {"Orders"}


def test_a_queryset_view_is_placed_by_the_tables_its_query_reads():
    assert placed(CustomersById) == {"CustomersById"}


def test_a_view_over_a_tenant_view_is_per_tenant_too():
    assert placed(Orders, OverOrders) == {"Orders", "OverOrders"}


def test_a_table_named_with_a_schema_or_a_cte_of_the_same_name_is_not_a_tenants():
    qualified = sql_view("Qualified", "SELECT id FROM otherschema.shop_order")
    assert placed(qualified) == set()


def test_per_tenant_true_places_a_view_over_shared_tables_in_each_tenant():
    assert placed(sql_view("Names", "SELECT 1 FROM customers_plan", per_tenant=True)) == {"Names"}


@pytest.mark.parametrize(
    "view, message",
    [
        (
            sql_view("Wrong", "SELECT id FROM shop_order", per_tenant=False),
            r"tests.unit.planning.test_tenancy.Wrong: per_tenant is False, but it reads table "
            r"shop_order, which each tenant has its own of",
        ),
        (
            sql_view("Vague", "SELECT 1", per_tenant="yes"),
            r"Vague: per_tenant must be True, False or None, not 'yes'",
        ),
    ],
)
def test_a_placement_that_cannot_work_is_refused_naming_the_class(view, message):
    with pytest.raises(ViewDefinitionError, match=message):
        placed(view)


def test_a_tenants_view_over_a_view_built_once_is_refused():
    reader = sql_view(
        "Reader", 'SELECT id FROM "views"."plans"', per_tenant=True, view_dependencies=[Plans]
    )
    with pytest.raises(ViewDefinitionError, match=r"Reader: it is built per tenant, but it reads"):
        placed(Plans, reader)


def test_a_tenants_name_with_schema_names_its_views_schema_while_it_is_planned():
    assert Orders.name_with_schema == "views.orders"
    with per_tenant_names("alpha", [Orders]):
        assert Orders.name_with_schema == "alpha_views.orders"
        assert Plans.name_with_schema == "views.plans"
    with per_tenant_names("Shop-2 Ltd", [Orders]):  # django-tenants accepts such names
        assert Orders.name_with_schema == '"Shop-2 Ltd_views".orders'
    assert Orders.name_with_schema == "views.orders"
