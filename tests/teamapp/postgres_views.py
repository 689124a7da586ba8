"""The team's views: a readable view of the app that renames a model, and a view over it."""

from __future__ import annotations

from django.db import models
from django.db.models import Count

from django_orm_views_hook import PostgresViewFromQueryset, ReadableViewFromSQL

from .models import Purchase


class CustomerNames(ReadableViewFromSQL):
    """Reads a table that exists at every step of the app's history."""

    id = models.BigIntegerField(primary_key=True)
    name = models.CharField(max_length=50)
    sql = "SELECT id, name FROM teamapp_customer"

    class Meta:
        permissions = [("export_customernames", "Can export customer names")]


class PurchasesPerCustomer(PostgresViewFromQueryset):
    """Reads `teamapp_purchase`, which exists only once 0002 renamed `teamapp_order`."""

    @classmethod
    def get_queryset(cls) -> models.QuerySet:
        return Purchase.objects.values("customer_id").annotate(purchases=Count("id"))
