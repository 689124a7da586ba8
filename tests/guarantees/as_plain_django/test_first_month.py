"""A team's first month, through the real commands, compared with plain Django.

One history of `migrate` runs (a partial migrate on an empty database, a RenameModel, a
DeleteModel, backwards and forwards again, back to zero) is applied to a fresh database of
each project variant of tests/team_settings.py: the package listed first, the same with
ORM_VIEWS_AUTO_SYNC off, and plain Django without the package, the reference. After every
step, `django_content_type` and `auth_permission` must be plain Django's rows plus exactly the
readable view's own, on whichever Django runs the suite (5.2, 6.0 and 6.1).
"""

from __future__ import annotations

import contextlib

import django
import pytest
from django.db import connection, connections

from tests.support.subprocesses import run, scratch_database

pytestmark = pytest.mark.django_db(transaction=True)

HISTORY = [
    ("teamapp", "0001"),  # an empty database, teamapp alone: no content type table yet
    ("auth",),  # partial: contenttypes and auth, teamapp still at 0001
    (),  # forwards: RenameModel Order -> Purchase, DeleteModel Coupon
    ("teamapp", "0001"),  # backwards over both
    (),  # forwards again
    ("teamapp", "0002"),  # backwards over the DeleteModel only
    ("teamapp", "zero"),
    (),
]

#: What Django creates for the readable view teamapp.CustomerNames, were it a model.
VIEW_CONTENT_TYPES = {("teamapp", "customernames")}
VIEW_PERMISSIONS = {
    ("teamapp", "customernames", f"{action}_customernames", f"Can {action} customer names")
    for action in ("add", "change", "delete", "view")
} | {("teamapp", "customernames", "export_customernames", "Can export customer names")}

Rows = tuple[frozenset | None, frozenset | None]


@contextlib.contextmanager
def scratch_cursor(name: str):
    """A cursor on database `name` of the test server, on a connection of its own."""
    scratch = type(connections["default"])({**connection.settings_dict, "NAME": name}, "scratch")
    try:
        with scratch.cursor() as cursor:
            yield cursor
    finally:
        scratch.close()


def rows(name: str) -> Rows:
    """(content types, permissions) of database `name` by natural key; None: no such table."""
    with scratch_cursor(name) as cursor:
        cursor.execute(
            "SELECT to_regclass('django_content_type') IS NOT NULL,"
            " to_regclass('auth_permission') IS NOT NULL"
        )
        has_types, has_permissions = cursor.fetchone()
        types = permissions = None
        if has_types:
            cursor.execute("SELECT app_label, model FROM django_content_type")
            types = frozenset(cursor.fetchall())
        if has_permissions:
            cursor.execute(
                "SELECT t.app_label, t.model, p.codename, p.name FROM auth_permission p"
                " JOIN django_content_type t ON t.id = p.content_type_id"
            )
            permissions = frozenset(cursor.fetchall())
    return types, permissions


def views(name: str) -> set[str]:
    with scratch_cursor(name) as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = 'views' AND c.relkind IN ('v', 'm')"
        )
        return {relname for (relname,) in cursor.fetchall()}


def migrate(variant: str, url: str, *args: str, **env: str):
    return run(
        ["django", "migrate", *args],
        url,
        DJANGO_SETTINGS_MODULE="tests.team_settings",
        TEAM_PROJECT=variant,
        **env,
    )


def apply_history(variant: str, name: str) -> list[tuple[Rows, str]]:
    """Apply HISTORY to the empty database `name`; after each step, its rows and output."""
    seen = []
    with scratch_database(name) as url:
        for step in HISTORY:
            done = migrate(variant, url, *step)
            assert done.returncode == 0, f"{variant}: migrate {' '.join(step)}\n{done.stderr}"
            assert "Could not rename content type" not in done.stderr, done.stderr
            seen.append((rows(name), done.stdout, views(name)))
    return seen


@pytest.fixture(scope="module")
def plain_django(django_db_setup, django_db_blocker):
    """The reference: the same history in the same project without the package."""
    with django_db_blocker.unblock():
        return apply_history("plain", f"{connection.settings_dict['NAME']}_plain")


@pytest.mark.parametrize("variant", ["hook", "hook-off"])
def test_content_types_and_permissions_are_plain_djangos_and_the_views_own(variant, plain_django):
    mine = apply_history(variant, f"{connection.settings_dict['NAME']}_{variant.replace('-', '')}")
    for step, ((plain_rows, _, _), ((types, permissions), _, _)) in enumerate(
        zip(plain_django, mine, strict=True)
    ):
        plain_types, plain_permissions = plain_rows
        where = f"Django {django.get_version()}, {variant}, after migrate {HISTORY[step]}"
        if plain_types is None:  # the empty database's first step: nothing anywhere
            assert (types, permissions) == (None, None), where
            continue
        assert plain_types <= types and types - plain_types == VIEW_CONTENT_TYPES, where
        assert plain_permissions <= permissions, where
        assert permissions - plain_permissions == VIEW_PERMISSIONS, where


def test_django_renames_the_permissions_as_it_does_without_views(plain_django):
    """The reference itself: Django 6.1 renames permissions, 5.2 and 6.0 add new ones."""
    (_, permissions), _, _ = plain_django[2]
    codenames = {codename for _, model, codename, _ in permissions if model == "purchase"}
    assert "add_purchase" in codenames
    assert ("add_order" in codenames) is (django.VERSION < (6, 1))


def test_a_partial_migrate_leaves_out_the_views_over_tables_not_created_yet():
    """`migrate auth` on an empty database, as deploy scripts do, then the rest."""
    with scratch_database(f"{connection.settings_dict['NAME']}_partial") as url:
        name = url.rsplit("/", 1)[-1]
        first = migrate("hook", url, "auth")
        assert first.returncode == 0, first.stderr
        lines = [line for line in first.stdout.splitlines() if "not built yet" in line]
        assert len(lines) == 1, first.stdout
        assert "teamapp.postgres_views.CustomerNames" in lines[0]
        assert "teamapp.postgres_views.PurchasesPerCustomer" in lines[0]
        assert views(name) == set()
        older = migrate("hook", url, "teamapp", "0001")  # Purchase's table is 0002's
        assert older.returncode == 0, older.stderr
        assert views(name) == {"customernames"}
        assert "PurchasesPerCustomer" in older.stdout and "CustomerNames" not in older.stdout
        rest = migrate("hook", url)
        assert rest.returncode == 0, rest.stderr
        assert "not built yet" not in rest.stdout
        assert views(name) == {"customernames", "purchasespercustomer"}


def test_a_view_over_a_table_no_model_has_still_fails_a_partial_migrate():
    with scratch_database(f"{connection.settings_dict['NAME']}_typo") as url:
        name = url.rsplit("/", 1)[-1]
        done = migrate("hook", url, "teamapp", ORM_VIEWS_MODULE_NAME="views_typo")
        assert done.returncode != 0
        assert "teamapp.views_typo.Misspelt" in done.stderr
        assert 'relation "teamapp_custmer" does not exist' in done.stderr
        assert rows(name) == (None, None) and views(name) == set()
