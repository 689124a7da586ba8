"""The reference views of the test project: one of every kind the package supports."""

import datetime
from decimal import Decimal

from django.db.models import F
from django.utils.functional import classproperty

from django_orm_views_hook import (
    HiddenViewMixin,
    PostgresMaterialisedViewMixin,
    PostgresViewFromQueryset,
    PostgresViewFromSQL,
)

from .models import TestModel, TestModelWithForeignKey

PARIS = datetime.timezone(datetime.timedelta(hours=2))


class SimpleViewFromQueryset(PostgresViewFromQueryset):
    prefix = "test"

    @classmethod
    def get_queryset(cls):
        return TestModel.objects.values()


class ComplexViewFromQueryset(PostgresViewFromQueryset):
    prefix = "test"

    def get_queryset(self):  # a plain method, as in the original package's README
        return (
            TestModelWithForeignKey.objects.all()
            .annotate(double_integer_col=F("foreign_key__integer_col") * 2)
            .values(
                "id",
                "foreign_key__id",
                "foreign_key__integer_col",
                "foreign_key__character_col",
                "foreign_key__date_col",
                "foreign_key__datetime_col",
                "double_integer_col",
            )
        )


class ModelQuerysetView(PostgresViewFromQueryset):
    """A queryset without .values(): every column of the model."""

    prefix = "test"

    @classmethod
    def get_queryset(cls):
        return TestModel.objects.filter(integer_col__gte=0)


class ParametersView(PostgresViewFromQueryset):
    """Parameters of every awkward type, inlined exactly as the ORM binds them."""

    name = "test_parameters"

    @classmethod
    def get_queryset(cls):
        return TestModel.objects.filter(
            date_col__gte=datetime.date(2024, 1, 31),
            datetime_col__lt=datetime.datetime(2030, 6, 1, 12, 30, tzinfo=PARIS),
            decimal_col__lte=Decimal("1234.56"),
            character_col__in=["it's", 'say "hi"', "back\\slash", "plain", "100%"],
        ).values("id", "character_col")


class SimpleViewFromSQL(PostgresViewFromSQL):
    prefix = "test"
    sql = """
        SELECT * FROM testapp_testmodel
    """


class ComplexViewFromSQL(PostgresViewFromSQL):
    prefix = "test"

    @classproperty
    def sql(cls):
        return """
            SELECT b.id AS b__id, a.*, a.integer_col * 2 AS double_integer_col
            FROM testapp_testmodel a
            LEFT JOIN testapp_testmodelwithforeignkey b ON a.id = b.foreign_key_id
        """


class DependentView(PostgresViewFromSQL):
    prefix = "test"
    view_dependencies = [SimpleViewFromSQL]
    sql = 'SELECT id, integer_col FROM "views"."test_simpleviewfromsql" WHERE integer_col > 1'


class SecondLevelDependentView(PostgresViewFromSQL):
    prefix = "test"
    view_dependencies = [DependentView]
    sql = 'SELECT id FROM "views"."test_dependentview"'


class SimpleMaterializedView(PostgresMaterialisedViewMixin, PostgresViewFromQueryset):
    prefix = "test"
    pk_field = "id"

    @classmethod
    def get_queryset(cls):
        return TestModel.objects.values()


class EmptyMaterializedView(PostgresMaterialisedViewMixin, PostgresViewFromSQL):
    prefix = "test"
    with_data = False
    sql = "SELECT id, integer_col FROM testapp_testmodel"


class HiddenView(HiddenViewMixin, PostgresViewFromSQL):
    prefix = "test"
    sql = "SELECT id, name, email FROM testapp_customer"


class CityCounts(PostgresViewFromSQL):
    """Customers per city, without names or emails."""

    name = "customer_cities"
    sql = "SELECT city, count(*) AS customers FROM testapp_customer GROUP BY city"


class OtherDatabaseView(PostgresViewFromSQL):
    database = "other"
    sql = "SELECT id, integer_col FROM testapp_testmodel"
