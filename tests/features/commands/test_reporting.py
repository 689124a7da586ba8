"""What the commands say: every difference, every view dropped, nothing when there are no views."""

from __future__ import annotations

import io
import uuid

import pytest
from django.core.management import call_command
from django.test.utils import override_settings

from tests.support.migrating import execute, migrate

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("migrating_project")]

# Roles are server-wide and other runs may share the server: a name of this run only.
READER = f"orm_views_check_reader_{uuid.uuid4().hex[:8]}"


def check(verbosity: int = 1) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(SystemExit) as exit:
        call_command(
            "sync_views",
            "--check",
            "--database",
            "default",
            verbosity=verbosity,
            stdout=out,
            stderr=err,
        )
    return exit.value.code, out.getvalue(), err.getvalue()


def test_check_lists_every_difference_by_view_and_dropping_a_class_is_named():
    migrate("migrationapp", "0004", views="views_v2")
    execute(  # the same definition, replaced by hand
        'CREATE OR REPLACE VIEW "views"."mig_itemamounts" AS '
        "SELECT id, amount, sku FROM migrationapp_item"
    )
    execute(f'DROP ROLE IF EXISTS "{READER}"')
    execute(f'CREATE ROLE "{READER}" NOLOGIN')
    try:
        with override_settings(ORM_VIEWS_MODULE_NAME="views_check"):
            code, stdout, stderr = check()
            with override_settings(ORM_VIEWS_GRANT_SELECT_TO=[READER]):
                _, granted, _ = check()
            assert check(verbosity=0) == (1, "", "")
            synced = io.StringIO()
            call_command("sync_views", "--database", "default", stdout=synced)
    finally:
        execute(f'DROP ROLE "{READER}"')
    assert code == 1
    lines = stdout.splitlines()
    assert lines[0] == 'Views on database "default" differ from the code:'
    assert sorted(lines[1:]) == [
        '  "views"."mig_itemamounts" (tests.migrationapp.views_v2.ItemAmounts): modified by hand',
        '  "views"."mig_itemskus" (tests.migrationapp.views_check.ItemSkus): missing',
        '  "views"."mig_itemsnapshot": no longer defined by the code (would be dropped)',
        '  "views"."mig_itemtotals" (tests.migrationapp.views_v1b.ItemTotals): definition changed',
    ]
    assert stderr == "Run sync_views or migrate to make them match.\n"
    # A first role turns security_barrier on for the plain views; the rest is privileges only.
    assert (
        '  "views"."test_simpleviewfromsql" (tests.testapp.postgres_views.SimpleViewFromSQL): '
        "definition changed"
    ) in granted.splitlines()
    assert (
        f'  view "views"."test_simplematerializedview": role "{READER}" lacks SELECT, which is '
        "declared"
    ) in granted.splitlines()
    assert f'  schema "views": role "{READER}" lacks USAGE, which is declared' in (
        granted.splitlines()
    )
    assert '  dropped "views"."mig_itemsnapshot": the code no longer defines it' in (
        synced.getvalue().splitlines()
    )


def test_migrate_names_the_views_it_dropped_and_did_not_rebuild():
    migrate("migrationapp", "0004", views="views_v2")
    output = migrate("migrationapp", "0003", views="views_gone")
    lines = output.stdout.splitlines()
    assert '  dropped "views"."mig_itemsnapshot": the code no longer defines it' in lines
    assert '  dropped "views"."mig_itemtotals": the code no longer defines it' in lines


def test_no_views_line_when_the_project_defines_no_view():
    migrate("migrationapp", "0001", views="views_v1")
    with override_settings(ORM_VIEWS_MODULE_NAME="no_views_here"):
        first = io.StringIO()
        call_command(
            "sync_views", "--database", "default", stdout=first
        )  # drops the views built before, naming them
        assert '  dropped "views"."test_simpleviewfromsql"' in first.getvalue()
        output = migrate("migrationapp", "0002", views="no_views_here")
        again = io.StringIO()
        call_command("sync_views", "--database", "default", stdout=again)
    assert "Views" not in output.stdout
    assert "OK" in output.stdout
    assert again.getvalue() == ""
