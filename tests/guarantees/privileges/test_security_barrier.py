"""An analyst granted SELECT on a filtering view cannot see the rows it filters out.

The attack: a plpgsql function of the analyst's own (in pg_temp, which every role may use) with a
tiny COST, called in a WHERE on the view. Without security_barrier the planner runs the cheap
function before the view's own filter, on every row of the table; the function records what it
sees. With the default (security_barrier on views granted to the read roles) it sees none.
"""

from __future__ import annotations

import pytest
from django.test.utils import override_settings

from django_orm_views_hook import PostgresViewFromQueryset, PostgresViewFromSQL, sync_views
from django_orm_views_hook.definitions.registry import Registry
from django_orm_views_hook.sync.result import SyncStatus
from tests.support.catalog import catalog, view_oids
from tests.support.roles import login_role
from tests.testapp.models import Customer

pytestmark = pytest.mark.django_db(transaction=True)

STAFF = 5
PEEK = """
CREATE FUNCTION pg_temp.peek(email text) RETURNS boolean
LANGUAGE plpgsql COST 0.0000001 AS $$
BEGIN
    INSERT INTO pg_temp.seen VALUES (email);
    RETURN true;
END $$
"""


def sql_view(**attributes):
    return type(
        "FilteredSQL",
        (PostgresViewFromSQL,),
        {
            "sql": "SELECT id, email FROM testapp_customer WHERE city <> 'hq'",
            "__module__": __name__,
            **attributes,
        },
    )


def queryset_view(**attributes):
    return type(
        "FilteredQueryset",
        (PostgresViewFromQueryset,),
        {
            "get_queryset": classmethod(
                lambda cls: Customer.objects.exclude(city="hq").values("id", "email")
            ),
            "__module__": __name__,
            **attributes,
        },
    )


@pytest.fixture
def analyst():
    Customer.objects.bulk_create(
        [Customer(name=f"c{n}", email=f"c{n}@example.com", city="Paris") for n in range(45)]
        + [Customer(name=f"s{n}", email=f"s{n}@staff.example", city="hq") for n in range(STAFF)]
    )
    with login_role("orm_analyst") as (role, connection):
        with override_settings(ORM_VIEWS_GRANT_SELECT_TO=[role]):
            yield connection
        sync_views(using="default")  # the setting back: no grants left on the views


def hidden_rows_seen(analyst, view) -> int:
    """Run the attack on `view` as the analyst: how many staff e-mails the function saw."""
    sync_views(using="default", registry=Registry([view]))
    name = f'"views"."{view.__name__.lower()}"'
    with analyst.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE IF NOT EXISTS seen (email text)")
        cursor.execute("TRUNCATE pg_temp.seen")
        cursor.execute(PEEK.replace("CREATE", "CREATE OR REPLACE", 1))
        cursor.execute(f"SELECT count(*) FROM {name} WHERE pg_temp.peek(email)")
        assert cursor.fetchone() == (50 - STAFF,)  # the view itself filters them out
        cursor.execute("SELECT count(*) FROM pg_temp.seen WHERE email LIKE '%%@staff.example'")
        return int(cursor.fetchone()[0])


@pytest.mark.parametrize("make_view", [sql_view, queryset_view], ids=["sql", "queryset"])
def test_the_defaults_leak_no_filtered_row(analyst, make_view):
    assert hidden_rows_seen(analyst, make_view()) == 0


@pytest.mark.parametrize("make_view", [sql_view, queryset_view], ids=["sql", "queryset"])
def test_without_security_barrier_the_attack_sees_every_row(analyst, make_view):
    assert hidden_rows_seen(analyst, make_view(security_barrier=False)) == STAFF


def test_the_barrier_is_a_view_option_the_attribute_turns_on_and_off(analyst):
    def options(view):
        sync_views(using="default", registry=Registry([view]))
        rows = catalog(
            "SELECT c.reloptions FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = 'views' AND c.relname = 'filteredsql'"
        )
        return rows[0][0]

    assert options(sql_view()) == ["security_barrier=true"]
    assert options(sql_view(security_barrier=False)) is None
    with override_settings(ORM_VIEWS_GRANT_SELECT_TO=[]):
        assert options(sql_view()) is None  # granted to nobody: no barrier needed
        assert options(sql_view(security_barrier=True)) == ["security_barrier=true"]
        assert options(sql_view(security_invoker=True)) == ["security_invoker=true"]


@pytest.mark.parametrize(
    "change", [{"security_barrier": False}, {"security_invoker": True}], ids=lambda c: str(c)
)
def test_changing_an_option_is_a_difference_that_rebuilds_the_view(analyst, change):
    sync_views(using="default", registry=Registry([sql_view()]))
    before = view_oids()["filteredsql"]
    changed = Registry([sql_view(**change)])
    # What `sync_views --check` reports: the dry run finds the view to rebuild.
    (check,) = sync_views(using="default", dry_run=True, registry=changed)
    assert check.status is SyncStatus.DRY_RUN
    assert [view.name for view in check.built] == ["filteredsql"]
    sync_views(using="default", registry=changed)
    assert view_oids()["filteredsql"] != before
    (again,) = sync_views(using="default", dry_run=True, registry=changed)
    assert again.status is SyncStatus.UP_TO_DATE
