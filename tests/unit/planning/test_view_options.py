"""security_barrier and security_invoker: defaults, overrides and refusals, before any SQL."""

from __future__ import annotations

import pytest

from django_orm_views_hook import (
    HiddenViewMixin,
    PostgresMaterialisedViewMixin,
    PostgresViewFromSQL,
)
from django_orm_views_hook.exceptions import ViewDefinitionError
from django_orm_views_hook.planning.order import build_plan
from django_orm_views_hook.sql import ddl
from django_orm_views_hook.sync import safety

Q = ddl.Quoting(name=lambda value: f"<{value}>", literal=lambda value: f"[{value}]")


def view(*bases, **attributes):
    attributes = {"sql": "SELECT 1 AS one", "__module__": "shop.views", **attributes}
    return type("Report", (*bases, PostgresViewFromSQL), attributes)


def create(cls, roles=("analyst",)) -> str:
    (spec,) = build_plan([cls], "default", roles=roles, inline=lambda s, p: s).views
    return ddl.create_view(Q, spec)[0].sql


def test_views_granted_to_the_read_roles_are_security_barriers():
    assert create(view()).startswith("CREATE VIEW <views>.<report> WITH (security_barrier) AS")


@pytest.mark.parametrize(
    ("cls", "roles"),
    [
        (view(), ()),  # granted to nobody
        (view(HiddenViewMixin), ("analyst",)),  # never granted
        (view(security_barrier=False), ("analyst",)),  # turned off
        (view(PostgresMaterialisedViewMixin), ("analyst",)),  # stores only its own rows
    ],
    ids=["no roles", "hidden", "off", "materialised"],
)
def test_no_barrier(cls, roles):
    assert " WITH (" not in create(cls, roles)


def test_both_options_on_request():
    cls = view(security_barrier=True, security_invoker=True)
    assert " WITH (security_barrier, security_invoker) AS" in create(cls, roles=())
    assert " WITH (security_invoker) AS" in create(view(security_invoker=True), roles=())


@pytest.mark.parametrize(
    ("attributes", "message"),
    [
        ({"security_barrier": "yes"}, "security_barrier must be True, False or None, not 'yes'"),
        ({"security_invoker": 1}, "security_invoker must be True, False or None, not 1"),
    ],
)
def test_options_must_be_booleans(attributes, message):
    with pytest.raises(ViewDefinitionError, match=f"^shop.views.Report: {message}"):
        create(view(**attributes))


@pytest.mark.parametrize("option", ["security_barrier", "security_invoker"])
def test_options_are_refused_on_a_materialised_view(option):
    cls = view(PostgresMaterialisedViewMixin, **{option: True})
    with pytest.raises(ViewDefinitionError, match=f"^shop.views.Report: {option} applies to"):
        create(cls)
    assert create(view(PostgresMaterialisedViewMixin, **{option: False}))


def test_security_invoker_is_refused_before_postgresql_15_naming_the_class():
    plan = build_plan([view(security_invoker=True)], "default", inline=lambda s, p: s)
    safety.check_server(plan, 150000)
    with pytest.raises(ViewDefinitionError) as excinfo:
        safety.check_server(plan, 140011)
    assert str(excinfo.value).startswith("shop.views.Report: security_invoker needs PostgreSQL 15")
    assert 'database "default" runs 14' in str(excinfo.value)
    safety.check_server(build_plan([view()], "default", inline=lambda s, p: s), 130000)
