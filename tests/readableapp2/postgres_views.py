"""A second app with readable views: the project as django-orm-views users bring it.

`CityCustomers` has the class name of a readableapp view. `Legacy` was created by this app's
first migration, as django-orm-views required (`CreateModel(..., options={"managed": False})`),
with options that have changed since.
"""

from __future__ import annotations

from django.db import models

from django_orm_views_hook import ReadableViewFromSQL


class CityCustomers(ReadableViewFromSQL):
    """Keys to another app's readable view, named by a string."""

    prefix = "readable2"
    city = models.OneToOneField(
        "readableapp.CityCustomers",
        primary_key=True,
        on_delete=models.DO_NOTHING,
        db_column="city",
        related_name="again",
    )
    customers = models.IntegerField()
    largest = models.ForeignKey(
        "readableapp2.Legacy", null=True, on_delete=models.DO_NOTHING, db_column="largest"
    )

    sql = """
        SELECT city, count(*)::integer AS customers, max(id) AS largest
        FROM testapp_customer GROUP BY city
    """


class Legacy(ReadableViewFromSQL):
    prefix = "readable2"
    id = models.BigIntegerField(primary_key=True)
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["name"]
        verbose_name = "legacy customer"

    sql = "SELECT id, name FROM testapp_customer"
