"""Create tenants through django-tenants' own API, and put rows in each tenant's tables.

`seed_tenants --create alpha gamma` saves a Client for each (auto_create_schema: django-tenants
creates the schema and runs `migrate_schemas` for it), after the public tenant if it is
missing; `seed_tenants --rows` writes plans, then products and orders in every tenant's own
tables, named after the tenant, so that a view shows whose tables it reads.
"""

from datetime import UTC, datetime
from decimal import Decimal

from django.core.management.base import BaseCommand
from django_tenants.utils import get_public_schema_name, tenant_context

from tests.tenants.customers.models import Client, Domain, Plan
from tests.tenants.shop.models import Order, Product


class Command(BaseCommand):
    help = "Create tenants (auto_create_schema) and write rows in each tenant's tables."

    def add_arguments(self, parser):
        parser.add_argument("--create", nargs="*", default=[], metavar="SCHEMA")
        parser.add_argument("--rows", action="store_true")

    def handle(self, *args, create, rows, **options):
        if create and not Client.objects.filter(schema_name=get_public_schema_name()).exists():
            public = Client.objects.create(schema_name=get_public_schema_name(), name="Public")
            Domain.objects.create(tenant=public, domain="example.com")
        for schema in create:
            tenant = Client.objects.create(schema_name=schema, name=schema.title())
            Domain.objects.create(tenant=tenant, domain=f"{schema}.example.com")
            self.stdout.write(f"created tenant {schema}")
        if rows:
            self._rows()

    def _rows(self):
        basic, _ = Plan.objects.get_or_create(name="basic", defaults={"monthly_price": 10})
        Plan.objects.get_or_create(
            name="pro", defaults={"monthly_price": 50, "discount_percent": 10}
        )
        for tenant in Client.objects.exclude(schema_name=get_public_schema_name()):
            Client.objects.filter(pk=tenant.pk, plan=None).update(plan=basic)
            with tenant_context(tenant):
                if Product.objects.exists():
                    continue
                widget = Product.objects.create(name=f"{tenant.schema_name}-widget", price=4)
                gadget = Product.objects.create(
                    name=f"{tenant.schema_name}-gadget", price=Decimal("2.50")
                )
                day = datetime(2026, 1, 5, 12, tzinfo=UTC)
                Order.objects.create(product=widget, quantity=3, placed_at=day)
                Order.objects.create(
                    product=gadget, quantity=len(tenant.schema_name), placed_at=day
                )
            self.stdout.write(f"rows written in {tenant.schema_name}")
