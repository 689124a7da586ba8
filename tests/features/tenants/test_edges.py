"""The edges of a django-tenants project: a fresh database, Django's own migrate per schema, a
tenant's schema dropped by hand, a tenant that does not exist, the package switched off."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from tests.support.tenanting import (
    SHARED_VIEWS,
    TENANTS,
    Database,
    assert_shared_views,
    assert_tenant_views,
    copy_of,
    create_tenant,
    database_name,
    empty_database,
    manage,
    migrated,
    requires_django_tenants,
    succeeded,
)

pytestmark = requires_django_tenants


def test_a_fresh_database_gets_the_shared_views_then_each_new_tenant_its_own():
    """Public's run builds the views built once (the tenants' tables are not there: their views
    are not public's to build); each tenant created afterwards gets its own."""
    with empty_database(database_name("tenants_e_fresh")) as db:
        done = succeeded(manage(db.url, "migrate_schemas", "--noinput"))
        assert '[standard:public] Views: rebuilt 2 of 2 views on database "default"' in done.stdout
        assert_shared_views(db)
        succeeded(manage(db.url, "seed_tenants", "--create", "alpha"))
        succeeded(create_tenant(db.url, "beta"))
        succeeded(manage(db.url, "seed_tenants", "--rows"))
        for tenant in ("alpha", "beta"):
            assert_tenant_views(db, tenant)
        again = succeeded(manage(db.url, "migrate_schemas", "--noinput"))
        assert "rebuilt" not in again.stdout
        assert 'Views: 6 views on database "default", tenant "beta" already up to date' in (
            again.stdout
        )


def test_with_djangos_migrate_per_schema_the_views_are_built_and_check_says_what_is_lost():
    """Without TENANT_BASE_MIGRATE_COMMAND, migrate_schemas runs Django's migrate: post_migrate
    still builds each schema's views, but the migrations commit first, so `check` warns."""
    with built_with("tenants_e_django", variant="django-migrate") as db:
        for tenant in TENANTS:
            assert_tenant_views(db, tenant)
        assert_shared_views(db)
        checked = succeeded(manage(db.url, "check", variant="django-migrate"))
        assert "orm_views.W004" in checked.stderr
        assert "TENANT_BASE_MIGRATE_COMMAND" in checked.stderr
        assert "orm_views.W004" not in succeeded(manage(db.url, "check")).stderr


def test_a_tenant_whose_schema_was_dropped_by_hand_loses_its_views_at_the_next_shared_sync(
    tenants_template,
):
    with migrated(tenants_template, "tenants_e_orphan") as db:
        alpha, shared = db.views("alpha_views"), db.views("views")
        db.query("DROP SCHEMA gamma CASCADE")
        assert "gamma_views" in db.schemas()  # plan_names reads only public: it stays
        done = succeeded(manage(db.url, "sync_views", "--schema=public"))
        assert "gamma_views" not in db.schemas()
        assert '"gamma_views"."plan_names": the code no longer defines it' in done.stdout
        assert db.views("alpha_views") == alpha
        assert db.views("views") == shared


def test_a_schema_that_is_no_tenants_is_refused_and_a_tenants_graph_is_its_own(tenants_template):
    with migrated(tenants_template, "tenants_e_unknown") as db:
        done = manage(db.url, "sync_views", "--schema=nobody")
        assert done.returncode == 1
        assert 'No tenant has schema "nobody"' in done.stderr
        assert "nobody_views" not in db.schemas()
        graph = succeeded(manage(db.url, "views_graph", "--schema=alpha")).stdout
        assert "alpha_views.top_product" in graph and "alpha.shop_order" in graph
        assert "beta" not in graph and "views.plan_prices" not in graph
        shared = succeeded(manage(db.url, "views_graph")).stdout
        assert "views.plan_prices" in shared and "alpha" not in shared


def test_with_the_package_off_no_tenant_gets_views(tenants_template):
    with copy_of(tenants_template, database_name("tenants_e_off")) as db:
        succeeded(manage(db.url, "migrate_schemas", "--noinput", variant="hook-off"))
        succeeded(manage(db.url, "seed_tenants", "--create", "delta", variant="hook-off"))
        assert not {f"{t}_views" for t in (*TENANTS, "delta")} & db.schemas()
        assert not set(db.views("views")) & SHARED_VIEWS


@contextlib.contextmanager
def built_with(suffix: str, variant: str) -> Iterator[Database]:
    """A fresh database migrated, its tenants created and filled, all with `variant` (the
    template is built with the package off)."""
    with empty_database(database_name(suffix)) as db:
        succeeded(manage(db.url, "migrate_schemas", "--noinput", variant=variant))
        succeeded(manage(db.url, "seed_tenants", "--create", *TENANTS, variant=variant))
        succeeded(manage(db.url, "seed_tenants", "--rows", variant=variant))
        yield db


CHECKS = """
from django.test.utils import override_settings
from django_orm_views_hook.tenant_checks import check_tenants
for name, value in {cases!r}:
    with override_settings(**{{name: value}}):
        print("checked:", sorted(e.id for e in check_tenants()))
"""


def test_the_tenant_settings_are_checked(tenants_template):
    """Each setting alone, in the tenant project (the others as tests/tenant_settings.py)."""
    cases = {
        ("ORM_VIEWS_TENANT_SCHEMA", "{tenant}_{schema}"): [],
        ("ORM_VIEWS_TENANT_SCHEMA", "reports"): ["orm_views.E112"],
        ("ORM_VIEWS_TENANT_SCHEMA", "{schema}_{tenant}"): [],
        ("ORM_VIEWS_TENANT_SCHEMA", "{nobody}"): ["orm_views.E112"],
        ("ORM_VIEWS_TENANT_GRANT_SELECT_TO", "tests.tenants.grants.analyst_roles"): [],
        ("ORM_VIEWS_TENANT_GRANT_SELECT_TO", "tests.tenants.grants.nothing_here"): [
            "orm_views.E113"
        ],
        ("ORM_VIEWS_TENANT_GRANT_SELECT_TO", ("analyst",)): ["orm_views.E113"],
        ("TENANT_BASE_MIGRATE_COMMAND", None): ["orm_views.W004"],
    }
    done = succeeded(manage(tenants_template.url, "shell", "-c", CHECKS.format(cases=list(cases))))
    found = [line for line in done.stdout.splitlines() if line.startswith("checked:")]
    assert found == [f"checked: {ids}" for ids in cases.values()]


IN_CODE = """
from django.core.management import call_command
from django.db import connection
from django_tenants.utils import tenant_context
from django_orm_views_hook import refresh_materialized_view, sync_views
from django_orm_views_hook.exceptions import ViewDefinitionError
from tests.tenants.customers.models import Client
from tests.tenants.shop.postgres_views import DailyUnits

try:
    refresh_materialized_view(DailyUnits)
except ViewDefinitionError as exc:
    print("refused:", exc)
alpha = Client.objects.get(schema_name="alpha")
with tenant_context(alpha):
    (result,) = sync_views()
    print("synced:", result.tenant, result.status.value)
    refresh_materialized_view(DailyUnits)
    call_command("sync_views", "--schema=beta")
    print("still:", connection.tenant is alpha)
"""


def test_in_code_the_functions_work_on_the_tenant_the_connection_is_set_to(tenants_template):
    with migrated(tenants_template, "tenants_e_code") as db:
        db.query(
            "INSERT INTO alpha.shop_order (product_id, quantity, placed_at, note)"
            " SELECT id, 7, '2026-03-01T12:00:00Z', '' FROM alpha.shop_product LIMIT 1"
        )
        done = succeeded(manage(db.url, "shell", "-c", IN_CODE))
        assert (
            "refused: tests.tenants.shop.postgres_views.DailyUnits is built per tenant"
            in done.stdout
        )
        assert "synced: alpha up to date" in done.stdout
        assert "still: True" in done.stdout
        days = db.query("SELECT day::text FROM alpha_views.daily_units ORDER BY day")
        assert ("2026-03-01",) in days
        assert ("2026-03-01",) not in db.query("SELECT day::text FROM beta_views.daily_units")


def test_a_tenant_whose_schema_name_needs_quoting_gets_and_loses_its_views(tenants_template):
    """django-tenants accepts any schema name PostgreSQL can quote (spaces, capitals, hyphens)."""
    with migrated(tenants_template, "tenants_e_quoted") as db:
        succeeded(manage(db.url, "seed_tenants", "--create", "Shop-2 Ltd"))
        succeeded(manage(db.url, "seed_tenants", "--rows"))
        assert_tenant_views(db, "Shop-2 Ltd")
        succeeded(manage(db.url, "sync_views", "--check", "--schema=Shop-2 Ltd"))
        succeeded(manage(db.url, "delete_tenant", "--schema=Shop-2 Ltd", "--noinput"))
        assert not {"Shop-2 Ltd", "Shop-2 Ltd_views"} & db.schemas()
