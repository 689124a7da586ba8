"""Naming: the original package's names, explicit names, schemas and labels (no database)."""

from __future__ import annotations

import pytest
from django.test.utils import override_settings
from django.utils.functional import classproperty

from django_orm_views_hook import (
    HiddenViewMixin,
    PostgresMaterialisedViewMixin,
    PostgresViewFromQueryset,
    PostgresViewFromSQL,
)
from django_orm_views_hook.definitions.naming import label, view_name, view_schema
from django_orm_views_hook.definitions.views import is_view_class
from django_orm_views_hook.planning.order import build_plan
from tests.testapp import postgres_views as testapp_views


def keep(sql, params):
    """Inline nothing: the specs below are compared on names, not on SQL."""
    return sql


class SimpleViewFromSQL(PostgresViewFromSQL):
    prefix = "test"
    sql = "SELECT 1 AS one"


class Unprefixed(PostgresViewFromSQL):
    sql = "SELECT 1 AS one"


class Named(PostgresViewFromSQL):
    prefix = "ignored"
    name = "chosen_name"
    sql = "SELECT 1 AS one"


class InOwnSchema(PostgresViewFromSQL):
    schema = "analytics"
    sql = "SELECT 1 AS one"


class PrefixedChild(SimpleViewFromSQL):
    """Inherits the prefix, not the parent's name."""


class MixedCase(PostgresViewFromSQL):
    name = "MixedCase View"
    sql = "SELECT 1 AS one"


def test_original_package_naming():
    assert SimpleViewFromSQL.name == "test_simpleviewfromsql"
    assert SimpleViewFromSQL.name_with_schema == "views.test_simpleviewfromsql"


def test_no_prefix_is_the_lower_cased_class_name():
    assert Unprefixed.name == "unprefixed"
    assert Unprefixed.name_with_schema == "views.unprefixed"


def test_explicit_name_overrides_prefix_and_class_name():
    assert Named.name == "chosen_name"
    assert Named.name_with_schema == "views.chosen_name"
    assert view_name(Named) == "chosen_name"


def test_prefix_is_inherited_and_the_name_follows_the_subclass():
    assert PrefixedChild.name == "test_prefixedchild"


def test_class_schema_wins_over_the_setting():
    with override_settings(ORM_VIEWS_SCHEMA="elsewhere"):
        assert InOwnSchema.name_with_schema == "analytics.inownschema"
        assert view_schema(InOwnSchema) == "analytics"


def test_setting_schema_is_read_at_call_time():
    with override_settings(ORM_VIEWS_SCHEMA="reporting"):
        assert Unprefixed.name_with_schema == "reporting.unprefixed"
        assert build_plan([Unprefixed], "default", inline=keep).views[0].schema == "reporting"
    assert Unprefixed.name_with_schema == "views.unprefixed"


def test_names_are_kept_as_written_in_the_plan():
    spec = build_plan([MixedCase], "default", inline=keep).views[0]
    assert (spec.schema, spec.name) == ("views", "MixedCase View")


def test_plan_keys_use_the_same_names():
    plan = build_plan([SimpleViewFromSQL, Named, InOwnSchema], "default", inline=keep)
    assert [view.key for view in plan.views] == [
        ("views", "test_simpleviewfromsql"),
        ("views", "chosen_name"),
        ("analytics", "inownschema"),
    ]


def test_testapp_views_keep_the_original_names():
    assert testapp_views.SimpleViewFromSQL.name_with_schema == "views.test_simpleviewfromsql"
    assert testapp_views.ComplexViewFromQueryset.name == "test_complexviewfromqueryset"
    assert testapp_views.ParametersView.name == "test_parameters"
    assert testapp_views.CityCounts.name == "customer_cities"


def test_sql_as_classproperty_and_as_property():
    class FromClassProperty(PostgresViewFromSQL):
        @classproperty
        def sql(cls):  # noqa: N805 - classproperty passes the class
            return "SELECT 2 AS two"

    class FromProperty(PostgresViewFromSQL):
        @property
        def sql(self):
            return "SELECT 3 AS three"

    plan = build_plan([FromClassProperty, FromProperty], "default", inline=keep)
    assert [view.query for view in plan.views] == ["SELECT 2 AS two", "SELECT 3 AS three"]


def test_label_names_module_and_class():
    assert label(SimpleViewFromSQL) == f"{__name__}.SimpleViewFromSQL"
    assert build_plan([Named], "default", inline=keep).views[0].label == f"{__name__}.Named"


class AbstractBase(PostgresViewFromSQL):
    abstract = True
    prefix = "base"


class ConcreteFromAbstract(AbstractBase):
    sql = "SELECT 1 AS one"


def test_abstract_classes_are_not_views_and_their_subclasses_are():
    assert not is_view_class(AbstractBase)
    assert is_view_class(ConcreteFromAbstract)
    assert ConcreteFromAbstract.name == "base_concretefromabstract"
    for base in (PostgresViewFromSQL, PostgresViewFromQueryset):
        assert not is_view_class(base)
    assert not is_view_class(HiddenViewMixin)
    assert not is_view_class(PostgresMaterialisedViewMixin)


@pytest.mark.parametrize(
    "bases",
    [
        (PostgresMaterialisedViewMixin, PostgresViewFromSQL),
        (PostgresViewFromSQL, PostgresMaterialisedViewMixin),
    ],
    ids=["mixin-first", "mixin-last"],
)
def test_materialised_mixin_works_in_either_base_order(bases):
    cls = type("Materialised", bases, {"sql": "SELECT 1 AS id", "pk_field": "id"})
    spec = build_plan([cls], "default", inline=keep).views[0]
    assert cls.materialized is True
    assert (spec.materialized, spec.pk_field, spec.with_data) == (True, "id", True)


@pytest.mark.parametrize(
    "bases",
    [(HiddenViewMixin, PostgresViewFromSQL), (PostgresViewFromSQL, HiddenViewMixin)],
    ids=["mixin-first", "mixin-last"],
)
def test_hidden_mixin_works_in_either_base_order(bases):
    """A hidden view listed after its base must not end up granted to the read roles."""
    cls = type("Personal", bases, {"sql": "SELECT 1 AS id"})
    plan = build_plan([cls], "default", roles=["reader"], inline=keep)
    assert cls.hidden is True
    assert plan.views[0].hidden is True


def test_explicit_attribute_beats_the_mixin():
    class ShownAfterAll(HiddenViewMixin, PostgresViewFromSQL):
        hidden = False
        sql = "SELECT 1 AS id"

    class ShownChild(ShownAfterAll):
        pass

    assert ShownAfterAll.hidden is False
    assert ShownChild.hidden is False
