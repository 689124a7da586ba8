"""A team's app after its first month: `Order` renamed to `Purchase`, `Coupon` deleted.

Its migrations are that history (0001 creates the three models, 0002 renames, 0003 deletes),
and its views module a readable view, so that content types and permissions can be compared
with plain Django's at every step (tests/guarantees/as_plain_django/test_first_month.py).
"""

from __future__ import annotations

from django.db import models


class Customer(models.Model):
    name = models.CharField(max_length=50)


class Purchase(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE)
    amount = models.IntegerField()
