"""refresh_materialized_view() and `manage.py refresh_views`."""

from __future__ import annotations

import re

import pytest
from django.core.management import CommandError
from django.test.utils import override_settings

from django_orm_views_hook import refresh_materialized_view, sync_views
from django_orm_views_hook.exceptions import ViewDefinitionError
from django_orm_views_hook.sync.plans import plan_for
from tests.support import factories
from tests.support.catalog import catalog
from tests.testapp.postgres_views import (
    EmptyMaterializedView,
    SimpleMaterializedView,
    SimpleViewFromSQL,
)

pytestmark = pytest.mark.django_db

SIMPLE = "tests.testapp.postgres_views.SimpleMaterializedView"
EMPTY = "tests.testapp.postgres_views.EmptyMaterializedView"
DONE = r" done \(\d+\.\d{3}s\)"


def count(view: str) -> int:
    return catalog(f'SELECT count(*) FROM "views"."{view}"')[0][0]


def populated(view: str) -> bool:
    return catalog("SELECT ispopulated FROM pg_matviews WHERE matviewname = %s", [view])[0][0]


@pytest.fixture
def stale():
    """A row the materialised views have not seen yet."""
    before = count("test_simplematerializedview")
    factories.TestModelFactory()
    assert count("test_simplematerializedview") == before
    return before + 1


@pytest.mark.parametrize(
    "view", [SimpleMaterializedView, SimpleMaterializedView()], ids=["class", "instance"]
)
def test_refresh_class_or_instance(stale, view):
    refresh_materialized_view(view)
    assert count("test_simplematerializedview") == stale


def test_refresh_concurrently_with_pk_field(stale):
    refresh_materialized_view(SimpleMaterializedView, concurrently=True)
    assert count("test_simplematerializedview") == stale


def test_refresh_populates_a_view_created_with_no_data():
    assert not populated("test_emptymaterializedview")
    refresh_materialized_view(EmptyMaterializedView)
    assert populated("test_emptymaterializedview")


def test_concurrently_without_pk_field_is_a_clear_error():
    with pytest.raises(ViewDefinitionError, match=rf"{EMPTY}: .*concurrently.*set `pk_field`"):
        refresh_materialized_view(EmptyMaterializedView, concurrently=True)
    assert not populated("test_emptymaterializedview")


def test_non_materialised_view_is_an_error():
    with pytest.raises(ViewDefinitionError, match="SimpleViewFromSQL is not a materialised view"):
        refresh_materialized_view(SimpleViewFromSQL)


def test_command_refreshes_every_materialised_view(run_command, stale):
    order = [view.label for view in plan_for("default").views if view.materialized]
    assert order.index(SIMPLE) < order.index(EMPTY)  # the order they are defined in
    lines = run_command("refresh_views").stdout.splitlines()
    assert len(lines) == len(order)
    for index, (line, view) in enumerate(zip(lines, order, strict=True), start=1):
        assert re.fullmatch(rf"\[{index}/{len(order)}\] Refreshing {view}\.\.\.{DONE}", line)
    assert count("test_simplematerializedview") == stale
    assert populated("test_emptymaterializedview")


@pytest.mark.parametrize("name", ["test_emptymaterializedview", "EmptyMaterializedView", EMPTY])
def test_command_refreshes_only_the_named_view(run_command, stale, name):
    output = run_command("refresh_views", name).stdout
    assert re.fullmatch(rf"\[1/1\] Refreshing {EMPTY}\.\.\.{DONE}\n", output)
    assert populated("test_emptymaterializedview")
    assert count("test_simplematerializedview") == stale - 1


@pytest.mark.parametrize("name", ["no_such_view", "customer_cities"])
def test_command_unknown_or_non_materialised_name(run_command, name):
    with pytest.raises(CommandError, match=f"No materialised view called {name} on database"):
        run_command("refresh_views", "test_simplematerializedview", name)
    assert not populated("test_emptymaterializedview")


def test_command_concurrently(run_command, stale):
    output = run_command("refresh_views", "--concurrently", "test_simplematerializedview").stdout
    assert output.startswith(f"[1/1] Refreshing {SIMPLE}...")
    assert count("test_simplematerializedview") == stale


def test_command_concurrently_refuses_before_refreshing_anything(run_command, stale):
    with pytest.raises(CommandError, match=f"{EMPTY}: .*set `pk_field`"):
        run_command("refresh_views", "--concurrently")
    assert count("test_simplematerializedview") == stale - 1


def test_command_verbosity_zero_is_silent(run_command):
    assert run_command("refresh_views", verbosity=0).stdout == ""
    assert populated("test_emptymaterializedview")


@pytest.mark.django_db(databases=["default", "other"])
def test_command_on_a_database_without_materialised_views(run_command):
    output = run_command("refresh_views", "--database", "other").stdout
    assert output == "No materialised views to refresh.\n"


@override_settings(ORM_VIEWS_MODULE_NAME="refresh_chain")
def test_command_refreshes_in_dependency_order(run_command):
    sync_views(using="default")
    assert catalog('SELECT rows FROM "views"."chain_top"') == [(count("chain_plain"),)]
    factories.TestModelFactory()
    lines = run_command("refresh_views").stdout.splitlines()
    assert [re.sub(DONE, "", line) for line in lines] == [
        "[1/2] Refreshing tests.testapp.refresh_chain.ChainBase...",
        "[2/2] Refreshing tests.testapp.refresh_chain.ChainTop...",
    ]
    # The reader saw the refreshed base: refreshed in the other order, it would lag one row.
    assert catalog('SELECT rows FROM "views"."chain_top"') == [(count("chain_plain"),)]
