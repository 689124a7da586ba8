"""The final state of the tables that migrations 0001-0006 build; views read them."""

from django.db import models


class Category(models.Model):
    name = models.CharField(max_length=50)
    label = models.CharField(max_length=20, default="")


class Item(models.Model):
    category = models.ForeignKey(Category, on_delete=models.CASCADE)
    amount = models.BigIntegerField()
    note = models.CharField(max_length=100)
    sku = models.CharField(max_length=20, default="")

    class Meta:
        indexes = [models.Index(fields=["note"], name="item_note_idx")]
