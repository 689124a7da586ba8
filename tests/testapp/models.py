from django.db import models


class Customer(models.Model):
    """Personal data that the views must not expose."""

    name = models.CharField(max_length=100)
    email = models.EmailField()
    city = models.CharField(max_length=100)


class TestModel(models.Model):
    integer_col = models.IntegerField()
    character_col = models.CharField(max_length=100)
    date_col = models.DateField()
    datetime_col = models.DateTimeField()
    decimal_col = models.DecimalField(max_digits=10, decimal_places=2, default=0)


class TestModelWithForeignKey(models.Model):
    foreign_key = models.ForeignKey(TestModel, on_delete=models.CASCADE)
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, null=True)
