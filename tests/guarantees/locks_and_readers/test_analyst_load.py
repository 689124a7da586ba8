"""A migrate that alters the tables the views read, while analysts read the views in a loop.

Every reader is a process of its own, querying with no pause; the migrate is a process too.
The shapes are those of real upgrades: a view replaced or dropped *after* an earlier statement
of the same transaction locked a table it reads. Each must exit 0, lose no view, and give the
readers no error.
"""

from __future__ import annotations

import pytest

from tests.support.analysts import Reader, project, under_readers

pytestmark = pytest.mark.django_db(transaction=True)

START = [
    "an_authornames",
    "an_authorpages",
    "an_bookpages",
    "an_bookstats",
    "an_booktitles",
    "an_librarycities",
    "an_shelflabels",
]
END = [name for name in START if name != "an_shelflabels"]


def assert_clean(done, seen, views, expected):
    print(done.stdout, done.stderr, seen, sep="\n")  # shown when it fails
    assert done.returncode == 0, done.stderr
    assert sorted(views) == expected
    assert [error for s in seen for error in s.errors] == [], (done.stderr, seen)
    assert all(s.reads > 0 for s in seen)


def test_a_view_whose_definition_changes_with_a_field_added_to_the_table_it_reads():
    """Wagtail's shape: AddField on the table, the QuerySet view over it is replaced after."""
    with project("load_wagtail", "0001", "views_start") as built:
        done, seen = under_readers(built, "0002", "views_wagtail")
        assert_clean(done, seen, built.views(), START)
        assert "subtitle" in [
            c
            for (c,) in built.sql(
                "SELECT attname FROM pg_attribute WHERE attrelid = 'views.an_booktitles'::regclass"
            )
        ]


def test_a_type_change_after_a_field_added_to_the_same_table():
    """dj-stripe's shape: AddField in one migration, AlterField of a column views read later."""
    with project("load_stripe", "0001", "views_start") as built:
        done, seen = under_readers(built, "0003", "views_start")
        assert_clean(done, seen, built.views(), START)
        assert built.applied()[-1] == "0003_pages_bigint"


def test_a_removed_field_after_a_field_added_to_the_same_table():
    with project("load_remove", "0001", "views_start") as built:
        done, seen = under_readers(built, "0004", "views_end", kept=END)
        assert_clean(done, seen, built.views(), END)


def test_a_runsql_alter_table_after_a_field_added_to_the_same_table():
    with project("load_runsql", "0001", "views_start") as built:
        done, seen = under_readers(built, "0005", "views_end", kept=END)
        assert_clean(done, seen, built.views(), END)
        assert built.sql(
            "SELECT character_maximum_length FROM information_schema.columns "
            "WHERE table_name = 'analystapp_author' AND column_name = 'name'"
        ) == [(200,)]


def test_a_deleted_model_after_a_field_added_to_it():
    with project("load_delete", "0001", "views_start") as built:
        done, seen = under_readers(built, "0006", "views_end", kept=END)
        assert_clean(done, seen, built.views(), END)
        assert built.sql("SELECT to_regclass('analystapp_shelf')") == [(None,)]


def test_a_history_of_five_migrations_over_three_tables_with_twenty_views():
    with project("load_many", "0001", "views_many_start") as built:
        before = built.views()
        assert len(before) == 20
        kept = [name for name in before if not name.startswith("many_shelves")]
        done, seen = under_readers(built, "0006", "views_many_end", kept=kept)
        assert_clean(done, seen, built.views(), sorted(kept))


def test_a_history_with_a_non_atomic_migration():
    """Each migration commits on its own: a view a statement breaks is rebuilt before that
    migration commits, so its readers never find it missing."""
    with project("load_nonatomic", "0001", "views_start") as built:
        done, seen = under_readers(built, "0007", "views_end", kept=END)
        assert_clean(done, seen, built.views(), END)
        assert "cannot be atomic" in done.stderr
        assert built.applied()[-1] == "0007_library_city_index"


def test_a_reader_of_a_table_then_of_a_view_over_it_does_not_fail_the_deploy():
    """It takes the locks in the other order: it may get an error, the deploy may not."""
    with project("load_table_first", "0001", "views_start") as built:
        table_first = Reader(
            built.url,
            ["SELECT count(*) FROM analystapp_book", 'SELECT * FROM "views"."an_bookpages"'],
            mode="together",
        ).wait_until_ready()
        others = built.readers()
        done, seen = under_readers(built, "0003", "views_start", readers=[*others, table_first])
        assert done.returncode == 0, done.stderr
        assert sorted(built.views()) == START
        assert [error for s in seen[:-1] for error in s.errors] == []
        assert seen[-1].reads > 0


def test_a_session_holding_a_table_while_it_waits_for_the_run_is_cancelled_not_waited_for():
    """It read the books, then asks for a view over the authors, which the run holds since it
    altered them: it cannot finish before the commit, and the run needs the books."""
    with project("load_stuck", "0001", "views_start") as built:
        stuck = Reader(
            built.url,
            ["SELECT count(*) FROM analystapp_book", 'SELECT * FROM "views"."an_authornames"'],
            mode="together",
        ).wait_until_ready()
        done, seen = under_readers(built, "0002", "views_start", readers=[stuck])
        assert done.returncode == 0, done.stderr
        assert "Cancelled the query of pid" in done.stderr
        assert any(error.startswith("57014") for error in seen[0].errors), seen[0]
        assert built.applied()[-1] == "0002_add_fields"


def test_without_cancelling_a_stuck_session_fails_the_run_at_once_naming_it():
    with project("load_stuck_off", "0001", "views_start") as built:
        stuck = Reader(
            built.url,
            ["SELECT count(*) FROM analystapp_book", 'SELECT * FROM "views"."an_authornames"'],
            mode="together",
        ).wait_until_ready()
        done, seen = under_readers(
            built, "0002", "views_start", readers=[stuck], ORM_VIEWS_CANCEL_STUCK_QUERIES="0"
        )
        assert done.returncode == 1
        assert "hold them while they wait for locks this transaction holds" in done.stderr
        assert "ORM_VIEWS_LOCK_BUDGET" not in done.stderr  # no budget spent on it
        assert '"public"."analystapp_book" (AccessShareLock)' in done.stderr
        assert built.applied() == ["0001_initial"]
        assert sorted(built.views()) == START


def test_a_holder_longer_than_the_budget_fails_the_run_naming_it_and_nothing_is_applied():
    with project("load_holder", "0001", "views_start") as built:
        holder = built.connection.copy()
        holder.settings_dict["NAME"] = built.name
        try:
            holder.set_autocommit(False)
            with holder.cursor() as cursor:
                cursor.execute('SELECT * FROM "views"."an_bookpages"')
            done, seen = under_readers(
                built,
                "0003",
                "views_start",
                kept=["an_librarycities"],
                ORM_VIEWS_LOCK_BUDGET="2s",
            )
        finally:
            holder.rollback()
            holder.close()
        assert done.returncode == 1, done.stderr
        assert "ORM_VIEWS_LOCK_BUDGET (2s" in done.stderr
        assert '"views"."an_bookpages" (AccessShareLock)' in done.stderr
        assert "idle in transaction" in done.stderr
        assert built.applied() == ["0001_initial"]
        assert sorted(built.views()) == START
        assert [error for s in seen for error in s.errors] == []
