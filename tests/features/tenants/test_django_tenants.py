"""django-tenants with this package as it is today, before it knows about tenants.

What these tests pin down is what a tenant integration has to build on (and what goes wrong
without one): how `migrate_schemas` runs each schema's migrate and which signals it sends, how
tenants are created, deleted and cloned, and what the package does in such a project now. They
pass today; test_acceptance.py holds the behaviour wanted instead.
"""

from __future__ import annotations

import json

import pytest

from tests.support.tenanting import (
    SHARED_VIEWS,
    TENANT_VIEWS,
    TENANTS,
    clone_tenant,
    copy_of,
    create_tenant,
    database_name,
    empty_database,
    manage,
    manage_py,
    requires_django_tenants,
    succeeded,
)

pytestmark = requires_django_tenants


def probed(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def sequence(records: list[dict], schema: str) -> list[str]:
    """The signals of one schema's run, in order (the migrate signals say which schema)."""
    mine = []
    for record in records:
        if record.get("schema_name", record.get("tenant")) == schema or (
            record["signal"] in ("pre_migrate", "post_migrate") and record["schema"] == schema
        ):
            mine.append(record["signal"])
    return mine


@pytest.mark.parametrize("executor", ["standard", "multiprocessing"])
def test_migrate_schemas_runs_one_migrate_per_schema_with_djangos_signals(
    tenants_template, tmp_path, executor
):
    """Each schema gets a whole migrate of its own: pre_migrate and post_migrate are sent for
    each, with the same alias ("default"), the connection set to that schema (search_path
    "<tenant>, public") and no transaction open. The multiprocessing executor migrates public
    in the parent process and the tenants in forked workers."""
    probe = tmp_path / "probe.jsonl"
    with copy_of(tenants_template, database_name(f"tenants_signals_{executor}")) as db:
        done = manage(
            db.url,
            "migrate_schemas",
            f"--executor={executor}",
            "shop",
            "0002",
            variant="hook-off",
            TENANTS_PROBE=str(probe),
        )
        succeeded(done)
    records = probed(probe)
    migrates = [r for r in records if r["signal"] == "pre_migrate"]
    schemas = [r["schema"] for r in migrates]
    assert schemas[0] == "public"
    assert sorted(schemas[1:]) == sorted(TENANTS)
    if executor == "standard":
        assert schemas[1:] == list(TENANTS)  # TENANT_MIGRATION_ORDER
    for record in records:
        if record["signal"] in ("pre_migrate", "post_migrate"):
            schema = record["schema"]
            assert record["sender"] == "django_orm_views_hook"
            assert record["using"] == "default"
            assert record["tenant_class"] == "FakeTenant"  # set_schema, not the tenant's row
            assert record["in_atomic_block"] is False
            assert record["search_path"] == (
                "public" if schema == "public" else f"{schema}, public"
            )
    for schema in ("public", *TENANTS):
        assert sequence(records, schema) == [
            "schema_pre_migration",
            "pre_migrate",
            "post_migrate",
            "schema_migrated",
        ], schema
    parent = migrates[0]["pid"]
    workers = {r["pid"] for r in migrates[1:]}
    assert (parent in workers) is (executor == "standard")


def test_creating_a_tenant_runs_migrate_schemas_for_its_schema_then_post_schema_sync(
    tenants_template, tmp_path
):
    """Client.objects.create (auto_create_schema) and the create_tenant command: CREATE SCHEMA,
    then `migrate_schemas --tenant --schema <it>` in the same process, every migration in the
    plan (the shared apps' too, recorded without running), then post_schema_sync with the
    connection back on public."""
    probe = tmp_path / "probe.jsonl"
    with copy_of(tenants_template, database_name("tenants_created")) as db:
        succeeded(
            manage(
                db.url,
                "seed_tenants",
                "--create",
                "delta",
                variant="hook-off",
                TENANTS_PROBE=str(probe),
            )
        )
        succeeded(create_tenant(db.url, "epsilon", variant="hook-off", TENANTS_PROBE=str(probe)))
        assert {"delta", "epsilon"} <= db.schemas()
        assert len(db.applied("delta", "customers")) == 3  # recorded, not run: no table
        assert not db.query("SELECT to_regclass('delta.customers_plan')")[0][0]
    records = probed(probe)
    for schema in ("delta", "epsilon"):
        assert sequence(records, schema) == [
            "schema_pre_migration",
            "pre_migrate",
            "post_migrate",
            "schema_migrated",
            "post_schema_sync",
        ], schema
        (pre,) = [r for r in records if r["signal"] == "pre_migrate" and r["schema"] == schema]
        assert pre["plan"] == 8  # contenttypes 2, customers 3, shop 3
        (synced,) = [
            r for r in records if r["signal"] == "post_schema_sync" and r["tenant"] == schema
        ]
        assert synced["schema"] == "public"


def test_cloning_a_tenant_copies_its_schema_without_a_migrate_or_a_signal_after(
    tenants_template, tmp_path
):
    """clone_tenant saves the row with auto_create_schema off (schema_needs_to_be_sync, sent
    before the schema exists), then runs the clone_schema() SQL function: no migrate runs and
    nothing is sent once the copy exists."""
    probe = tmp_path / "probe.jsonl"
    with copy_of(tenants_template, database_name("tenants_cloned")) as db:
        succeeded(
            clone_tenant(db.url, "beta", "delta", variant="hook-off", TENANTS_PROBE=str(probe))
        )
        assert db.query("SELECT name FROM delta.shop_product ORDER BY id") == [
            ("beta-widget",),
            ("beta-gadget",),
        ]
    signals = [r["signal"] for r in probed(probe)]
    assert signals == ["schema_needs_to_be_sync"]


def test_deleting_a_tenant_drops_its_schema_with_cascade_then_sends_post_delete(
    tenants_template, tmp_path
):
    probe = tmp_path / "probe.jsonl"
    with copy_of(tenants_template, database_name("tenants_deleted")) as db:
        succeeded(
            manage(
                db.url,
                "delete_tenant",
                "--schema=gamma",
                "--noinput",
                variant="hook-off",
                TENANTS_PROBE=str(probe),
            )
        )
        assert "gamma" not in db.schemas()
        assert {"alpha", "beta"} <= db.schemas()
    (deleted,) = probed(probe)
    assert (deleted["signal"], deleted["tenant"], deleted["schema"]) == (
        "post_delete",
        "gamma",
        "public",
    )


def test_with_the_hook_migrate_schemas_fails_on_public_naming_the_tenant_views():
    """Public is migrated first, with search_path "public": the views over the tenant app's
    tables cannot be built there, and since those tables are in the migration state (the
    router skips their migrations but records them), they are not left out as "not created
    yet": the whole public migrate is rolled back, and with it the first schema's run."""
    with empty_database(database_name("tenants_fresh_hook")) as db:
        done = manage(db.url, "migrate_schemas", "--noinput")
        assert done.returncode == 1
        for view in ("ProductSales", "ProductPrices", "PricesPerPlan", "DailyUnits"):
            assert f"tests.tenants.shop.postgres_views.{view}: relation" in done.stderr
        assert "None of the migrations above was applied" in done.stderr
        # django-tenants creates django_migrations before the migrate (ensure_schema): empty.
        assert db.applied("public", "customers") == []


def test_with_djangos_migrate_per_schema_public_is_migrated_before_the_views_fail():
    """Without TENANT_BASE_MIGRATE_COMMAND, migrate_schemas runs Django's migrate: each
    migration commits, then the post_migrate rebuild fails; no line of ours is printed."""
    with empty_database(database_name("tenants_fresh_django")) as db:
        done = manage(db.url, "migrate_schemas", "--noinput", variant="django-migrate")
        assert done.returncode == 1
        assert "ViewBuildError" in done.stderr
        assert "Views:" not in done.stdout
        assert len(db.applied("public", "customers")) == 3
        assert "views" not in db.schemas() or not db.views("views")


def test_shared_views_alone_are_built_in_public_run_and_checked_by_every_tenant(
    tenants_template,
):
    """With the shared app's views only, migrate_schemas works: public's run builds them in
    `views`, and each tenant's run finds them up to date (one catalog query)."""
    with copy_of(tenants_template, database_name("tenants_shared_only")) as db:
        done = succeeded(manage(db.url, "migrate_schemas", ORM_VIEWS_MODULE_NAME="shared_views"))
        assert set(db.views("views")) == SHARED_VIEWS
        assert '[standard:public] Views: rebuilt 2 of 2 views on database "default"' in done.stdout
        for index, tenant in enumerate(TENANTS, 1):
            assert (
                f"[{index}/3 ({100 * index // 3}%) standard:{tenant}] Views: 2 views on database "
                '"default" already up to date'
            ) in done.stdout


def test_a_sync_under_one_tenant_binds_every_view_to_its_tables_for_all_tenants(
    tenants_template,
):
    """`tenant_command sync_views --schema alpha` builds every view in `views` with alpha's
    search_path: they read alpha's tables. Another tenant's sync, or its migrate, finds them
    up to date (the digests match) and leaves them reading alpha's; a migration that breaks
    them in alpha rebuilds them with alpha's tables again."""
    with copy_of(tenants_template, database_name("tenants_bound")) as db:
        succeeded(manage(db.url, "tenant_command", "sync_views", "--schema=alpha"))
        assert set(db.views("views")) == SHARED_VIEWS | TENANT_VIEWS
        reads = db.reads("views")
        assert reads["product_prices"] == {"alpha.shop_product"}
        assert reads["prices_per_plan"] == {"alpha.shop_product", "public.customers_plan"}

        again = succeeded(manage(db.url, "tenant_command", "sync_views", "--schema=beta"))
        assert '8 views on database "default" already up to date' in again.stdout
        assert "beta_views" not in db.schemas()

        done = succeeded(manage(db.url, "migrate_schemas", "shop", "0002"))
        assert "standard:alpha] Views: rebuilt 3 of 8 views" in done.stdout
        assert 'standard:beta] Views: 8 views on database "default" already up to date' in (
            done.stdout
        )
        assert db.reads("views")["product_sales"] == {"alpha.shop_order", "alpha.shop_product"}
        assert db.query("SELECT product FROM views.top_product") == [("alpha-gadget",)]


def test_without_the_hook_a_retype_fails_in_the_tenant_whose_tables_the_views_read(
    tenants_template,
):
    """The problem the hook solves, per tenant: PostgreSQL refuses to retype a column a view
    reads. The standard executor stops at the first tenant that fails; the others keep their
    migrations."""
    with copy_of(tenants_template, database_name("tenants_retype")) as db:
        succeeded(manage(db.url, "tenant_command", "sync_views", "--schema=alpha"))
        done = manage(db.url, "migrate_schemas", "--tenant", "shop", "0002", variant="hook-off")
        assert done.returncode == 1
        assert "cannot alter type of a column used by a view or rule" in done.stderr
        assert "standard:alpha] " in done.stdout
        assert "standard:gamma]" not in done.stdout
        for tenant in TENANTS:
            assert db.applied(tenant, "shop")[-1] == "0003_retype_order_quantity", tenant


def test_deleting_the_tenant_the_views_read_drops_them_for_every_tenant(tenants_template):
    """delete_tenant runs DROP SCHEMA ... CASCADE, which takes every view over that tenant's
    tables with it, wherever it is."""
    with copy_of(tenants_template, database_name("tenants_cascade")) as db:
        succeeded(manage(db.url, "tenant_command", "sync_views", "--schema=alpha"))
        succeeded(manage(db.url, "delete_tenant", "--schema=alpha", "--noinput"))
        assert set(db.views("views")) == SHARED_VIEWS | {"plan_names"}


def test_which_migrate_runs_depends_on_the_order_of_the_apps(tenants_template):
    """django_tenants' `migrate` is its migrate_schemas. Listed first, as its documentation
    asks, it shadows ours, and Django's own check refuses every command, since its migrate and
    our makemigrations use different autodetectors (commands.E001). Listed after us, `migrate`
    is ours and migrates the public schema only (with the shared views alone: the others would
    fail there, as in migrate_schemas' public run); migrate_schemas migrates every schema."""
    with copy_of(tenants_template, database_name("tenants_commands")) as db:
        first = manage(db.url, "check", variant="tenants-first")
        assert first.returncode == 1
        assert "commands.E001" in first.stderr
        assert "orm_views.W001" in first.stderr

        succeeded(manage(db.url, "check"))
        done = succeeded(
            manage(db.url, "migrate", "shop", "0002", ORM_VIEWS_MODULE_NAME="shared_views")
        )
        assert "[standard:" not in done.stdout
        assert "Unapplying shop.0003_retype_order_quantity... OK" in done.stdout
        assert db.applied("public", "shop")[-1] == "0002_order_note"
        for tenant in TENANTS:
            assert db.applied(tenant, "shop")[-1] == "0003_retype_order_quantity", tenant


def test_the_subprocess_executor_runs_manage_py_per_tenant_without_the_target(
    tenants_template,
):
    """django-tenants 4's subprocess executor starts `manage.py migrate_schemas
    --executor=standard --schema <tenant>` for each tenant, so our migrate runs in each child.
    It does not pass the app label and migration name on (they are options, not args, to
    migrate_schemas): the tenants are migrated forwards while public goes back. If this test
    fails, django-tenants passes them on now."""
    with copy_of(tenants_template, database_name("tenants_subprocess")) as db:
        done = succeeded(
            manage_py(
                db.url,
                "migrate_schemas",
                "--executor=subprocess",
                "--parallel=2",
                "shop",
                "0002",
                ORM_VIEWS_MODULE_NAME="shared_views",
            )
        )
        for tenant in TENANTS:
            assert f"[1/1 (100%) standard:{tenant}] Views: 2 views" in done.stdout
            assert db.applied(tenant, "shop")[-1] == "0003_retype_order_quantity", tenant
        assert db.applied("public", "shop")[-1] == "0002_order_note"
