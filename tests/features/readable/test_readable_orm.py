"""Readable views through the ORM: queries, relations both ways, custom Meta, materialised."""

from __future__ import annotations

import pytest
from django.db.models import Count, Sum

from django_orm_views_hook.exceptions import ViewDefinitionError
from tests.readableapp.postgres_views import (
    CityCustomers,
    CustomerLinks,
    ItemTotals,
    ReadableTestViewFromQueryset,
    ReadableTestViewFromSQL,
    ReadableTestViewWithNotNullableForeignKeys,
    ReadableTestViewWithNullableForeignKeys,
)
from tests.support import factories
from tests.support.catalog import catalog, views_in_schema
from tests.support.factories import (
    CustomerFactory,
    ReadableTestModelFactory,
    ReadableTestModelWithForeignKeyFactory,
)
from tests.testapp.models import Customer

READABLE = [
    ReadableTestViewFromQueryset,
    ReadableTestViewFromSQL,
    ReadableTestViewWithNullableForeignKeys,
    ReadableTestViewWithNotNullableForeignKeys,
    ItemTotals,
    CityCustomers,
    CustomerLinks,
]

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("view", "table"),
    [
        (ReadableTestViewFromSQL, '"views"."readabletestviewfromsql"'),
        (ItemTotals, '"views"."readable_itemtotals"'),  # prefix
        (CityCustomers, '"views"."readable_city_customers"'),  # explicit name
    ],
)
def test_db_table_is_the_view_in_the_managed_schema(view, table):
    assert view._meta.db_table == table
    assert view._meta.managed is False
    assert view._meta.app_label == "readableapp"


def test_every_readable_view_is_built_where_its_model_reads():
    built = views_in_schema()
    for view in READABLE:
        name = view._meta.db_table.split(".")[1].strip('"')
        assert built[name] == ("m" if view.materialized else "v"), view


@pytest.fixture
def customers():
    return [
        CustomerFactory(city="Paris"),
        CustomerFactory(city="Paris"),
        CustomerFactory(city="Lyon"),
    ]


def test_get_filter_values_aggregate_and_meta_ordering(customers):
    assert CityCustomers.objects.get(city="Paris").customers == 2
    assert list(CityCustomers.objects.values_list("city", flat=True)) == ["Lyon", "Paris"]
    assert list(CityCustomers.objects.filter(customers__gte=2).values("city")) == [
        {"city": "Paris"}
    ]
    assert CityCustomers.objects.aggregate(total=Sum("customers")) == {"total": 3}
    assert CityCustomers.objects.count() == 2 and CityCustomers.objects.exists()
    with pytest.raises(CityCustomers.DoesNotExist):
        CityCustomers.objects.get(city="Nantes")
    with pytest.raises(CityCustomers.MultipleObjectsReturned):
        CityCustomers.objects.get(customers__gte=1)
    assert CityCustomers.objects.get_or_create(city="Paris")[1] is False  # found: no write


def test_custom_meta_options_apply():
    assert CityCustomers._meta.verbose_name == "customers per city"
    assert CityCustomers._meta.ordering == ["city"]
    assert ItemTotals._meta.verbose_name_plural == "item totals"
    assert str(ItemTotals.objects.all().query).endswith(
        'ORDER BY "views"."readable_itemtotals"."integer_col" DESC, '
        '"views"."readable_itemtotals"."id" ASC'
    )


def test_select_related_to_a_model_of_another_app_and_to_a_view(
    customers, django_assert_num_queries
):
    row = factories.TestModelWithForeignKeyFactory(customer=customers[0])
    with django_assert_num_queries(1):
        link = CustomerLinks.objects.select_related("customer", "city").get(id=row.id)
        assert link.customer == customers[0]
        assert (link.city.city, link.city.customers) == ("Paris", 2)


def test_reverse_relations_from_models_and_views(customers, django_assert_num_queries):
    rows = [factories.TestModelWithForeignKeyFactory(customer=customer) for customer in customers]
    with django_assert_num_queries(2):
        by_customer = {
            c.id: [link.id for link in c.readable_links.all()]
            for c in Customer.objects.prefetch_related("readable_links")
        }
    assert by_customer == {
        customer.id: [row.id] for customer, row in zip(customers, rows, strict=True)
    }
    with django_assert_num_queries(2):
        by_city = {
            c.city: len(c.links.all()) for c in CityCustomers.objects.prefetch_related("links")
        }
    assert by_city == {"Lyon": 1, "Paris": 2}
    # Lookups and annotations across the reverse relation, from the ordinary model's side.
    paris = Customer.objects.filter(readable_links__city="Paris").order_by("id")
    assert list(paris) == customers[:2]
    counts = Customer.objects.annotate(links=Count("readable_links")).values_list(
        "links", flat=True
    )
    assert set(counts) == {1}


def test_one_to_one_and_foreign_keys_to_views_in_joins():
    item = ReadableTestModelFactory()
    ReadableTestModelWithForeignKeyFactory(foreign_key=item)
    row = ReadableTestViewWithNotNullableForeignKeys.objects.select_related(
        "model_foreign_key", "view_foreign_key", "one_to_one_view_field"
    ).get(model_foreign_key=item)
    assert row.view_foreign_key.character_col == item.character_col
    assert ReadableTestViewFromSQL.objects.get(test_view_one_to_one_field=row).id == item.id
    assert list(ReadableTestViewFromSQL.objects.filter(test_view_foreign_key__isnull=False)) == [
        row.view_foreign_key
    ]


def test_materialised_view_reads_after_refresh_in_meta_order():
    items = [ReadableTestModelFactory(integer_col=n) for n in (1, 3, 2)]
    assert not ItemTotals.objects.exists()  # built before these rows, not refreshed yet
    ItemTotals.refresh()
    assert [row.integer_col for row in ItemTotals.objects.all()] == [3, 2, 1]
    assert ItemTotals.objects.get(id=items[1].id).doubled == 6
    ReadableTestModelFactory(integer_col=10)
    ItemTotals.refresh(concurrently=True)  # the primary key's unique index allows it
    assert ItemTotals.objects.first().integer_col == 10


def test_materialised_view_has_its_meta_indexes_and_a_unique_primary_key_index():
    indexes = dict(
        catalog(
            "SELECT indexname, indexdef FROM pg_indexes"
            " WHERE schemaname = 'views' AND tablename = 'readable_itemtotals'"
        )
    )
    assert ItemTotals.pk_field == "id"
    assert indexes["readable_itemtotals_id_uniq"].startswith("CREATE UNIQUE INDEX")
    assert indexes["readable_item_int_idx"].endswith("(integer_col, doubled DESC)")
    [auto_named] = [
        index.name for index in ItemTotals._meta.indexes if index.name != "readable_item_int_idx"
    ]
    assert indexes[auto_named].endswith("(character_col)")
    assert len(indexes) == 3


def test_refresh_of_a_plain_view_is_refused():
    with pytest.raises(ViewDefinitionError, match="CityCustomers is not a materialised view"):
        CityCustomers.refresh()
