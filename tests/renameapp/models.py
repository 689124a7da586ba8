"""The final state of the tables that migrations 0001-0004 rename and move under views."""

from django.db import models


class Shelf(models.Model):
    label = models.CharField(max_length=20)


class Volume(models.Model):
    """Book until migration 0003; its `heading` was `title` until migration 0002."""

    heading = models.CharField(max_length=50)
    shelf = models.ForeignKey(Shelf, on_delete=models.CASCADE)
