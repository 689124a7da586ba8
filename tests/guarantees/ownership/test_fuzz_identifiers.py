"""Random names, prefixes and schemas: a clean refusal or exactly that view, nothing else."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from django_orm_views_hook import PostgresViewFromSQL, sync_views
from django_orm_views_hook.definitions.registry import Registry, default_registry
from django_orm_views_hook.exceptions import OrmViewsError
from tests.support.catalog import catalog

pytestmark = pytest.mark.django_db(transaction=True)

# Quotes, spaces, case, SQL punctuation, non-ASCII, NUL; sometimes too long for PostgreSQL.
IDENTIFIER = st.text(
    alphabet=st.sampled_from(list("aZ_09 \"';-.()$\\é名\x00")) | st.characters(),
    min_size=1,
    max_size=40,
)

RELATIONS_SQL = """
SELECT n.nspname, c.relname, c.relkind FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
"""


def relations() -> set[tuple[str, str, str]]:
    return set(catalog(RELATIONS_SQL))


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    name=st.none() | IDENTIFIER,
    prefix=st.none() | IDENTIFIER,
    schema=st.none() | IDENTIFIER,
)
def test_random_identifiers(name, prefix, schema):
    attributes = {"sql": "SELECT 1 AS one", "__module__": __name__}
    for key, value in (("name", name), ("prefix", prefix), ("schema", schema)):
        if value is not None:
            attributes[key] = value
    fuzzed = type("FuzzedView", (PostgresViewFromSQL,), attributes)
    baseline = list(default_registry.for_database("default"))
    sync_views(using="default", registry=Registry(baseline))  # drops the last example's view
    before = relations()
    registry = Registry([*baseline, fuzzed])
    try:
        sync_views(using="default", registry=registry)
    except OrmViewsError:
        assert relations() == before  # refused: nothing changed at all
        return
    target_schema = schema or "views"
    target_name = name or (f"{prefix}_fuzzedview" if prefix else "fuzzedview")
    after = relations()
    assert (target_schema, target_name, "v") in after
    assert after - {(target_schema, target_name, "v")} == before  # nothing else changed
    assert catalog(f"SELECT one FROM {_quoted(target_schema)}.{_quoted(target_name)}") == [(1,)]


def _quoted(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'
