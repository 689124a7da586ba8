"""The plan against the catalog: what is stale, extra, unused, unmarked, and which privileges
drift. Pure: the catalog is given as data (planning/state.py), no database."""

from __future__ import annotations

from dataclasses import replace

from django_orm_views_hook.planning import diff
from django_orm_views_hook.planning.plan import Plan, ViewSpec
from django_orm_views_hook.planning.state import Catalog, ViewState

A, B, H = ("views", "a"), ("views", "b"), ("views", "hidden")


def spec(name, query="SELECT 1", dependencies=(), **options):
    return ViewSpec(
        label=f"app.{name}",
        schema="views",
        name=name,
        query=query,
        dependencies=dependencies,
        **options,
    )


def plan(*views, roles=("analyst",)):
    return Plan("default", views, roles=roles)


PLAN = plan(spec("a"), spec("b", "SELECT * FROM views.a", (A,)), spec("hidden", hidden=True))
DIGESTS = diff.view_digests(PLAN, lambda view: view.query)
SELECT, USAGE = {("SELECT", "analyst")}, {("USAGE", "analyst")}


def catalog(views=None, marked=True, privileges=None, areas=()):
    if views is None:
        views = {
            A: ViewState(False, DIGESTS[A], True, frozenset(SELECT)),
            B: ViewState(False, DIGESTS[B], True, frozenset(SELECT)),
            H: ViewState(False, DIGESTS[H], True),
        }
    schema_privileges = frozenset(USAGE) if privileges is None else privileges
    return Catalog({"views": marked}, {"views": schema_privileges}, views, tuple(areas))


def test_a_database_that_matches_the_code_leaves_nothing_to_do():
    changes = diff.compare(PLAN, DIGESTS, catalog())
    assert changes.nothing_to_do
    assert changes.stale == changes.extra == frozenset() and changes.drift == ()


def test_a_digest_covers_the_views_read_too():
    changed = plan(spec("a", "SELECT 2"), *PLAN.views[1:])
    digests = diff.view_digests(changed, lambda view: view.query)
    assert digests[A] != DIGESTS[A] and digests[B] != DIGESTS[B]
    assert digests[H] == DIGESTS[H]
    assert diff.view_digests(PLAN, lambda view: view.query) == DIGESTS  # the same every time


def test_why_each_view_is_stale():
    views = dict(catalog().views)
    views[A] = ViewState(True, "other", False, frozenset(SELECT))
    del views[B]
    changes = diff.compare(PLAN, DIGESTS, catalog(views))
    assert changes.stale == {A, B}
    assert changes.reasons[A] == (
        "no longer materialised",
        "modified by hand",
        "definition changed",
    )
    assert changes.reasons[B] == ("missing",)


def test_force_makes_every_view_stale():
    changes = diff.compare(PLAN, DIGESTS, catalog(), force=True)
    assert changes.stale == {A, B, H}
    assert set(changes.reasons.values()) == {("rebuild forced",)}


def test_views_schemas_and_build_areas_the_code_no_longer_has():
    views = {**catalog().views, ("views", "gone"): ViewState(False, "x", True)}
    found = Catalog(
        {"views": True, "old": True, "new": False},
        {},
        views,
        ("views__orm_build",),
    )
    elsewhere = plan(*PLAN.views, replace(spec("n"), schema="new"))
    changes = diff.compare(elsewhere, diff.view_digests(elsewhere, lambda v: v.query), found)
    assert changes.extra == {("views", "gone")}
    assert changes.unused_schemas == ("old",)
    assert changes.unmarked_schemas == ("new",)
    assert changes.abandoned_areas == ("views__orm_build",)
    assert not changes.nothing_to_do


def test_privileges_that_drift_from_the_declared_ones():
    views = dict(catalog().views)
    views[A] = ViewState(False, DIGESTS[A], True, frozenset({("INSERT", "analyst")}))
    views[H] = ViewState(False, DIGESTS[H], True, frozenset({("SELECT", None)}))
    changes = diff.compare(PLAN, DIGESTS, catalog(views, privileges=frozenset()))
    assert not changes.stale
    assert [str(d) for d in changes.drift] == [
        'view "views"."a": role "analyst" holds INSERT, which is not declared',
        'view "views"."a": role "analyst" lacks SELECT, which is declared',
        'view "views"."hidden": PUBLIC holds SELECT, which is not declared',
        'schema "views": role "analyst" lacks USAGE, which is declared',
    ]
    assert [d.missing for d in changes.drift] == [False, True, False, True]


def test_the_undeclared_privileges_lost_with_a_rebuilt_view():
    views = dict(catalog().views)
    views[A] = ViewState(False, DIGESTS[A], True, frozenset({*SELECT, ("SELECT", "bi")}))
    # A view the code no longer defines is dropped, not rebuilt: its privileges are not "lost".
    gone = ("views", "gone")
    views[gone] = ViewState(False, "x", True, frozenset({("SELECT", "bi")}))
    lost = diff.lost_with(PLAN, catalog(views), [A, A, B, ("views", "unknown"), gone])
    assert [(d.view, d.grantee, d.privilege, d.rebuilt) for d in lost] == [
        ("a", "bi", "SELECT", True)
    ]


def test_with_dependents_follows_readers_of_readers():
    dependents = {A: frozenset({B}), B: frozenset({("views", "c")})}
    assert diff.with_dependents([A], dependents) == {A, B, ("views", "c")}
    assert diff.with_dependents([B], dependents) == {B, ("views", "c")}
    assert diff.with_dependents([], dependents) == set()
