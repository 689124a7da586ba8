"""Ordinary models the readable views read: the original package's test models."""

from __future__ import annotations

from django.db import models


class TestModel(models.Model):
    __test__ = False  # the original's name starts with "Test": not a pytest test class

    integer_col = models.IntegerField()
    character_col = models.CharField(max_length=100)
    date_col = models.DateField()
    datetime_col = models.DateTimeField()


class TestModelWithForeignKey(models.Model):
    __test__ = False

    foreign_key = models.ForeignKey(TestModel, null=True, on_delete=models.CASCADE)
