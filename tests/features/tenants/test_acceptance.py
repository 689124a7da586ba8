"""What issue 24 asks of the package in a django-tenants project: the acceptance tests.

Through django-tenants' own commands, in the settings of tests/tenant_settings.py (this package
first, TENANT_BASE_MIGRATE_COMMAND naming its migrate):

* a view over a tenant app's tables (or declaring `per_tenant = True`) is built in each
  tenant's views schema, `<tenant>_views`, reading that tenant's tables (and public's); a view
  over shared tables only is built once, in `views`;
* `migrate_schemas` keeps the migrate's guarantees per tenant (only what breaks is rebuilt, a
  failing tenant is named and left as it was), with any executor;
* creating, deleting and cloning a tenant build, drop and give its own views;
* sync_views and refresh_views work per tenant (`--schema`, `tenant_command`);
* a tenant's analyst role reads that tenant's views only;
* with nothing to do, the package costs one catalog query per tenant at most.
"""

from __future__ import annotations

import json
import uuid

import pytest
from django.db import connection
from django.db.utils import ProgrammingError

from tests.support.subprocesses import start
from tests.support.tenanting import (
    TENANTS,
    assert_shared_views,
    assert_tenant_views,
    clone_tenant,
    copy_of,
    create_tenant,
    database_name,
    manage,
    manage_py,
    migrated,
    requires_django_tenants,
    succeeded,
)

pytestmark = requires_django_tenants


@pytest.mark.parametrize("executor", ["standard", "multiprocessing", "subprocess"])
def test_migrate_schemas_builds_shared_views_once_and_each_tenants_in_its_own_schema(
    tenants_template, executor
):
    with copy_of(tenants_template, database_name(f"tenants_a_build_{executor}")) as db:
        args = ["migrate_schemas", f"--executor={executor}", "--noinput"]
        if executor == "subprocess":
            succeeded(manage_py(db.url, *args, "--parallel=2"))
        else:
            succeeded(manage(db.url, *args))
        assert_shared_views(db)
        for tenant in TENANTS:
            assert_tenant_views(db, tenant)
        assert "public_views" not in db.schemas()


def test_a_tenant_migration_rebuilds_only_the_views_it_breaks_in_each_tenant(tenants_template):
    """shop 0003 backwards retypes shop_order.quantity in each tenant: exactly the views that
    read it (and the one over them) are rebuilt there, and nothing else anywhere."""
    with migrated(tenants_template, "tenants_a_breaks") as db:
        before = {tenant: db.views(f"{tenant}_views") for tenant in TENANTS}
        shared = db.views("views")
        succeeded(manage(db.url, "migrate_schemas", "shop", "0002"))
        assert db.views("views") == shared
        for tenant in TENANTS:
            after = db.views(f"{tenant}_views")
            rebuilt = {name for name, oid in before[tenant].items() if after[name] != oid}
            assert rebuilt == {"product_sales", "daily_units", "top_product"}, tenant
            assert_tenant_views(db, tenant)
            assert db.applied(tenant, "shop")[-1] == "0002_order_note"


def test_a_shared_migration_that_breaks_mixed_views_rebuilds_them_in_every_tenant(
    tenants_template,
):
    """customers 0003 backwards retypes public.customers_plan.discount_percent, which the
    shared plan_prices and every tenant's prices_per_plan read: public's run rebuilds them all,
    so that no tenant is left without them."""
    with migrated(tenants_template, "tenants_a_shared") as db:
        before = {tenant: db.views(f"{tenant}_views") for tenant in TENANTS}
        shared = db.views("views")
        done = succeeded(manage(db.url, "migrate_schemas", "--shared", "customers", "0002"))
        assert db.applied("public", "customers")[-1] == "0002_plan_discount_percent"
        # What docs/tenants.md shows of it.
        assert "[standard:public]   Unapplying customers.0003_retype_discount_percent... OK" in (
            done.stdout
        )
        assert '[standard:public] Views: rebuilt 1 of 2 views on database "default" in' in (
            done.stdout
        )
        for tenant in TENANTS:
            line = '[standard:public] Views: rebuilt 1 of 6 views on database "default", '
            assert f'{line}tenant "{tenant}" in' in done.stdout
        assert {n for n, oid in db.views("views").items() if shared[n] != oid} == {"plan_prices"}
        assert_shared_views(db)
        for tenant in TENANTS:
            after = db.views(f"{tenant}_views")
            rebuilt = {name for name, oid in before[tenant].items() if after[name] != oid}
            assert rebuilt == {"prices_per_plan"}, tenant
            assert_tenant_views(db, tenant)


def test_a_tenant_that_fails_is_named_and_no_tenant_is_left_half_done(tenants_template):
    """gamma holds a quantity that does not fit the integer shop 0003 backwards makes of it:
    its migrate fails, naming gamma; gamma keeps its migrations and its views; a tenant
    migrated before it is done, views included; one after it is untouched."""
    with migrated(tenants_template, "tenants_a_fails") as db:
        db.query(
            "INSERT INTO gamma.shop_order (product_id, quantity, placed_at, note)"
            " SELECT id, 3000000000, now(), '' FROM gamma.shop_product LIMIT 1"
        )
        before = {tenant: db.views(f"{tenant}_views") for tenant in TENANTS}
        done = manage(db.url, "migrate_schemas", "shop", "0002")
        assert done.returncode != 0
        assert 'Tenant "gamma" (migrate_schemas): None of the migrations above was unapplied' in (
            done.stderr
        )
        assert "integer out of range" in done.stderr
        for tenant in TENANTS:
            shop = db.applied(tenant, "shop")[-1]
            assert shop in ("0002_order_note", "0003_retype_order_quantity"), tenant
            if shop == "0003_retype_order_quantity":
                assert db.views(f"{tenant}_views") == before[tenant], tenant
            assert_tenant_views(db, tenant)
        assert db.applied("gamma", "shop")[-1] == "0003_retype_order_quantity"
        assert db.applied("alpha", "shop")[-1] == "0002_order_note"


def test_nothing_to_do_costs_one_catalog_query_per_tenant_at_most(tenants_template, tmp_path):
    """The catalog statements of a `migrate_schemas` with nothing to do, counted per schema
    (tests.tenants.probe), with the package on and off: it adds one at most to each."""
    with migrated(tenants_template, "tenants_a_nothing") as db:
        counts = {}
        for variant in ("hook-off", "hook"):
            probe = tmp_path / f"{variant}.jsonl"
            done = succeeded(
                manage(db.url, "migrate_schemas", variant=variant, TENANTS_PROBE=str(probe))
            )
            records = [json.loads(line) for line in probe.read_text().splitlines()]
            counts[variant] = {
                r["counted"]: r["count"] for r in records if r["signal"] == "catalog_queries"
            }
            assert "rebuilt" not in done.stdout
        for schema in ("public", *TENANTS):
            assert counts["hook"][schema] - counts["hook-off"][schema] <= 1, schema
        for tenant in TENANTS:
            assert_tenant_views(db, tenant)


def test_creating_a_tenant_builds_its_views(tenants_template):
    with migrated(tenants_template, "tenants_a_create") as db:
        others = {tenant: db.views(f"{tenant}_views") for tenant in TENANTS}
        succeeded(manage(db.url, "seed_tenants", "--create", "delta"))
        succeeded(create_tenant(db.url, "epsilon"))
        succeeded(manage(db.url, "seed_tenants", "--rows"))
        for tenant in ("delta", "epsilon"):
            assert_tenant_views(db, tenant)
        for tenant in TENANTS:
            assert db.views(f"{tenant}_views") == others[tenant], tenant


def test_deleting_a_tenant_removes_its_views_and_no_one_elses(tenants_template):
    """delete_tenant, and a plain Client.delete() (auto_drop_schema): the tenant's views
    schema goes with its schema; the other tenants' views and the shared ones keep their oids."""
    with migrated(tenants_template, "tenants_a_delete") as db:
        alpha, shared = db.views("alpha_views"), db.views("views")
        succeeded(manage(db.url, "delete_tenant", "--schema=gamma", "--noinput"))
        succeeded(
            manage(
                db.url,
                "shell",
                "-c",
                "from tests.tenants.customers.models import Client;"
                " Client.objects.get(schema_name='beta').delete()",
            )
        )
        assert not {"gamma", "gamma_views", "beta", "beta_views"} & db.schemas()
        assert db.views("alpha_views") == alpha
        assert db.views("views") == shared
        # Without auto_drop_schema, django-tenants keeps the schema: its views stay with it.
        keep = (
            "from tests.tenants.customers.models import Client;"
            " alpha = Client.objects.get(schema_name='alpha');"
            " alpha.auto_drop_schema = False; alpha.delete()"
        )
        succeeded(manage(db.url, "shell", "-c", keep))
        assert {"alpha", "alpha_views"} <= db.schemas()
        assert db.views("alpha_views") == alpha


def test_a_cloned_tenant_gets_views_of_its_own(tenants_template):
    """clone_tenant copies beta's schema: the clone's views read the clone's tables, not
    beta's, and beta's views are left alone."""
    with migrated(tenants_template, "tenants_a_clone") as db:
        beta = db.views("beta_views")
        succeeded(clone_tenant(db.url, "beta", "delta"))
        assert_tenant_views(db, "delta", rows_of="beta")
        assert db.views("beta_views") == beta


def test_a_tenant_created_from_a_base_schema_gets_views_of_its_own(tenants_template):
    """TENANT_BASE_SCHEMA: django-tenants clones the base schema for a new tenant, then fakes
    its migrations; the clone's views read the clone's tables, and the base's are left alone."""
    with migrated(tenants_template, "tenants_a_base") as db:
        beta = db.views("beta_views")
        succeeded(manage(db.url, "seed_tenants", "--create", "delta", TENANTS_BASE_SCHEMA="beta"))
        assert_tenant_views(db, "delta", rows_of="beta")
        assert db.views("beta_views") == beta


def test_sync_views_checks_and_syncs_per_tenant(tenants_template):
    """`--check`, `--dry-run` and a sync, for every tenant or one (`--schema`, or django-tenants'
    `tenant_command`), each reporting by tenant."""
    with migrated(tenants_template, "tenants_a_sync") as db:
        db.query("DROP VIEW beta_views.plan_names")
        alpha = db.views("alpha_views")

        check = manage(db.url, "sync_views", "--check")
        assert check.returncode == 1
        assert "beta" in check.stdout and "plan_names" in check.stdout
        assert "alpha" not in check.stdout
        succeeded(manage(db.url, "sync_views", "--check", "--schema=alpha"))
        wrapped = manage(db.url, "tenant_command", "sync_views", "--check", "--schema=beta")
        assert wrapped.returncode == 1

        dry = succeeded(manage(db.url, "sync_views", "--dry-run", "--schema=beta"))
        assert '"beta_views"."plan_names"' in dry.stdout
        assert "search_path" in dry.stdout and '"beta"' in dry.stdout
        assert "plan_names" not in db.views("beta_views")

        synced = succeeded(manage(db.url, "sync_views", "--schema=beta"))
        assert "beta" in synced.stdout
        assert_tenant_views(db, "beta")
        assert db.views("alpha_views") == alpha
        succeeded(manage(db.url, "sync_views", "--check"))


def test_refresh_views_refreshes_one_tenants_materialised_views(tenants_template):
    with migrated(tenants_template, "tenants_a_refresh") as db:
        for tenant in ("alpha", "beta"):
            db.query(
                f"INSERT INTO {tenant}.shop_order (product_id, quantity, placed_at, note)"
                f" SELECT id, 7, '2026-02-01T12:00:00Z', '' FROM {tenant}.shop_product LIMIT 1"
            )
        succeeded(manage(db.url, "refresh_views", "--schema=alpha"))
        days = "SELECT day::text FROM {}_views.daily_units ORDER BY day"
        assert db.query(days.format("alpha")) == [("2026-01-05",), ("2026-02-01",)]
        assert db.query(days.format("beta")) == [("2026-01-05",)]


def test_a_tenants_analyst_role_reads_that_tenants_views_only(tenants_template):
    """ORM_VIEWS_TENANT_GRANT_SELECT_TO maps a tenant to its roles (tests/tenants/grants.py):
    alpha's role, logged in, reads alpha's views, and neither beta's views nor alpha's
    tables."""
    suffix = uuid.uuid4().hex[:8]
    roles = [f"{tenant}_analyst_{suffix}" for tenant in TENANTS]
    with connection.cursor() as cursor:
        for role in roles:
            cursor.execute(f'CREATE ROLE "{role}" LOGIN')
    try:
        with copy_of(tenants_template, database_name("tenants_a_grants")) as db:
            succeeded(manage(db.url, "migrate_schemas", "--noinput", TENANTS_GRANTS=suffix))
            alpha = f"alpha_analyst_{suffix}"
            assert db.query("SELECT name FROM alpha_views.product_prices", as_role=alpha) == [
                ("alpha-widget",),
                ("alpha-gadget",),
            ]
            for forbidden in (
                "beta_views.product_prices",
                "alpha.shop_product",
                "views.plan_prices",
            ):
                with pytest.raises(ProgrammingError, match="permission denied"):
                    db.query(f"SELECT * FROM {forbidden}", as_role=alpha)
    finally:
        with connection.cursor() as cursor:
            for role in roles:
                cursor.execute(f'DROP ROLE IF EXISTS "{role}"')


def test_two_migrate_schemas_at_once_apply_each_migration_once(tenants_template):
    """Two deploys at once: the deploy lock, per tenant, makes the second wait for each tenant
    the first is migrating, then find nothing left to do there."""
    with migrated(tenants_template, "tenants_a_twice") as db:
        first, second = (
            start(
                ["django", "migrate_schemas", "shop", "0002"],
                db.url,
                DJANGO_SETTINGS_MODULE="tests.tenant_settings",
                TENANTS_VARIANT="hook",
            )
            for _ in range(2)
        )
        outputs = [process.communicate(timeout=300) for process in (first, second)]
        assert first.returncode == second.returncode == 0, outputs
        for tenant in (*TENANTS, "public"):
            unapplied = sum(
                out.count(f":{tenant}]   Unapplying shop.0003_retype_order_quantity... OK")
                for out, _ in outputs
            )
            assert unapplied == 1, tenant
            assert db.applied(tenant, "shop")[-1] == "0002_order_note"
        for tenant in TENANTS:
            assert_tenant_views(db, tenant)
