"""The state migrations 0001-0007 build: three tables the analysts' views read, one they leave.

The history is the shape of real upgrades that alter tables the views read: fields added to
every table first (0002), then, in later migrations, a column retyped (0003), a column removed
(0004), a column retyped by `RunSQL` (0005), a table deleted (0006), and a concurrent index
(0007, not atomic).
"""

from django.db import models


class Author(models.Model):
    name = models.CharField(max_length=200)
    country = models.CharField(max_length=2, default="")


class Book(models.Model):
    author = models.ForeignKey(Author, on_delete=models.CASCADE)
    title = models.CharField(max_length=100)
    pages = models.BigIntegerField()
    subtitle = models.CharField(max_length=100, default="")


class Library(models.Model):
    """No migration after the first touches it: views over it must never wait for the deploy."""

    city = models.CharField(max_length=50)

    class Meta:
        indexes = [models.Index(fields=["city"], name="library_city_idx")]
