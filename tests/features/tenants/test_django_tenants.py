"""What django-tenants does, that the package's support of it builds on.

How `migrate_schemas` runs each schema's migrate and which signals it sends, how tenants are
created, deleted and cloned, which `migrate` runs depending on the order of the apps, what its
subprocess executor passes on. If one of these fails after an upgrade of django-tenants, the
integration (migrate/tenants.py, database/tenants.py, management/tenancy.py) must follow.
test_acceptance.py holds the package's own behaviour in such a project.
"""

from __future__ import annotations

import json

import pytest

from tests.support.tenanting import (
    TENANTS,
    clone_tenant,
    copy_of,
    create_tenant,
    database_name,
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
            assert f"[1/1 (100%) standard:{tenant}] Running migrations:" in done.stdout
            assert db.applied(tenant, "shop")[-1] == "0003_retype_order_quantity", tenant
        assert db.applied("public", "shop")[-1] == "0002_order_note"
