"""The state that migrations 0001-0008 build: a history plain Django applies, one migration at
a time, and that the hook must apply in its one transaction."""

from django.db import models


class Customer(models.Model):
    id = models.BigAutoField(primary_key=True)
    name = models.CharField(max_length=50)
    code = models.CharField(max_length=20)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["code"],
                name="shop_customer_code_unique",
                deferrable=models.Deferrable.IMMEDIATE,
            )
        ]


class Order(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE)
    amount = models.BigIntegerField()
    note = models.CharField(max_length=100, default="")

    class Meta:
        indexes = [models.Index(fields=["note"], name="shop_order_note_idx")]
