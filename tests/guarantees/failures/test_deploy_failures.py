"""A failed deploy says everything at once, plainly, and suggests a way out only where it is one."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, ManagementUtility
from django.test.utils import override_settings

from tests.support.catalog import view_oids, views_in_schema
from tests.support.migrating import FAILING_APPS, applied, execute, migrate

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("migrating_project")]

SKIP_OPTION = "--skip-unbuildable-views"


def failed_migrate(*args: str, views: str) -> str:
    with pytest.raises(CommandError) as excinfo:
        migrate(*args, views=views)
    return str(excinfo.value)


def test_one_failed_run_names_every_view_the_database_rejects_and_applies_nothing():
    migrate("migrationapp", "0003", views="views_v1")
    before = view_oids()
    message = failed_migrate("migrationapp", "0004", views="views_many_broken")
    lines = message.splitlines()
    assert lines[0] == "The database rejected 3 views:"
    module = "tests.migrationapp.views_many_broken"
    assert f'  {module}.LegacyItems: column "legacy" does not exist' in lines
    assert f'  {module}.LegacyCounts: column "legacy" does not exist' in lines
    typo = f"  {module}.Typo: function lenght(character varying) does not exist"
    assert any(line.startswith(typo) for line in lines)
    assert f"Not built because they read a rejected view: {module}.LegacyReader." in lines
    # Forwards, the way out is to fix the views, not to leave them dropped.
    assert SKIP_OPTION not in message and "--leave-views-dropped" not in message
    assert lines[-1] == (
        "None of the migrations above was applied: the database rejected the views named "
        "above, so the whole migrate was rolled back (its migrations and the views share one "
        "transaction); the database is as it was before."
    )
    assert applied("migrationapp")[-1] == "0003_amount_bigint"
    assert view_oids() == before


def test_typos_and_a_wrong_pk_field_get_no_hint_even_backwards():
    migrate("migrationapp", "0004", views="views_v2")
    message = failed_migrate("migrationapp", "0003", views="views_typos")
    assert "views_many_broken.Typo: function lenght(character varying) does not exist" in message
    assert 'views_typos.ItemSnapshot: column "idd" does not exist' in message
    assert SKIP_OPTION not in message


def test_a_statement_timeout_gets_no_hint():
    migrate("migrationapp", "0003", views="views_slow")
    execute("SET statement_timeout = '100ms'")
    try:  # unapplying 0003 retypes the column the slow view reads: it is rebuilt
        message = failed_migrate("migrationapp", "0002", views="views_slow")
    finally:
        execute("RESET statement_timeout")
    # A timeout is the server's, not a view's: no view is blamed and no way out suggested.
    assert "canceling statement due to statement timeout (SQLSTATE 57014)" in message
    assert SKIP_OPTION not in message


def test_skipping_unbuildable_views_builds_the_rest_and_names_each_left_dropped():
    migrate("migrationapp", "0004", views="views_v2_ids")
    output = migrate("migrationapp", "0003", SKIP_OPTION, views="views_skip_both")
    assert applied("migrationapp")[-1] == "0003_amount_bigint"
    views = views_in_schema()
    assert "mig_itemlegacy" in views  # new, and the older schema accepts it: built
    assert not {"mig_itemamounts", "mig_itemtotals", "mig_itemsnapshot", "mig_itemids"} & set(views)
    assert "test_simpleviewfromsql" in views  # never dropped: it reads no table that changed
    lines = output.stderr.splitlines()
    for rejected in (  # dropped by the migration; changed in the code, built beside or replaced
        '"views"."mig_itemamounts" (tests.migrationapp.views_v2.ItemAmounts)',
        '"views"."mig_itemsnapshot" (tests.migrationapp.views_skip_both.ItemSnapshot)',
        '"views"."mig_itemids" (tests.migrationapp.views_skip_both.ItemIds)',
    ):
        assert (
            f'  left dropped: {rejected}: the database rejected it: column "sku" does not exist'
        ) in lines
    assert (
        '  left dropped: "views"."mig_itemtotals" (tests.migrationapp.views_v2.ItemTotals): '
        "it reads a view left dropped"
    ) in lines
    assert lines[-1].startswith("4 of 17 views are left dropped; the next migrate or sync_views")
    # The next migrate, with code that fits this schema, builds them.
    migrate("migrationapp", "0003", views="views_v1")
    assert {"mig_itemamounts", "mig_itemtotals", "mig_itemsnapshot"} <= set(views_in_schema())


def test_a_failed_migration_ends_with_what_was_rolled_back():
    with override_settings(INSTALLED_APPS=FAILING_APPS), pytest.raises(Exception) as excinfo:
        migrate("failapp")
    assert excinfo.value.__notes__ == [
        "None of the migrations above was applied: failapp.0002_boom failed, so the whole "
        "migrate was rolled back (its migrations and the views share one transaction); the "
        "database is as it was before."
    ]
    assert applied("failapp") == []


def run_manage(capsys, *argv: str) -> tuple[int, str]:
    with override_settings(ORM_VIEWS_MODULE_NAME="views_v1"), pytest.raises(SystemExit) as exit:
        ManagementUtility(["manage.py", *argv]).execute()
    return exit.value.code, capsys.readouterr().err


def test_the_packages_own_errors_print_the_message_alone(capsys):
    with override_settings(ORM_VIEWS_GRANT_SELECT_TO=["no_such_reader"]):
        code, stderr = run_manage(capsys, "migrate", "migrationapp", "0001")
        assert code == 1
        assert "Traceback" not in stderr
        assert stderr.startswith("CommandError: ")
        assert "no_such_reader" in stderr
        assert stderr.rstrip().endswith("the database is as it was before.")
        with pytest.raises(CommandError) as excinfo:  # --traceback: the whole story
            argv = ["manage.py", "migrate", "migrationapp", "0001", "--traceback"]
            ManagementUtility(argv).execute()
    assert type(excinfo.value.__cause__).__name__ == "GrantError"
    assert applied("migrationapp") == []


def test_an_unsafe_schema_prints_the_message_alone(capsys):
    migrate("migrationapp", "0002")
    execute('CREATE TABLE "views"."keep_me" (id int)')
    try:  # 0003 retypes a column views read: they must be dropped, which the table forbids
        code, stderr = run_manage(capsys, "migrate", "migrationapp", "0003")
    finally:
        execute('DROP TABLE "views"."keep_me"')
    assert code == 1
    assert "Traceback" not in stderr and "keep_me" in stderr
    # Refused before the first statement of 0003 ran.
    assert stderr.rstrip().endswith("no migration was applied, the views are as they were.")
    assert applied("migrationapp")[-1] == "0002_seed"
