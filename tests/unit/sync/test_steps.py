"""A sync's statements, planned from what it read (sync/steps.py): no database.

Three views: `a`, `b` reading `a`, and a materialised view `m`. The catalog, the managed
schema's contents, the session and the lock table's capacity are given as data; the
statements are compared as text, quoted with a visible fake.
"""

from __future__ import annotations

import pytest

from django_orm_views_hook.exceptions import GrantError, UnsafeSchemaError, ViewDefinitionError
from django_orm_views_hook.planning import diff
from django_orm_views_hook.planning.lock_entries import Capacity
from django_orm_views_hook.planning.plan import Plan, ViewSpec
from django_orm_views_hook.planning.state import Catalog, Contents, Relation, Session, ViewState
from django_orm_views_hook.sql.statement import Quoting
from django_orm_views_hook.sync import steps

Q = Quoting(name=lambda value: f"<{value}>", literal=lambda value: f"[{value}]")
A, B, M = ("views", "a"), ("views", "b"), ("views", "m")
AREA = "<views__orm_build>"


def spec(name, query="SELECT 1", dependencies=(), **options):
    return ViewSpec(f"app.{name}", "views", name, query, dependencies=dependencies, **options)


PLAN = Plan(
    "default",
    (
        spec("a"),
        spec("b", "SELECT * FROM views.a", (A,)),
        spec("m", "SELECT 2", materialized=True, pk_field="id", unique_index="m_id_uniq"),
    ),
    roles=("analyst",),
)
DIGESTS = diff.view_digests(PLAN, lambda view: view.query)
SESSION = Session("app", ("public",), frozenset({"analyst"}))
ROOMY = Capacity(per_transaction=10_000, processes=100, prepared=0, held=0)
SELECT = frozenset({("SELECT", "analyst")})
LIVE = Contents(
    relations=(
        Relation(12, "views", "b", "v", True),
        Relation(11, "views", "a", "v", True),
        Relation(13, "views", "m", "m", True),
    ),
    views_in_drop_order=(
        Relation(12, "views", "b", "v", True),
        Relation(11, "views", "a", "v", True),
        Relation(13, "views", "m", "m", True),
    ),
    outside_dependents=(),
    dependents={A: frozenset({B})},
    other_objects=(),
)
EMPTY = Contents((), (), (), {}, ())


def catalog(**changed):
    views = {
        A: ViewState(False, DIGESTS[A], True, SELECT),
        B: ViewState(False, DIGESTS[B], True, SELECT | {("SELECT", "bi")}),
        M: ViewState(True, DIGESTS[M], True, SELECT),
    }
    views.update({("views", name): state for name, state in changed.items()})
    return Catalog({"views": True}, {"views": frozenset({("USAGE", "analyst")})}, views)


def planned(found_catalog, contents=LIVE, capacity=ROOMY, *, force=False, **found):
    changes = diff.compare(PLAN, DIGESTS, found_catalog, force=force)
    read = steps.Found(150000, found.pop("session", SESSION), contents, capacity, **found)
    return steps.plan_steps(Q, PLAN, DIGESTS, found_catalog, changes, read), changes


def sqls(statements):
    return [" ".join(statement.sql.split()) for statement in statements]


def test_a_fresh_database_gets_everything_before_any_lock():
    fresh = Catalog({}, {}, {})
    result, _ = planned(fresh, EMPTY)
    assert [view.name for view in result.built] == ["a", "b", "m"]
    assert result.locking == result.swap == () and result.locked == ()
    assert sqls(result.prepare)[:3] == [
        "CREATE SCHEMA IF NOT EXISTS <views>",
        "COMMENT ON SCHEMA <views> IS [Managed by django_orm_views_hook.]",
        "GRANT USAGE ON SCHEMA <views> TO <analyst>",
    ]
    assert (
        sqls(result.prepare)[-1]
        == "GRANT SELECT ON <views>.<a>, <views>.<b>, <views>.<m> TO <analyst>"
    )


def test_a_changed_view_is_built_beside_and_its_reader_waits_for_the_swap():
    result, _ = planned(catalog(a=ViewState(False, "old", True, SELECT)))
    assert [view.name for view in result.built] == ["a", "b"]
    assert sqls(result.prepare)[0] == f"CREATE SCHEMA {AREA}"
    assert f"CREATE VIEW {AREA}.<a> AS ( SELECT 1 )" in sqls(result.prepare)
    # The readers' order: the reader before what it reads, in one statement.
    assert sqls(result.locking) == ["DROP VIEW <views>.<b>, <views>.<a>"]
    assert result.locked == (B, A) and result.dropped == {11, 12}
    assert sqls(result.swap)[:3] == [
        f"ALTER VIEW {AREA}.<a> SET SCHEMA <views>",
        f"DROP SCHEMA {AREA}",
        "CREATE VIEW <views>.<b> AS ( SELECT * FROM views.a )",
    ]
    # `b` held a grant nobody declares: it goes with the view, said like a revoke.
    assert [(d.view, d.grantee, d.rebuilt) for d in result.drift] == [("b", "bi", True)]


def test_the_views_left_out_are_not_built_under_the_locks():
    result, changes = planned(catalog(a=ViewState(False, "old", True, SELECT)))
    without_b = steps.without(result, Q, PLAN, DIGESTS, changes, {B})
    assert [view.name for view in without_b.built] == ["a"]
    assert sqls(without_b.swap) == [
        f"ALTER VIEW {AREA}.<a> SET SCHEMA <views>",
        f"DROP SCHEMA {AREA}",
    ]
    assert without_b.locking == result.locking  # the drops have run: nothing else changes


def test_the_views_left_out_before_the_locks_are_not_built_at_all():
    found = catalog(a=ViewState(False, "old", True, SELECT))
    changes = diff.compare(PLAN, DIGESTS, found)
    read = steps.Found(150000, SESSION, LIVE, ROOMY)
    result = steps.plan_steps(Q, PLAN, DIGESTS, found, changes, read, left_out={B})
    assert [view.name for view in result.built] == ["a"]
    assert "CREATE VIEW <views>.<b>" not in " ".join(sqls(result.statements))
    assert sqls(result.locking) == ["DROP VIEW <views>.<b>, <views>.<a>"]  # dropped all the same


def test_a_forced_rebuild_that_does_not_fit_replaces_plain_views_in_place():
    tight = Capacity(per_transaction=52, processes=1, prepared=0, held=0)
    result, _ = planned(catalog(), capacity=tight, force=True)
    assert sqls(result.locking) == [
        "DROP MATERIALIZED VIEW <views>.<m>",
        "CREATE OR REPLACE VIEW <views>.<b> AS ( SELECT * FROM views.a )",
        f"COMMENT ON VIEW <views>.<b> IS [Managed by django_orm_views_hook. digest={DIGESTS[B]}]",
        "CREATE OR REPLACE VIEW <views>.<a> AS ( SELECT 1 )",
        f"COMMENT ON VIEW <views>.<a> IS [Managed by django_orm_views_hook. digest={DIGESTS[A]}]",
    ]
    assert [view.name for view in result.replaced] == ["a", "b"]
    assert result.dropped == {13}
    # A view replaced in place keeps its privileges: an undeclared one is revoked, not lost.
    assert sqls(result.prepare)[0] == "REVOKE SELECT ON <views>.<b> FROM <bi>"
    assert sqls(result.swap)[-1] == "GRANT SELECT ON <views>.<a>, <views>.<b> TO <analyst>"


def test_what_the_sync_must_not_do_is_refused_before_any_statement():
    missing_role = Session("app", ("public",), frozenset())
    with pytest.raises(GrantError, match="analyst"):
        planned(catalog(), session=missing_role, force=True)
    on_the_path = Session("app", ("views", "public"), frozenset({"analyst"}))
    with pytest.raises(UnsafeSchemaError, match="search_path"):
        planned(catalog(), session=on_the_path, force=True)
    table = Relation(20, "views", "legacy", "r", False)
    foreign = Contents((table, *LIVE.relations), LIVE.views_in_drop_order, (), LIVE.dependents, ())
    with pytest.raises(UnsafeSchemaError, match='table "views"."legacy"'):
        planned(catalog(), foreign, force=True)


def test_only_the_views_built_have_their_sql_read():
    bad = Plan("default", (spec("a", "SELECT 1; SELECT 2", from_sql=True),))
    digests = diff.view_digests(bad, lambda view: view.query)
    found = Catalog({"views": True}, {}, {A: ViewState(False, digests[A], True)})
    live = Contents(LIVE.relations[1:2], LIVE.views_in_drop_order[1:2], (), {}, ())
    read = steps.Found(150000, SESSION, live, ROOMY)
    unchanged = diff.compare(bad, digests, found)
    assert steps.plan_steps(Q, bad, digests, found, unchanged, read).built == ()
    forced = diff.compare(bad, digests, found, force=True)
    with pytest.raises(ViewDefinitionError, match="2 statements"):
        steps.plan_steps(Q, bad, digests, found, forced, read)


def test_an_abandoned_build_area_is_dropped_first_once_checked():
    area = "views__orm_build"
    comment = "Build area of django_orm_views_hook: replacements of the views of schema views"
    result, _ = planned(catalog(), abandoned=((area, comment, EMPTY),), force=True)
    assert sqls(result.prepare)[0] == f"DROP SCHEMA <{area}> CASCADE"
    with pytest.raises(UnsafeSchemaError, match="was not created by this package"):
        planned(catalog(), abandoned=((area, "Someone's", EMPTY),), force=True)
