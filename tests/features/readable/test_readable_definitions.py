"""Defining readable views: db_table, Meta, and the definitions refused at class creation.

Classes are defined inside `isolate_apps`, so the project's app registry never sees them. They
derive from SQLView, which makes them models of readableapp: this module is in no app.
"""

from __future__ import annotations

import pytest
from django.db import models
from django.test.utils import isolate_apps, override_settings

from django_orm_views_hook import (
    PostgresMaterialisedViewMixin,
    ReadableViewFromQueryset,
    ReadableViewFromSQL,
)
from django_orm_views_hook.definitions.naming import view_schema
from django_orm_views_hook.definitions.readable import ReadOnlyManager
from django_orm_views_hook.definitions.views import is_view_class
from django_orm_views_hook.exceptions import ViewDefinitionError
from django_orm_views_hook.sql import ddl
from django_orm_views_hook.sync.plans import build_plan

SQL = "SELECT 1 AS id"


class SQLView(ReadableViewFromSQL):
    abstract = True

    class Meta:
        abstract = True
        app_label = "readableapp"


@pytest.fixture(autouse=True)
def isolated():
    with isolate_apps("django.contrib.messages", "tests.readableapp"):
        yield


def test_db_table_follows_name_prefix_and_schema():
    class Plain(SQLView):
        sql = SQL

    class Prefixed(SQLView):
        prefix = "shop"
        sql = SQL

    class Named(SQLView):
        name = "order_totals"
        prefix = "ignored"
        schema = "reporting"
        sql = SQL

    assert Plain._meta.db_table == '"views"."plain"'
    assert Prefixed._meta.db_table == '"views"."shop_prefixed"'
    assert Named._meta.db_table == '"reporting"."order_totals"'
    assert Named._meta.original_attrs["db_table"] == '"reporting"."order_totals"'  # for states
    assert (Named._meta.app_label, Named._meta.managed) == ("readableapp", False)


def test_orm_views_schema_is_read_when_the_class_is_created():
    with override_settings(ORM_VIEWS_SCHEMA="analytics"):

        class Imported(SQLView):
            sql = SQL

        assert Imported._meta.db_table == '"analytics"."imported"'
    # Changing the setting later does not move the model (it would for a plain view).
    assert Imported._meta.db_table == '"analytics"."imported"'
    assert view_schema(Imported) == "views"


def test_custom_meta_and_abstract_bases():
    class Base(SQLView):
        id = models.IntegerField(primary_key=True)
        label = models.CharField(max_length=10)

        class Meta(SQLView.Meta):
            abstract = True
            ordering = ["-label"]

    class Child(Base):
        sql = "SELECT 1 AS id, 'a' AS label"

    class Custom(Base):
        sql = "SELECT 1 AS id, 'a' AS label"

        class Meta(Base.Meta):
            verbose_name = "custom row"

    class ViewLevelAbstract(SQLView):
        abstract = True  # the package's own spelling makes the model abstract too

    assert not is_view_class(Base) and not is_view_class(ViewLevelAbstract)
    assert ViewLevelAbstract._meta.abstract
    assert is_view_class(Child) and is_view_class(Custom)
    assert Child._meta.ordering == ["-label"] and Child._meta.managed is False
    assert (Custom._meta.verbose_name, Custom._meta.ordering) == ("custom row", ["-label"])
    assert Custom._meta.db_table == '"views"."custom"'


def test_materialised_views_index_their_primary_key_unless_told_otherwise():
    class Keyed(PostgresMaterialisedViewMixin, SQLView):
        key = models.IntegerField(primary_key=True, db_column="the_key")
        sql = "SELECT 1 AS the_key"

    class Chosen(PostgresMaterialisedViewMixin, SQLView):
        pk_field = "other"
        sql = "SELECT 1 AS id, 2 AS other"

    class Plain(SQLView):
        sql = SQL

    assert Keyed.pk_field == "the_key"
    assert Chosen.pk_field == "other"
    assert getattr(Plain, "pk_field", None) is None


def test_allowed_relations_managers_and_app_labels():
    class Target(SQLView):
        sql = SQL

    class Rows(ReadOnlyManager):
        pass

    class Allowed(SQLView):
        protected = models.ForeignKey(Target, on_delete=models.PROTECT, related_name="+")
        ignored = models.OneToOneField(Target, on_delete=models.DO_NOTHING, related_name="+")
        rows = Rows()
        sql = SQL

        class Meta:
            app_label = "messages"  # installed, and without migrations

    assert Allowed._meta.app_label == "messages"
    assert isinstance(Allowed.rows, Rows)


def define(body: dict, module: str = __name__, name: str = "Refused"):
    """Create a readable view class from `body`, as a class statement would."""
    return type(name, (SQLView,), {"__module__": module, "sql": SQL, **body})


def meta(**options):
    return type("Meta", (SQLView.Meta,), options)


def target():
    return define({}, name="Target")


REFUSED = {
    "db_table": (lambda: {"Meta": meta(db_table="x")}, "Meta.db_table is derived from the view"),
    "managed": (lambda: {"Meta": meta(managed=True)}, "never managed"),
    "proxy": (lambda: {"Meta": meta(proxy=True)}, "proxy readable views are not supported"),
    "cascade": (
        lambda: {"parent": models.ForeignKey(target(), on_delete=models.CASCADE)},
        r"\.parent: on_delete=CASCADE would make deleting a Target delete or update",
    ),
    "cascade to a model defined later": (
        lambda: {"parent": models.ForeignKey("Later", on_delete=models.CASCADE)},
        r"\.parent: on_delete=CASCADE would make deleting a Later delete or update",
    ),
    "set null": (
        lambda: {"parent": models.ForeignKey(target(), null=True, on_delete=models.SET_NULL)},
        "on_delete=SET_NULL",
    ),
    "many to many": (
        lambda: {"tags": models.ManyToManyField(target())},
        r"\.tags: a ManyToManyField needs a table of its own",
    ),
    "writable manager": (
        lambda: {"objects": models.Manager()},
        "manager 'objects' allows writes; derive it from .*ReadOnlyManager",
    ),
    "indexes on a plain view": (
        lambda: {
            "id": models.IntegerField(primary_key=True),
            "Meta": meta(indexes=[models.Index(fields=["id"], name="refused_idx")]),
        },
        "Meta.indexes needs a materialised view",
    ),
    "app without an app config": (
        lambda: {"Meta": meta(app_label="nowhere")},
        'Meta.app_label "nowhere" is not an installed app',
    ),
}


@pytest.mark.parametrize("case", REFUSED.values(), ids=REFUSED.keys())
def test_refused_definitions_name_the_class(case):
    body, message = case
    with pytest.raises(ViewDefinitionError, match=rf"^{__name__}\.Refused.*{message}"):
        define(body())


def test_multi_table_inheritance_is_refused():
    parent = define({}, module="tests.elsewhere")
    with pytest.raises(ViewDefinitionError, match="subclasses tests.elsewhere.Refused, a readable"):
        type("Child", (parent,), {"__module__": __name__})


def test_two_readable_views_of_one_app_with_one_class_name_are_refused():
    """Django would refuse them too, less clearly; two apps may (test_readable_apps.py)."""
    define({}, module="shop.postgres_views")
    with pytest.raises(
        ViewDefinitionError,
        match=(
            r"^billing.postgres_views.Refused: shop.postgres_views.Refused is model "
            r'"readableapp.refused" already; two models of one app need different class names'
        ),
    ):
        define({}, module="billing.postgres_views")


def test_a_readable_view_outside_any_installed_app_is_refused():
    with pytest.raises(
        ViewDefinitionError,
        match=(
            rf"^{__name__}\..*<locals>\.Stray: a readable view is a model, and {__name__} is "
            r"in no installed app\. Define it in an app's views module, or set Meta\.app_label\.$"
        ),
    ):

        class Stray(ReadableViewFromSQL):
            sql = SQL


def test_queryset_views_are_models_too():
    class FromQueryset(ReadableViewFromQueryset):
        class Meta:
            app_label = "readableapp"

        @classmethod
        def get_queryset(cls):
            raise NotImplementedError

    assert FromQueryset._meta.db_table == '"views"."fromqueryset"'
    assert isinstance(FromQueryset.objects, ReadOnlyManager)


def test_meta_indexes_are_built_after_the_materialised_view():
    class Indexed(PostgresMaterialisedViewMixin, SQLView):
        label = models.TextField()
        sql = "SELECT 1 AS id, 'a' AS label"

        class Meta(SQLView.Meta):
            indexes = [models.Index(fields=["-label"], name="indexed_label_idx")]

    [spec] = build_plan([Indexed], "default", inline=lambda sql, params: sql).views
    quoting = ddl.Quoting(name=lambda name: f'"{name}"', literal=lambda value: f"'{value}'")
    assert [statement.sql.split(" ON ")[0] for statement in ddl.create_view(quoting, spec)] == [
        'CREATE MATERIALIZED VIEW "views"."indexed" AS (\nSELECT 1 AS id, \'a\' AS label\n)',
        'CREATE UNIQUE INDEX "indexed_id_uniq"',
        'CREATE INDEX "indexed_label_idx"',
    ]
    assert spec.indexes == ('CREATE INDEX "indexed_label_idx" ON "views"."indexed" ("label" DESC)',)
