"""The state migrations 0001-0004 build; a deploy applies the pending ones, exactly once."""

from django.db import models


class Counter(models.Model):
    value = models.IntegerField(default=0)
    sku = models.CharField(max_length=20, default="")

    class Meta:
        indexes = [models.Index(fields=["value"], name="counter_value_idx")]
