"""`manage.py seed_shop`: insert a few demo rows, then show what the analytics views return."""

import datetime
from decimal import Decimal

from django.core.management.base import BaseCommand
from django.db import connection, transaction

from customers.models import Customer
from django_orm_views_hook import refresh_materialized_view
from orders.models import Order, OrderLine, Product
from orders.postgres_views import MonthlyRevenue, ProductSales

CUSTOMERS = [
    ("Ada Lovelace", "ada@example.com", "+44 20 7946 0001", "London"),
    ("Alan Turing", "alan@example.com", "+44 20 7946 0002", "London"),
    ("Grace Hopper", "grace@example.com", "+1 212 555 0103", "New York"),
    ("Edsger Dijkstra", "edsger@example.com", "+31 20 555 0104", "Amsterdam"),
]
PRODUCTS = [
    ("TEA-001", "Earl Grey, 250 g", Decimal("6.50")),
    ("MUG-001", "Enamel mug", Decimal("12.00")),
    ("KET-001", "Stovetop kettle", Decimal("39.90")),
]
# (customer email, days before the latest order, status, [(sku, quantity), ...])
ORDERS = [
    ("ada@example.com", 40, Order.Status.SHIPPED, [("TEA-001", 2), ("MUG-001", 1)]),
    ("grace@example.com", 35, Order.Status.SHIPPED, [("KET-001", 1)]),
    ("alan@example.com", 3, Order.Status.SHIPPED, [("TEA-001", 4)]),
    ("edsger@example.com", 1, Order.Status.CANCELLED, [("KET-001", 2)]),
    ("ada@example.com", 0, Order.Status.PLACED, [("MUG-001", 2), ("TEA-001", 1)]),
]
LATEST = datetime.datetime(2026, 3, 2, 10, 30, tzinfo=datetime.UTC)

REPORTS = [
    ("Customers per city", "SELECT city, customers FROM views.customers_per_city ORDER BY city"),
    ("Daily order totals", "SELECT day, orders, items, revenue FROM views.daily_order_totals"),
    ("Top products", "SELECT sku, product, units_sold, revenue FROM views.top_products"),
    ("Monthly revenue", "SELECT month, orders, revenue FROM views.monthly_revenue ORDER BY 1"),
]
PRIVILEGES = """
SELECT c.relname, has_table_privilege('shop_analyst', c.oid, 'SELECT')
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = 'views' AND c.relkind IN ('v', 'm')
ORDER BY 1
"""


class Command(BaseCommand):
    help = "Insert demo customers, products and orders (once), then print the analytics views."

    def handle(self, *args, **options):
        if Order.objects.exists():
            self.stdout.write("The shop already has orders; nothing inserted.")
        else:
            self._seed()
        # A materialised view keeps the rows it had when it was last refreshed.
        refresh_materialized_view(MonthlyRevenue, concurrently=True)
        with connection.cursor() as cursor:
            for title, sql in REPORTS:
                cursor.execute(sql)
                self.stdout.write(self.style.MIGRATE_HEADING(f"\n{title}"))
                columns = [column.name for column in cursor.description]
                self.stdout.write("  " + " | ".join(columns))
                for row in cursor.fetchall():
                    self.stdout.write("  " + " | ".join(str(value) for value in row))
            self.stdout.write(self.style.MIGRATE_HEADING("\nProduct sales (a readable view)"))
            for sales in ProductSales.objects.select_related("product"):
                self.stdout.write(f"  {sales.product.sku} | {sales.units_sold} | {sales.revenue}")
            cursor.execute(PRIVILEGES)
            self.stdout.write(self.style.MIGRATE_HEADING("\nReadable by shop_analyst"))
            for view, allowed in cursor.fetchall():
                self.stdout.write(f"  {view}: {'yes' if allowed else 'no (hidden)'}")

    @transaction.atomic
    def _seed(self):
        customers = {
            email: Customer.objects.create(name=name, email=email, phone=phone, city=city)
            for name, email, phone, city in CUSTOMERS
        }
        products = {
            sku: Product.objects.create(sku=sku, name=name, unit_price=price)
            for sku, name, price in PRODUCTS
        }
        for email, days_before, status, lines in ORDERS:
            order = Order.objects.create(
                customer=customers[email],
                placed_at=LATEST - datetime.timedelta(days=days_before),
                status=status,
            )
            OrderLine.objects.bulk_create(
                OrderLine(
                    order=order,
                    product=products[sku],
                    quantity=quantity,
                    unit_price=products[sku].unit_price,
                )
                for sku, quantity in lines
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Inserted {len(CUSTOMERS)} customers, {len(PRODUCTS)} products "
                f"and {len(ORDERS)} orders."
            )
        )
