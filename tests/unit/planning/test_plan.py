"""build_plan: validation and dependency order, before any SQL runs (no database)."""

from __future__ import annotations

import pytest
from django.db.models import F

from django_orm_views_hook import PostgresViewFromQueryset, PostgresViewFromSQL
from django_orm_views_hook.exceptions import DependencyError, ViewDefinitionError
from django_orm_views_hook.planning.order import build_plan
from tests.testapp import models


def keep(sql, params):
    return sql


def percent_format(sql, params):
    """What a driver does when it inlines parameters: `%s` filled, `%%` unescaped."""
    return sql % tuple(f"<{param}>" for param in params)


def sql_view(class_name: str, sql: object = "SELECT 1 AS one", **attrs) -> type:
    return type(class_name, (PostgresViewFromSQL,), {"sql": sql, **attrs})


def labels(plan) -> list[str]:
    return [view.label.rsplit(".", 1)[1] for view in plan.views]


class Base(PostgresViewFromSQL):
    sql = "SELECT 1 AS id"


class Middle(PostgresViewFromSQL):
    view_dependencies = [Base]
    sql = 'SELECT id FROM "views"."base"'


class Top(PostgresViewFromSQL):
    view_dependencies = [Middle, Base]
    sql = 'SELECT id FROM "views"."middle"'


class Independent(PostgresViewFromSQL):
    sql = "SELECT 2 AS id"


# --- ordering -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "given",
    [[Top, Middle, Base], [Base, Middle, Top], [Middle, Top, Base]],
    ids=["reversed", "sorted", "mixed"],
)
def test_dependencies_come_first_whatever_the_input_order(given):
    assert labels(build_plan(given, "default", inline=keep)) == ["Base", "Middle", "Top"]


def test_order_is_deterministic_and_keeps_discovery_order_for_independent_views():
    given = [Independent, Top, Middle, Base]
    orders = {tuple(labels(build_plan(given, "default", inline=keep))) for _ in range(5)}
    assert orders == {("Independent", "Base", "Middle", "Top")}


def test_spec_records_dependencies_as_schema_and_name():
    plan = build_plan([Top, Middle, Base], "default", inline=keep)
    top = plan.by_label(f"{__name__}.Top")
    assert top.dependencies == (("views", "middle"), ("views", "base"))
    assert plan.by_label(f"{__name__}.Base").dependencies == ()


def test_plan_lists_schemas_in_first_use_order():
    elsewhere = sql_view("Elsewhere", schema="reports")
    plan = build_plan([Base, elsewhere, Independent], "default", inline=keep)
    assert plan.schemas == ("views", "reports")


def test_roles_are_deduplicated_in_order():
    plan = build_plan([Base], "default", roles=["b", "a", "b"], inline=keep)
    assert plan.roles == ("b", "a")


# --- dependency errors -------------------------------------------------------------------


def test_cycle_names_every_class_in_it():
    first = sql_view("CycleFirst")
    second = sql_view("CycleSecond", view_dependencies=[first])
    first.view_dependencies = [second]
    with pytest.raises(DependencyError, match="cycle") as excinfo:
        build_plan([first, second, Base], "default", inline=keep)
    assert f"{__name__}.CycleFirst" in str(excinfo.value)
    assert f"{__name__}.CycleSecond" in str(excinfo.value)


def test_self_dependency_is_a_cycle():
    selfish = sql_view("Selfish")
    selfish.view_dependencies = [selfish]
    with pytest.raises(DependencyError, match=rf"cycle: {__name__}\.Selfish"):
        build_plan([selfish], "default", inline=keep)


def test_dependency_on_a_model_is_refused():
    reader = sql_view("ReadsAModel", view_dependencies=[models.TestModel])
    with pytest.raises(DependencyError, match=r"ReadsAModel: view_dependencies names .*TestModel"):
        build_plan([reader], "default", inline=keep)


def test_dependency_on_an_unregistered_view_is_refused():
    with pytest.raises(DependencyError) as excinfo:
        build_plan([Middle], "default", inline=keep)
    message = str(excinfo.value)
    assert message.startswith(f"{__name__}.Middle: ")
    assert "Base" in message and "not a view registered" in message


def test_dependency_as_a_string_is_refused():
    reader = sql_view("StringDependency", view_dependencies="views.base")
    with pytest.raises(DependencyError, match="StringDependency: view_dependencies must be a list"):
        build_plan([reader], "default", inline=keep)


def test_dependency_across_databases_is_refused():
    other = sql_view("OnOther", database="other")
    reader = sql_view("CrossReader", view_dependencies=[other])
    with pytest.raises(DependencyError) as excinfo:
        build_plan([reader], "default", inline=keep)
    message = str(excinfo.value)
    assert f"{__name__}.CrossReader" in message
    assert f"{__name__}.OnOther" in message
    assert '"other"' in message


# --- definition errors -------------------------------------------------------------------


def test_duplicate_names_name_both_classes():
    one = sql_view("One", name="same")
    two = sql_view("Two", name="same")
    with pytest.raises(ViewDefinitionError) as excinfo:
        build_plan([one, two], "default", inline=keep)
    assert f"{__name__}.One" in str(excinfo.value)
    assert f"{__name__}.Two" in str(excinfo.value)
    assert '"views"."same"' in str(excinfo.value)


def test_same_name_in_two_schemas_is_fine():
    one = sql_view("One", name="same")
    two = sql_view("Two", name="same", schema="other_schema")
    assert len(build_plan([one, two], "default", inline=keep).views) == 2


def test_name_of_63_bytes_is_accepted_and_64_refused():
    fits = sql_view("Fits", name="x" * 63)
    assert build_plan([fits], "default", inline=keep).views[0].name == "x" * 63
    too_long = sql_view("TooLong", prefix="p" * 60)
    with pytest.raises(ViewDefinitionError, match=r"TooLong: view name .* is 68 bytes long"):
        build_plan([too_long], "default", inline=keep)


def test_name_length_counts_bytes_not_characters():
    accented = sql_view("Accented", name="é" * 32)  # 32 characters, 64 bytes
    with pytest.raises(ViewDefinitionError, match="Accented: view name .* 64 bytes"):
        build_plan([accented], "default", inline=keep)


@pytest.mark.parametrize(
    ("attrs", "what"),
    [
        ({"name": 'say "hi"'}, "view name"),
        ({"prefix": 'a"b'}, "view name"),
        ({"schema": 'my"schema'}, "schema"),
        ({"name": "nul\x00byte"}, "view name"),
    ],
)
def test_identifiers_that_quoting_cannot_make_safe_are_refused(attrs, what):
    bad = sql_view("BadIdentifier", **attrs)
    with pytest.raises(ViewDefinitionError, match=f"BadIdentifier: {what}"):
        build_plan([bad], "default", inline=keep)


def test_pk_field_and_roles_are_checked_too():
    from django_orm_views_hook import PostgresMaterialisedViewMixin

    bad_pk = type(
        "BadPk",
        (PostgresMaterialisedViewMixin, PostgresViewFromSQL),
        {"sql": "SELECT 1 AS id", "pk_field": 'i"d'},
    )
    with pytest.raises(ViewDefinitionError, match="BadPk: pk_field"):
        build_plan([bad_pk], "default", inline=keep)
    with pytest.raises(ViewDefinitionError, match="ORM_VIEWS_GRANT_SELECT_TO: role"):
        build_plan([Base], "default", roles=['bad"role'], inline=keep)


@pytest.mark.parametrize(
    "schema", ["public", "information_schema", "pg_catalog", "pg_toast", "pg_temp_3"]
)
def test_reserved_schemas_are_refused(schema):
    bad = sql_view("InReserved", schema=schema)
    with pytest.raises(ViewDefinitionError, match=f"InReserved: schema '{schema}' is reserved"):
        build_plan([bad], "default", inline=keep)


def test_reserved_setting_schema_names_the_class():
    from django.test.utils import override_settings

    with (
        override_settings(ORM_VIEWS_SCHEMA="public"),
        pytest.raises(ViewDefinitionError, match=r"\.Base: schema 'public'"),
    ):
        build_plan([Base], "default", inline=keep)


@pytest.mark.parametrize("sql", ["SELECT 1;", "SELECT 1 ;\n  ", "\n SELECT 1;\n"])
def test_sql_with_trailing_semicolon_is_refused(sql):
    bad = sql_view("Semicolon", sql=sql)
    with pytest.raises(ViewDefinitionError, match="Semicolon: `sql` ends with a semicolon"):
        build_plan([bad], "default", inline=keep)


@pytest.mark.parametrize("sql", [None, "", "   ", 42])
def test_missing_or_non_string_sql_is_refused(sql):
    bad = sql_view("NoSql", sql=sql)
    with pytest.raises(ViewDefinitionError, match="NoSql: `sql` must be a non-empty SELECT"):
        build_plan([bad], "default", inline=keep)


def test_concrete_class_without_sql_suggests_abstract():
    class ForgotAbstract(PostgresViewFromSQL):
        pass

    with pytest.raises(ViewDefinitionError, match="ForgotAbstract: .*abstract = True"):
        build_plan([ForgotAbstract], "default", inline=keep)


def test_with_data_must_be_a_bool():
    bad = sql_view("BadWithData", with_data="no")
    with pytest.raises(ViewDefinitionError, match="BadWithData: with_data"):
        build_plan([bad], "default", inline=keep)


# --- querysets --------------------------------------------------------------------------


def queryset_view(class_name: str, get_queryset) -> type:
    return type(
        class_name, (PostgresViewFromQueryset,), {"get_queryset": classmethod(get_queryset)}
    )


@pytest.mark.parametrize(
    ("returned", "type_name"),
    [
        (lambda cls: list(models.TestModel.objects.none()), "list"),
        (lambda cls: models.TestModel.objects, "Manager"),
        (lambda cls: None, "NoneType"),
        (lambda cls: "SELECT 1", "str"),
    ],
)
def test_get_queryset_must_return_a_queryset(returned, type_name):
    bad = queryset_view("NotAQueryset", returned)
    with pytest.raises(
        ViewDefinitionError,
        match=f"NotAQueryset: get_queryset.. must return a QuerySet, not {type_name}",
    ):
        build_plan([bad], "default", inline=keep)


def test_get_queryset_that_raises_names_the_class():
    def explode(cls):
        raise LookupError("no such thing")

    with pytest.raises(ViewDefinitionError, match="Exploding: get_queryset.. raised LookupError"):
        build_plan([queryset_view("Exploding", explode)], "default", inline=keep)


def test_missing_get_queryset_names_the_class():
    class NoQueryset(PostgresViewFromQueryset):
        pass

    with pytest.raises(
        ViewDefinitionError, match="NoQueryset: get_queryset.. raised NotImplemented"
    ):
        build_plan([NoQueryset], "default", inline=keep)


def test_queryset_that_does_not_compile_names_the_class():
    bad = queryset_view("BadLookup", lambda cls: models.TestModel.objects.filter(no_such_field=1))
    with pytest.raises(ViewDefinitionError, match="BadLookup: get_queryset.. raised FieldError"):
        build_plan([bad], "default", inline=keep)


def test_queryset_parameters_go_through_inline():
    seen = []

    def inline(sql, params):
        seen.append((sql, tuple(params)))
        return percent_format(sql, params)

    view = queryset_view(
        "Filtered", lambda cls: models.TestModel.objects.filter(integer_col=7).values("id")
    )
    spec = build_plan([view], "default", inline=inline).views[0]
    assert len(seen) == 1 and seen[0][1] == (7,)
    assert spec.query.endswith('WHERE "testapp_testmodel"."integer_col" = <7>')


def test_queryset_without_parameters_is_unescaped_like_one_with():
    """Django doubles literal % in SQL it compiles; only the driver's inlining undoes that."""
    view = queryset_view(
        "ContainsColumn",
        lambda cls: models.Customer.objects.filter(name__contains=F("city")).values("id"),
    )
    query = build_plan([view], "default", inline=percent_format).views[0].query
    assert "%%" not in query
    assert "LIKE '%' ||" in query


def test_queryset_that_matches_nothing_compiles_to_an_empty_view():
    """An empty `__in` list is a valid queryset: the view is empty, as the ORM's result."""
    view = queryset_view(
        "Nothing", lambda cls: models.TestModel.objects.filter(id__in=[]).values("id")
    )
    query = build_plan([view], "default", inline=percent_format).views[0].query
    assert query.startswith('SELECT "testapp_testmodel"."id"')
    assert "WHERE 0 = 1" in query
