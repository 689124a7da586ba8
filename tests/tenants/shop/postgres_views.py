"""Views over a tenant's tables: alone, with a shared table, materialised, one over another.

Their SQL names tables without a schema, as Django's own queries do: in a tenant's views, those
names are that tenant's tables (and `public`'s for the shared ones).
"""

from django.db.models import Sum
from django.utils.functional import classproperty

from django_orm_views_hook import (
    PostgresMaterialisedViewMixin,
    PostgresViewFromQueryset,
    PostgresViewFromSQL,
)

from .models import Order


class ProductSales(PostgresViewFromQueryset):
    """Tenant, from a QuerySet: units sold per product (reads shop_order.quantity)."""

    name = "product_sales"

    @classmethod
    def get_queryset(cls):
        return Order.objects.values("product__name").annotate(units=Sum("quantity"))


class ProductPrices(PostgresViewFromSQL):
    """Tenant, from SQL: the tenant's price list."""

    name = "product_prices"
    sql = "SELECT id, name, price FROM shop_product"


class TopProduct(PostgresViewFromSQL):
    """Tenant, over another tenant view, named as README says (`name_with_schema`)."""

    name = "top_product"
    view_dependencies = [ProductSales]

    @classproperty
    def sql(cls):
        return (
            f"SELECT product__name AS product, units FROM {ProductSales.name_with_schema}"
            " ORDER BY units DESC, product__name LIMIT 1"
        )


class PricesPerPlan(PostgresViewFromSQL):
    """Mixed: a tenant's products (its schema) priced for each plan (public)."""

    name = "prices_per_plan"
    sql = """
        SELECT p.name AS product, pl.name AS plan,
               p.price * (100 - pl.discount_percent) / 100 AS price
        FROM shop_product p CROSS JOIN customers_plan pl
    """


class DailyUnits(PostgresMaterialisedViewMixin, PostgresViewFromSQL):
    """Tenant, materialised: units ordered per day (reads shop_order.quantity)."""

    name = "daily_units"
    pk_field = "day"
    sql = """
        SELECT placed_at::date AS day, sum(quantity) AS units
        FROM shop_order GROUP BY 1
    """


class PlanNames(PostgresViewFromSQL):
    """Over a shared table only, but declared per tenant: each tenant gets its own copy."""

    name = "plan_names"
    per_tenant = True
    sql = "SELECT name FROM customers_plan"
