"""`migrate_schemas` while analysts read every tenant's views and the shared ones, with no pause.

The migrations alter tables the views read: back to shop 0001 (a field removed from each
tenant's shop_order, then its quantity retyped, which three views per tenant read), forwards
again (a field added to shop_order, then, in the next migration, quantity retyped: dj-stripe's
shape), and customers 0003 backwards, which retypes the shared customers_plan.discount_percent
(read by the shared plan_prices and by every tenant's prices_per_plan, which the shared
schema's run rebuilds in each tenant). Each must succeed, and the readers must get no error.
"""

from __future__ import annotations

from tests.support.analysts import Reader
from tests.support.tenanting import (
    TENANTS,
    assert_shared_views,
    assert_tenant_views,
    manage,
    migrated,
    requires_django_tenants,
    succeeded,
)

pytestmark = requires_django_tenants

QUERIES = [
    *(
        f"SELECT * FROM {tenant}_views.{view}"
        for tenant in TENANTS
        for view in ("product_sales", "top_product", "daily_units", "prices_per_plan")
    ),
    "SELECT * FROM views.plan_prices",
]


def test_tenant_and_shared_migrations_that_retype_what_the_views_read_under_readers(
    tenants_template,
):
    with migrated(tenants_template, "tenants_r_readers") as db:
        readers = [Reader(db.url, QUERIES).wait_until_ready() for _ in range(3)]
        try:
            runs = [
                manage(db.url, "migrate_schemas", "shop", "0001"),
                manage(db.url, "migrate_schemas", "shop", "0003"),
                manage(db.url, "migrate_schemas", "--shared", "customers", "0002"),
            ]
        finally:
            seen = [reader.stop() for reader in readers]
        print(*(run.stdout for run in runs), seen, sep="\n")  # shown when it fails
        for run in runs:
            succeeded(run)
        assert [error for s in seen for error in s.errors] == []
        assert all(s.reads > 0 for s in seen)
        for tenant in TENANTS:
            assert db.applied(tenant, "shop")[-1] == "0003_retype_order_quantity", tenant
            assert_tenant_views(db, tenant)
        assert db.applied("public", "customers")[-1] == "0002_plan_discount_percent"
        assert_shared_views(db)
