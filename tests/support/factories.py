"""factory-boy factories for the test apps' models."""

import datetime
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from tests.readableapp import models as readable_models
from tests.testapp.models import Customer, TestModel, TestModelWithForeignKey


class CustomerFactory(DjangoModelFactory):
    class Meta:
        model = Customer

    name = factory.Faker("name")
    email = factory.Faker("email")
    city = factory.Iterator(["Paris", "Lyon", "Nantes"])


class TestModelFactory(DjangoModelFactory):
    class Meta:
        model = TestModel

    integer_col = factory.Sequence(lambda n: n)
    character_col = factory.Sequence(lambda n: f"row {n}")
    date_col = datetime.date(2024, 6, 1)
    datetime_col = datetime.datetime(2024, 6, 1, 12, 0, tzinfo=datetime.UTC)
    decimal_col = Decimal("10.00")


class TestModelWithForeignKeyFactory(DjangoModelFactory):
    class Meta:
        model = TestModelWithForeignKey

    foreign_key = factory.SubFactory(TestModelFactory)
    customer = factory.SubFactory(CustomerFactory)


class ReadableTestModelFactory(DjangoModelFactory):
    """tests.readableapp's TestModel, which the readable views read."""

    class Meta:
        model = readable_models.TestModel

    integer_col = factory.Sequence(lambda n: n)
    character_col = factory.Sequence(lambda n: f"item {n}")
    date_col = datetime.date(2019, 1, 1)
    datetime_col = datetime.datetime(2019, 1, 1, tzinfo=datetime.UTC)


class ReadableTestModelWithForeignKeyFactory(DjangoModelFactory):
    class Meta:
        model = readable_models.TestModelWithForeignKey

    foreign_key = factory.SubFactory(ReadableTestModelFactory)
