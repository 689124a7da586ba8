"""Readable views of every kind.

The first four are the original package's readable test views, unchanged but for the import
line and the table name.
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, OuterRef
from django.utils.functional import classproperty

from django_orm_views_hook import (
    PostgresMaterialisedViewMixin,
    ReadableViewFromQueryset,
    ReadableViewFromSQL,
)
from tests.testapp.models import Customer
from tests.testapp.models import TestModelWithForeignKey as CustomerLinkRow

from .models import TestModel, TestModelWithForeignKey

# -----------------------------------------------------------------------------
# The original package's readable views
# -----------------------------------------------------------------------------


class ReadableTestViewFromQueryset(ReadableViewFromQueryset):
    id = models.IntegerField(primary_key=True)
    character_col = models.CharField(max_length=100)

    @classmethod
    def get_queryset(cls) -> models.QuerySet:
        return TestModel.objects.values("id", "character_col")


class ReadableTestViewFromSQL(ReadableViewFromSQL):
    id = models.IntegerField(primary_key=True)
    character_col = models.CharField(max_length=100)

    @classproperty
    def sql(cls) -> str:
        return """
            SELECT "id", "character_col" FROM readableapp_testmodel
        """


class ReadableTestViewWithNullableForeignKeys(ReadableViewFromQueryset):
    view_dependencies = [ReadableTestViewFromSQL]
    id = models.IntegerField(primary_key=True)
    model_foreign_key = models.ForeignKey(
        TestModel,
        on_delete=models.DO_NOTHING,
        related_name="nullable_test_view_foreign_key",
        null=True,
    )
    view_foreign_key = models.ForeignKey(
        ReadableTestViewFromSQL,
        on_delete=models.DO_NOTHING,
        related_name="nullable_test_view_foreign_key",
        null=True,
    )
    one_to_one_model_field = models.OneToOneField(
        TestModel,
        on_delete=models.DO_NOTHING,
        related_name="nullable_test_view_one_to_one_field",
        null=True,
    )
    one_to_one_view_field = models.OneToOneField(
        ReadableTestViewFromSQL,
        on_delete=models.DO_NOTHING,
        related_name="nullable_test_view_one_to_one_field",
        null=True,
    )

    @classmethod
    def get_queryset(cls) -> models.QuerySet:
        return TestModelWithForeignKey.objects.annotate(
            model_foreign_key_id=F("foreign_key"),
            view_foreign_key_id=ReadableTestViewFromSQL.objects.filter(
                id=OuterRef("foreign_key")
            ).values("id")[:1],
            one_to_one_view_field_id=ReadableTestViewFromSQL.objects.filter(
                id=OuterRef("foreign_key")
            ).values("id")[:1],
            one_to_one_model_field_id=TestModel.objects.filter(id=OuterRef("foreign_key")).values(
                "id"
            )[:1],
        ).values(
            "id",
            "model_foreign_key_id",
            "view_foreign_key_id",
            "one_to_one_view_field_id",
            "one_to_one_model_field_id",
        )


class ReadableTestViewWithNotNullableForeignKeys(ReadableViewFromQueryset):
    view_dependencies = [ReadableTestViewFromSQL]

    id = models.IntegerField(primary_key=True)
    model_foreign_key = models.ForeignKey(
        TestModel,
        on_delete=models.DO_NOTHING,
        related_name="test_view_foreign_key",
    )
    view_foreign_key = models.ForeignKey(
        ReadableTestViewFromSQL, on_delete=models.DO_NOTHING, related_name="test_view_foreign_key"
    )
    one_to_one_model_field = models.OneToOneField(
        TestModel, on_delete=models.DO_NOTHING, related_name="test_view_one_to_one_field"
    )
    one_to_one_view_field = models.OneToOneField(
        ReadableTestViewFromSQL,
        on_delete=models.DO_NOTHING,
        related_name="test_view_one_to_one_field",
    )

    @classmethod
    def get_queryset(cls) -> models.QuerySet:
        return TestModelWithForeignKey.objects.annotate(
            model_foreign_key_id=F("foreign_key"),
            view_foreign_key_id=ReadableTestViewFromSQL.objects.filter(
                id=OuterRef("foreign_key")
            ).values("id")[:1],
            one_to_one_view_field_id=ReadableTestViewFromSQL.objects.filter(
                id=OuterRef("foreign_key")
            ).values("id")[:1],
            one_to_one_model_field_id=TestModel.objects.filter(id=OuterRef("foreign_key")).values(
                "id"
            )[:1],
        ).values(
            "id",
            "model_foreign_key_id",
            "view_foreign_key_id",
            "one_to_one_view_field_id",
            "one_to_one_model_field_id",
        )


# -----------------------------------------------------------------------------
# Beyond the original: custom Meta, materialised, string keys, models of another app
# -----------------------------------------------------------------------------


class ItemTotals(PostgresMaterialisedViewMixin, ReadableViewFromQueryset):
    """Materialised, with Meta.indexes; its primary key gets the unique index by default."""

    prefix = "readable"
    id = models.BigIntegerField(primary_key=True)
    character_col = models.CharField(max_length=100)
    integer_col = models.IntegerField()
    doubled = models.IntegerField()

    class Meta:
        ordering = ["-integer_col", "id"]
        verbose_name = "item total"
        verbose_name_plural = "item totals"
        indexes = [
            models.Index(fields=["character_col"]),
            models.Index(fields=["integer_col", "-doubled"], name="readable_item_int_idx"),
        ]

    @classmethod
    def get_queryset(cls) -> models.QuerySet:
        return TestModel.objects.annotate(doubled=F("integer_col") * 2).values(
            "id", "character_col", "integer_col", "doubled"
        )


class CityCustomers(ReadableViewFromSQL):
    """A string primary key, an explicit view name, and a custom Meta."""

    name = "readable_city_customers"
    city = models.CharField(max_length=100, primary_key=True, verbose_name="city of delivery")
    customers = models.IntegerField(help_text="Customers living there; names are not shown.")

    class Meta:
        ordering = ["city"]
        verbose_name = "customers per city"
        verbose_name_plural = "customers per city"

    sql = "SELECT city, count(*)::integer AS customers FROM testapp_customer GROUP BY city"


class CustomerLinks(ReadableViewFromQueryset):
    """Keys to a model of another app and to a readable view with a string key."""

    prefix = "readable"
    id = models.BigIntegerField(primary_key=True)
    customer = models.ForeignKey(
        Customer, on_delete=models.DO_NOTHING, null=True, related_name="readable_links"
    )
    city = models.ForeignKey(
        CityCustomers,
        on_delete=models.DO_NOTHING,
        null=True,
        db_column="city",
        related_name="links",
    )

    @classmethod
    def get_queryset(cls) -> models.QuerySet:
        return CustomerLinkRow.objects.annotate(city=F("customer__city")).values(
            "id", "customer_id", "city"
        )
