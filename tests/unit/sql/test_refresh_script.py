"""What a scheduled refresh runs, as exact SQL text (no database), and refresh_every's
validation."""

from __future__ import annotations

from datetime import timedelta

import pytest

from django_orm_views_hook import PostgresMaterialisedViewMixin, PostgresViewFromSQL
from django_orm_views_hook.exceptions import RefreshScheduleError
from django_orm_views_hook.planning.build import build_spec
from django_orm_views_hook.planning.identifiers import MAX_IDENTIFIER_BYTES
from django_orm_views_hook.planning.plan import Plan, ViewSpec
from django_orm_views_hook.sql.refresh_script import (
    Method,
    in_place,
    readers_of,
    refresh_area,
    script_for,
)
from django_orm_views_hook.sql.statement import Quoting, Statement

Q = Quoting(name=lambda value: f"<{value}>", literal=lambda value: f"[{value}]")
HOUR = timedelta(hours=1)


def spec(name: str, **fields) -> ViewSpec:
    fields.setdefault("query", f"SELECT 1 AS id /* {name} */")
    return ViewSpec(label=f"app.views.{name.title()}", schema="views", name=name, **fields)


BASE = spec("base", materialized=True, refresh_every=HOUR)
KEYED = spec("keyed", materialized=True, pk_field="id", refresh_every=HOUR)
READER = spec("reader", dependencies=(BASE.key,))
SECOND = spec("second", materialized=True, dependencies=(READER.key,))
OTHER = spec("other")
PLAN = Plan("default", (BASE, KEYED, READER, OTHER, SECOND))
DIGESTS = {view.key: f"d-{view.name}" for view in PLAN.views}


def sqls(statements: tuple[Statement, ...]) -> list[str]:
    return [statement.sql for statement in statements]


def test_a_view_with_a_unique_key_is_refreshed_concurrently_and_counted():
    script = script_for(Q, PLAN, KEYED, DIGESTS)
    assert script.method is Method.CONCURRENTLY
    assert script.populate.sql == "REFRESH MATERIALIZED VIEW CONCURRENTLY <views>.<keyed>"
    assert script.count.sql == "SELECT count(*) FROM <views>.<keyed>"
    assert (script.setup, script.prepare, script.guard, script.locked, script.swap) == (
        (),
        (),
        None,
        (),
        (),
    )


def test_a_keyed_view_never_populated_is_refreshed_in_place_under_lock_attempts():
    script = script_for(Q, PLAN, KEYED, DIGESTS, populated=False)
    assert script == in_place(Q, KEYED)
    assert sqls(script.locked) == ["REFRESH MATERIALIZED VIEW <views>.<keyed>"]
    assert script.locked_keys == (KEYED.key,)


def test_a_view_without_one_is_built_beside_and_swapped_with_its_readers():
    script = script_for(Q, PLAN, BASE, DIGESTS)
    area = refresh_area(BASE)
    assert script.method is Method.BESIDE
    assert sqls(script.setup) == [f"CREATE SCHEMA <{area}>"]
    assert script.populate.sql == (
        f"CREATE MATERIALIZED VIEW <{area}>.<base> AS (\nSELECT 1 AS id /* base */\n)"
    )
    assert sqls(script.prepare) == [
        f"COMMENT ON MATERIALIZED VIEW <{area}>.<base> IS "
        "[Managed by django_orm_views_hook. digest=d-base]"
    ]
    # Readers first: the order a reader of the reader locks them in.
    assert sqls(script.locked) == [
        "DROP MATERIALIZED VIEW <views>.<second>",
        "DROP VIEW <views>.<reader>",
        "DROP MATERIALIZED VIEW <views>.<base>",
    ]
    assert script.locked_keys == (SECOND.key, READER.key, BASE.key)
    swap = sqls(script.swap)
    assert swap[:2] == [
        f"ALTER MATERIALIZED VIEW <{area}>.<base> SET SCHEMA <views>",
        f"DROP SCHEMA <{area}>",
    ]
    assert [s.split(" AS ")[0] for s in swap[2:] if s.startswith("CREATE")] == [
        "CREATE VIEW <views>.<reader>",
        "CREATE MATERIALIZED VIEW <views>.<second>",
    ]
    assert "d-reader" in " ".join(swap) and "d-second" in " ".join(swap)


def test_the_guard_checks_the_deploy_lock_the_digests_and_foreign_dependents():
    guard = script_for(Q, PLAN, BASE, DIGESTS).guard.sql
    assert guard.startswith("DO [")
    assert "pg_try_advisory_xact_lock_shared" in guard
    for name in ("base", "reader", "second"):
        expected = f"([views], [{name}], [Managed by django_orm_views_hook. digest=d-{name}])"
        assert expected in guard
    assert "ERRCODE = 'OVR01'" in guard and "'OVR02'" in guard and "'OVR03'" in guard


def test_readers_are_found_through_readers_in_plan_order():
    assert readers_of(PLAN, BASE) == [READER, SECOND]
    assert readers_of(PLAN, KEYED) == []


def test_the_area_name_fits_an_identifier_and_is_one_per_view():
    long = spec("v" * 63, materialized=True)
    long = ViewSpec(**{**long.__dict__, "schema": "s" * 63})
    assert len(refresh_area(long).encode()) <= MAX_IDENTIFIER_BYTES
    assert refresh_area(BASE) != refresh_area(KEYED)
    assert refresh_area(BASE).startswith("views__orm_refresh_")


def test_as_json_is_what_the_pg_cron_procedure_runs():
    stored = script_for(Q, PLAN, BASE, DIGESTS).as_json()
    assert stored["method"] == "built beside"
    assert stored["count"] == ""
    assert stored["locked"].count(";\n") == 3


def view_class(every: object, materialized: bool = True) -> type:
    bases: tuple[type, ...] = (PostgresViewFromSQL,)
    if materialized:
        bases = (PostgresMaterialisedViewMixin, *bases)
    attributes = {"sql": "SELECT 1 AS one", "refresh_every": every, "__module__": "shop.views"}
    return type("Scheduled", bases, attributes)


def test_refresh_every_is_carried_into_the_plan():
    assert build_spec(view_class(HOUR), "default", lambda s, p: s).refresh_every == HOUR
    assert build_spec(view_class(None), "default", lambda s, p: s).refresh_every is None


@pytest.mark.parametrize(
    ("every", "materialized", "check_id", "says"),
    [
        (HOUR, False, "orm_views.E020", "refresh_every is set, but the view is not materialised"),
        (900, True, "orm_views.E021", "refresh_every must be a datetime.timedelta"),
        (timedelta(seconds=59), True, "orm_views.E022", "refresh_every is 0:00:59, under a minute"),
    ],
)
def test_nonsense_is_refused_naming_the_class(every, materialized, check_id, says):
    with pytest.raises(RefreshScheduleError, match=f"shop.views.Scheduled: {says}") as refused:
        build_spec(view_class(every, materialized), "default", lambda s, p: s)
    assert refused.value.check_id == check_id
