"""The lock table's arithmetic: what a sync takes, whether it fits, what to replace in place.

No database: the capacity and the managed schemas' contents are given as data. The entries per
view were measured (benchmarks/locks.py); tests/guarantees/locks_and_readers/test_lock_capacity.py
checks the estimate against a real server's lock table.
"""

from __future__ import annotations

import pytest

from django_orm_views_hook.exceptions import LockCapacityError
from django_orm_views_hook.planning.lock_entries import (
    CREATE_ENTRIES,
    DROP_ENTRIES,
    OVERHEAD_ENTRIES,
    REPLACE_ENTRIES,
    TOAST_ENTRIES,
    Capacity,
    entries,
    in_place_to_fit,
)
from django_orm_views_hook.planning.plan import Plan, ViewSpec
from django_orm_views_hook.planning.state import Contents, ForeignDependent, Relation


def spec(name, **options):
    return ViewSpec(label=f"app.{name}", schema="views", name=name, query="SELECT 1", **options)


def relation(oid, name, kind="v"):
    return Relation(oid, "views", name, kind, marked=True)


def contents(*relations, foreign=(), read_elsewhere=0):
    return Contents(
        relations=relations,
        views_in_drop_order=relations,
        outside_dependents=(),
        dependents={},
        other_objects=(),
        foreign_dependents=foreign,
        read_elsewhere=read_elsewhere,
    )


def test_the_entries_of_each_kind_of_view():
    assert entries([], []) == OVERHEAD_ENTRIES
    assert entries([], [], tables_read=7) == OVERHEAD_ENTRIES + 7
    assert entries([(False, 0)], []) == OVERHEAD_ENTRIES + DROP_ENTRIES
    # A materialised view's indexes and TOAST table go with it.
    assert entries([(True, 2)], []) == OVERHEAD_ENTRIES + DROP_ENTRIES + 2 + TOAST_ENTRIES
    assert entries([], [spec("v")]) == OVERHEAD_ENTRIES + CREATE_ENTRIES
    materialized = spec("m", materialized=True, pk_field="id", indexes=("CREATE INDEX ...",))
    assert entries([], [materialized]) == OVERHEAD_ENTRIES + CREATE_ENTRIES + 2 + TOAST_ENTRIES


def test_the_capacity_is_per_transaction_times_the_slots():
    capacity = Capacity(per_transaction=64, processes=110, prepared=0, held=40)
    assert capacity.slots == 110
    assert capacity.fits(64 * 110 - 40)
    assert not capacity.fits(64 * 110 - 39)


def test_the_advice_names_a_value_with_room_for_the_others():
    capacity = Capacity(per_transaction=10, processes=20, prepared=2, held=20)
    message = capacity.explain("default", 1000, "dropping 200 views and creating 200")
    # A quarter more than held + needed, per slot, in steps of 64: 1275 / 22 -> 64.
    assert "max_locks_per_transaction to at least 64" in message
    assert 'database "default": dropping 200 views and creating 200' in message
    assert "holds 220 (max_locks_per_transaction = 10 × 22 server" in message
    assert "Nothing was changed." in message


PLAN = Plan("default", (spec("a"), spec("b"), spec("c")))
THREE = contents(relation(1, "a"), relation(2, "b"), relation(3, "c"))
KEYS = {("views", "a"), ("views", "b"), ("views", "c")}
#: Dropping and creating three plain views: 3 × (4 + 1) entries over the overhead.
REBUILD = OVERHEAD_ENTRIES + 3 * (DROP_ENTRIES + CREATE_ENTRIES)


def capacity_for(entries: int) -> Capacity:
    return Capacity(per_transaction=entries, processes=1, prepared=0, held=0)


def test_a_rebuild_that_fits_replaces_nothing_in_place():
    found = in_place_to_fit(capacity_for(REBUILD), PLAN, THREE, KEYS, PLAN.views, KEYS)
    assert found == set()


def test_one_that_does_not_fit_replaces_the_replaceable_views_in_place():
    in_place = OVERHEAD_ENTRIES + 3 * REPLACE_ENTRIES
    found = in_place_to_fit(capacity_for(in_place), PLAN, THREE, KEYS, PLAN.views, KEYS)
    assert found == KEYS


def test_the_views_that_must_go_still_count_in_full():
    """Only `a` may be replaced in place; `b` and `c` are dropped and created."""
    needed = OVERHEAD_ENTRIES + REPLACE_ENTRIES + 2 * (DROP_ENTRIES + CREATE_ENTRIES)
    replaceable = {("views", "a")}
    assert (
        in_place_to_fit(capacity_for(needed), PLAN, THREE, KEYS, PLAN.views, replaceable)
        == replaceable
    )
    with pytest.raises(LockCapacityError):
        in_place_to_fit(capacity_for(needed - 1), PLAN, THREE, KEYS, PLAN.views, replaceable)


def test_what_fits_neither_way_is_refused_naming_the_rebuild():
    with pytest.raises(LockCapacityError) as refused:
        in_place_to_fit(capacity_for(REBUILD - 1), PLAN, THREE, KEYS, PLAN.views)
    assert "dropping 3 views and creating 3" in str(refused.value)
    assert f"takes about {REBUILD:,} entries" in str(refused.value)


def test_indexes_on_dropped_materialised_views_and_tables_read_elsewhere_count():
    index = ForeignDependent(frozenset({("views", "m")}), "index i on views.m", "i", marked=True)
    found = contents(relation(1, "m", kind="m"), foreign=(index,), read_elsewhere=5)
    needed = OVERHEAD_ENTRIES + 5 + DROP_ENTRIES + 1 + TOAST_ENTRIES
    plan = Plan("default", ())
    keys = {("views", "m")}
    assert in_place_to_fit(capacity_for(needed), plan, found, keys, []) == set()
    with pytest.raises(LockCapacityError):
        in_place_to_fit(capacity_for(needed - 1), plan, found, keys, [])
