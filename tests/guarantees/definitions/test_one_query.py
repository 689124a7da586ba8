"""A view's `sql` runs as the one query PostgreSQL's grammar read before it was built, nothing
else.

The check reads view SQL with standard_conforming_strings on, and the sync runs it with it on,
whatever the session's setting: with it off, a backslash would escape a quote and let a
DROP TABLE run between two harmless statements.
"""

from __future__ import annotations

import pytest
from django.db import connections
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from django_orm_views_hook import PostgresViewFromSQL
from django_orm_views_hook.definitions.registry import default_registry
from django_orm_views_hook.exceptions import ViewBuildError, ViewDefinitionError
from django_orm_views_hook.sync.executor import sync_plan
from django_orm_views_hook.sync.plans import build_plan
from tests.guarantees.ownership.test_fuzz_identifiers import relations
from tests.support.catalog import catalog
from tests.support.migrating import execute
from tests.support.roles import login_role

pytestmark = pytest.mark.django_db(transaction=True)

VICTIM = "scs_victim"
SQL = f"SELECT '\\' AS a, ' ) ; DROP TABLE {VICTIM}; SELECT (1 --' AS b"


@pytest.fixture
def scs_off_connection():
    """A connection of its own, logged in as a role whose standard_conforming_strings is off."""
    execute(f"CREATE TABLE IF NOT EXISTS {VICTIM} (id int)")
    options = ("SUPERUSER", "SET standard_conforming_strings = off")
    try:
        with login_role("orm_scs", *options) as (_, connection):
            yield connection
    finally:
        execute(f"DROP TABLE IF EXISTS {VICTIM}")
        for schema in ("scs_views", "fuzz_sql"):
            execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def setting(connection) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW standard_conforming_strings")
        return str(cursor.fetchone()[0])


def test_a_session_with_standard_conforming_strings_off_runs_the_checked_query(
    scs_off_connection,
):
    view = type(
        "Strings", (PostgresViewFromSQL,), {"sql": SQL, "schema": "scs_views", "__module__": "shop"}
    )
    plan = build_plan([view], "default")
    assert setting(scs_off_connection) == "off"

    sync_plan(plan, scs_off_connection)

    assert catalog(f"SELECT count(*) FROM {VICTIM}") == [(0,)]  # the table is still there
    rows = catalog('SELECT a, b FROM "scs_views"."strings"')
    assert rows == [("\\", f" ) ; DROP TABLE {VICTIM}; SELECT (1 --")]
    assert setting(scs_off_connection) == "off"  # the session's own setting is left alone


# Pieces that start or end strings, quoted identifiers, dollar quotes and comments, as
# PostgreSQL or a hand-written lexer might read them, and statements to smuggle in.
PIECES = st.sampled_from(
    ["'", "''", '"', "$$", "$a$", "$é$", "€$$", "a$b", "\\", "E'", "U&'", "--", "\n", "/*", "*/"]
    + [";", " ", "(", ")", ",", "1", "a", "SELECT", "AS", f"DROP TABLE {VICTIM}"]
)
TEXT = st.text(alphabet=st.sampled_from(list("a;'\"$\\-/*é€\n ()")), max_size=12)


def literals(text: str) -> list[str]:
    """`text` as a literal in each of PostgreSQL's quoting styles that can hold it."""
    found = ["'" + text.replace("'", "''") + "'"]
    found.append("E'" + text.replace("\\", "\\\\").replace("'", "''") + "'")
    for tag in ("$$", "$q$", "$é$"):
        quoted = f"{tag}{text}{tag}"
        if quoted.find(tag, len(tag)) == len(quoted) - len(tag):
            found.append(quoted)
    return found


def comments(text: str) -> list[str]:
    found = ["-- " + text.replace("\n", " ") + "\n"]
    if "/*" not in text and "*/" not in text and not text.endswith("/") and "*" not in text[:1]:
        found.append(f"/* {text} /* {text} */ */")
    return found


@st.composite
def quoted_queries(draw) -> tuple[str, str]:
    """A query returning `text` (quoted any valid way, wrapped in comments), and `text`."""
    text = draw(TEXT)
    literal = draw(st.sampled_from(literals(text)))
    before, after = draw(st.sampled_from(comments(draw(TEXT)))), draw(st.sampled_from(["", " "]))
    return f"{before}SELECT {literal} AS value{after}", text


@st.composite
def hostile_queries(draw) -> str:
    """A query with random pieces before, inside or after it: mostly not valid SQL."""
    pieces = "".join(draw(st.lists(PIECES, max_size=10)))
    return draw(
        st.sampled_from(
            [f"SELECT 1 AS value {pieces}", f"SELECT {pieces} AS value", f"{pieces} SELECT 1"]
        )
    )


def sync_one(sql: str, connection) -> bool:
    """Sync the project's views and one view of `sql`: whether it was built."""
    view = type("Fuzzed", (PostgresViewFromSQL,), {"sql": sql, "schema": "fuzz_sql"})
    view.__module__ = __name__
    try:
        plan = build_plan([*default_registry.for_database("default"), view], "default")
    except ViewDefinitionError:
        return False
    try:
        sync_plan(plan, connection)
    except ViewBuildError:
        return False  # the database refused the one statement (an unknown column, ...)
    return True


FUZZ = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@FUZZ
@given(query=quoted_queries(), scs_off=st.booleans())
def test_fuzzed_quoting_and_comments_read_back_exactly(scs_off_connection, query, scs_off):
    sql, text = query
    connection = scs_off_connection if scs_off else connections["default"]
    assert sync_one(sql, connection), sql
    assert catalog('SELECT value FROM "fuzz_sql"."fuzzed"') == [(text,)]


@FUZZ
@given(sql=hostile_queries(), scs_off=st.booleans())
def test_fuzzed_pieces_run_one_query_or_nothing(scs_off_connection, sql, scs_off):
    connection = scs_off_connection if scs_off else connections["default"]
    before = relations() - {("fuzz_sql", "fuzzed", "v")}
    built = sync_one(sql, connection)
    after = relations()
    assert (VICTIM, "r") in {(name, kind) for _, name, kind in after}
    assert after - {("fuzz_sql", "fuzzed", "v")} == before, sql
    if built:
        assert ("fuzz_sql", "fuzzed", "v") in after
