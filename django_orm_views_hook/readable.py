"""Readable views: view classes that are also read-only, unmanaged Django models.

Kept out of `views.py` because defining a model class needs the app registry to be ready.
`db_table` is fixed when the class is created, so `ORM_VIEWS_SCHEMA` is read at import time.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models.base import ModelBase

from .views import PostgresViewFromQueryset, PostgresViewFromSQL, view_name, view_schema


class ReadableViewBase(ModelBase):
    """Points each concrete readable view's `db_table` at `"schema"."name"`."""

    def __new__(mcs, name: str, bases: tuple[type, ...], attrs: dict[str, Any], **kw: Any):
        cls = super().__new__(mcs, name, bases, attrs, **kw)
        if not cls._meta.abstract:
            cls._meta.db_table = f'"{view_schema(cls)}"."{view_name(cls)}"'
            cls._meta.managed = False
        return cls


class ReadableViewFromSQL(PostgresViewFromSQL, models.Model, metaclass=ReadableViewBase):
    """A SQL view you can also query: `MyView.objects.filter(...)`."""

    abstract = True

    class Meta:
        abstract = True
        managed = False


class ReadableViewFromQueryset(PostgresViewFromQueryset, models.Model, metaclass=ReadableViewBase):
    """A queryset view you can also query: `MyView.objects.filter(...)`."""

    abstract = True

    class Meta:
        abstract = True
        managed = False
