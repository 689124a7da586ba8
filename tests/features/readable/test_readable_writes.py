"""Writes to a readable view fail loudly, naming the view, before any SQL runs.

ReadableTestViewFromSQL is a simple view of one table, so PostgreSQL would accept an INSERT,
UPDATE or DELETE through it and change that table: each test also checks the table did not
change, which is what would happen without the guard.
"""

from __future__ import annotations

import pytest
from asgiref.sync import async_to_sync

from django_orm_views_hook.exceptions import OrmViewsError, ReadOnlyViewError
from tests.readableapp.models import TestModel
from tests.readableapp.postgres_views import (
    CityCustomers,
    ReadableTestViewFromSQL,
    ReadableTestViewWithNullableForeignKeys,
)
from tests.support.factories import ReadableTestModelFactory, ReadableTestModelWithForeignKeyFactory

pytestmark = pytest.mark.django_db

VIEW = ReadableTestViewFromSQL
NAMED = r"ReadableTestViewFromSQL is a read-only view \(\"views\".\"readabletestviewfromsql\"\)"


@pytest.fixture
def item():
    return ReadableTestModelFactory(character_col="before")


def run_async(make_coroutine):
    async def main():
        await make_coroutine()

    async_to_sync(main)()


def table_rows():
    return sorted(TestModel.objects.values_list("id", "character_col"))


WRITES = {
    "save": lambda: VIEW.objects.get().save(),
    "save new": lambda: VIEW(id=999, character_col="new").save(),
    "delete": lambda: VIEW.objects.get().delete(),
    "create": lambda: VIEW.objects.create(id=999, character_col="new"),
    "get_or_create creating": lambda: VIEW.objects.get_or_create(id=999, character_col="x"),
    "update_or_create": lambda: VIEW.objects.update_or_create(id=1, defaults={"id": 1}),
    "bulk_create": lambda: VIEW.objects.bulk_create([VIEW(id=999, character_col="new")]),
    "bulk_update": lambda: VIEW.objects.bulk_update(
        [VIEW(id=VIEW.objects.get().id, character_col="after")], ["character_col"]
    ),
    "update": lambda: VIEW.objects.update(character_col="after"),
    "filtered update": lambda: VIEW.objects.filter(id__gte=0).update(character_col="after"),
    "queryset delete": lambda: VIEW.objects.all().delete(),
    "raw delete": lambda: VIEW.objects.all()._raw_delete("default"),
    "acreate": lambda: run_async(lambda: VIEW.objects.acreate(id=999, character_col="new")),
    "aupdate": lambda: run_async(lambda: VIEW.objects.aupdate(character_col="after")),
    "asave": lambda: run_async(VIEW.objects.get().asave),
}


@pytest.mark.parametrize("write", WRITES.values(), ids=WRITES.keys())
def test_every_write_raises_naming_the_view_and_changes_nothing(item, write):
    before = table_rows()
    with pytest.raises(ReadOnlyViewError, match=NAMED):
        write()
    assert table_rows() == before == [(item.id, "before")]


def test_the_error_is_a_package_error_and_a_django_not_supported_error():
    from django.db import NotSupportedError

    assert issubclass(ReadOnlyViewError, OrmViewsError)
    assert issubclass(ReadOnlyViewError, NotSupportedError)


def test_related_managers_refuse_writes_too(item):
    """Reverse managers update through the base manager, which is read-only as well."""
    ReadableTestModelWithForeignKeyFactory(foreign_key=None)
    row = ReadableTestViewWithNullableForeignKeys.objects.get()
    other = ReadableTestModelFactory()
    for write in (
        lambda: item.nullable_test_view_foreign_key.add(row),
        lambda: item.nullable_test_view_foreign_key.clear(),
        lambda: item.nullable_test_view_foreign_key.create(id=2),
        lambda: other.nullable_test_view_foreign_key.set([row]),
    ):
        with pytest.raises(ReadOnlyViewError, match="ReadableTestViewWithNullableForeignKeys"):
            write()


def test_reads_still_work_on_the_read_only_manager(item):
    assert VIEW.objects.get().character_col == "before"
    assert VIEW._base_manager.get(id=item.id).id == item.id
    assert list(CityCustomers.objects.all()) == []
