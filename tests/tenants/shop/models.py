"""A tenant's products and orders; each tenant's schema has its own tables."""

from django.db import models


class Product(models.Model):
    name = models.CharField(max_length=100)
    price = models.DecimalField(max_digits=8, decimal_places=2)


class Order(models.Model):
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="orders")
    # An integer in 0002, retyped to a bigint by 0003: tenant views read it.
    quantity = models.BigIntegerField()
    placed_at = models.DateTimeField()
    note = models.CharField(max_length=200, blank=True, default="")
