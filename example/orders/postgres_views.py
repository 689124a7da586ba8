"""Order analytics for the `shop_analyst` role: totals and products, no personal data.

Each class is one view in the `views` schema. `migrate` drops and rebuilds them in the same
transaction as the migrations, so a migration may alter or drop a column that one of them reads.
"""

from datetime import timedelta

from django.db import models
from django.db.models import Count, DecimalField, F, Sum
from django.db.models.functions import TruncDate
from django.utils.functional import classproperty

from django_orm_views_hook import (
    HiddenViewMixin,
    PostgresMaterialisedViewMixin,
    PostgresViewFromQueryset,
    PostgresViewFromSQL,
    ReadableViewFromSQL,
)

from .models import Order

LINE_TOTAL = F("lines__quantity") * F("lines__unit_price")
MONEY = DecimalField(max_digits=14, decimal_places=2)


class DailyOrderTotals(PostgresViewFromQueryset):
    """Orders, items and revenue per day (in TIME_ZONE), cancelled orders left out."""

    name = "daily_order_totals"

    @classmethod
    def get_queryset(cls):
        return (
            Order.objects.exclude(status=Order.Status.CANCELLED)
            .annotate(day=TruncDate("placed_at"))
            .values("day")
            .annotate(
                orders=Count("id", distinct=True),
                items=Sum("lines__quantity"),
                revenue=Sum(LINE_TOTAL, output_field=MONEY),
            )
            .order_by("day")
        )


class RevenuePerProduct(PostgresViewFromSQL):
    """Units sold and revenue of every product, including those never sold."""

    name = "revenue_per_product"
    sql = """
        SELECT p.id AS product_id,
               p.sku,
               p.name AS product,
               coalesce(sum(l.quantity), 0) AS units_sold,
               coalesce(sum(l.quantity * l.unit_price), 0) AS revenue
        FROM orders_product p
        LEFT JOIN (
            orders_orderline l
            JOIN orders_order o ON o.id = l.order_id AND o.status <> 'cancelled'
        ) ON l.product_id = p.id
        GROUP BY p.id, p.sku, p.name
    """


class TopProducts(PostgresViewFromSQL):
    """The five best-selling products: a view that reads another view."""

    name = "top_products"
    # Created after RevenuePerProduct, and dropped before it.
    view_dependencies = [RevenuePerProduct]

    @classproperty
    def sql(cls):  # noqa: N805 - classproperty passes the class
        # Read at sync time, so the name follows RevenuePerProduct's (and ORM_VIEWS_SCHEMA).
        return f"""
            SELECT product_id, sku, product, units_sold, revenue
            FROM {RevenuePerProduct.name_with_schema}
            WHERE units_sold > 0
            ORDER BY revenue DESC, sku
            LIMIT 5
        """


class ProductSales(ReadableViewFromSQL):
    """Sales per product as a read-only model of this app: `ProductSales.objects`, `product.sales`.

    No migration is ever written for it: the package's makemigrations leaves readable views out.
    """

    name = "product_sales"
    view_dependencies = [RevenuePerProduct]
    product = models.OneToOneField(
        "orders.Product", primary_key=True, on_delete=models.DO_NOTHING, related_name="sales"
    )
    units_sold = models.IntegerField()
    revenue = models.DecimalField(max_digits=14, decimal_places=2)

    class Meta:
        ordering = ["-revenue"]

    @classproperty
    def sql(cls):  # noqa: N805
        return f"SELECT product_id, units_sold, revenue FROM {RevenuePerProduct.name_with_schema}"


class MonthlyRevenue(PostgresMaterialisedViewMixin, PostgresViewFromSQL):
    """Revenue per calendar month (UTC), materialised, at most 15 minutes old.

    `manage.py refresh_views --due`, run every minute, refreshes it once 15 minutes have passed;
    `pk_field` gives it a unique index, so the refresh (CONCURRENTLY) does not block readers.
    """

    name = "monthly_revenue"
    pk_field = "month"
    refresh_every = timedelta(minutes=15)
    sql = """
        SELECT date_trunc('month', o.placed_at AT TIME ZONE 'UTC')::date AS month,
               count(DISTINCT o.id) AS orders,
               sum(l.quantity * l.unit_price) AS revenue
        FROM orders_order o
        JOIN orders_orderline l ON l.order_id = o.id
        WHERE o.status <> 'cancelled'
        GROUP BY 1
    """


class SupportOrderHistory(HiddenViewMixin, PostgresViewFromQueryset):
    """Orders with the customer's email, for the support tools only.

    Hidden: never granted to ORM_VIEWS_GRANT_SELECT_TO (the analysts), as it holds personal data.
    """

    name = "support_order_history"

    @classmethod
    def get_queryset(cls):
        return (
            Order.objects.values("id", "placed_at", "status")
            .annotate(
                customer_email=F("customer__email"),
                total=Sum(LINE_TOTAL, output_field=MONEY),
            )
            .order_by()
        )
