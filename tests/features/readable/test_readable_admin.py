"""A readable view in django.contrib.admin: a read-only listing, through the real URLs."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission

from tests.readableapp.postgres_views import ItemTotals
from tests.support.factories import CustomerFactory, ReadableTestModelFactory

pytestmark = pytest.mark.django_db

CITIES = "/admin/readableapp/citycustomers/"


@pytest.fixture
def customers():
    return [CustomerFactory(city=city) for city in ("Paris", "Paris", "Lyon")]


def test_index_lists_the_views_under_the_app_that_defines_them(admin_client):
    response = admin_client.get("/admin/")
    listed = {app["app_label"]: app["models"] for app in response.context["app_list"]}
    assert {"CityCustomers", "ItemTotals"} <= {
        model["object_name"] for model in listed["readableapp"]
    }
    assert "django_orm_views_hook" not in listed
    page = response.content.decode()
    assert f'href="{CITIES}"' in page and "Customers per city" in page
    assert f'href="{CITIES}add/"' not in page


def test_changelist_shows_rows_without_add_or_delete(admin_client, customers):
    response = admin_client.get(CITIES)
    assert response.status_code == 200
    rows = [(row.city, row.customers) for row in response.context["cl"].result_list]
    assert rows == [("Lyon", 1), ("Paris", 2)]  # Meta.ordering
    page = response.content.decode()
    assert f'href="{CITIES}add/"' not in page
    assert "delete_selected" not in page


def test_detail_page_is_read_only(admin_client, customers):
    response = admin_client.get(f"{CITIES}Paris/change/")
    assert response.status_code == 200
    assert response.context["title"] == "View customers per city"
    assert response.context["has_change_permission"] is False
    assert 'name="_save"' not in response.content.decode()


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", f"{CITIES}add/"),
        ("post", f"{CITIES}add/"),
        ("post", f"{CITIES}Paris/change/"),
        ("get", f"{CITIES}Paris/delete/"),
        ("post", f"{CITIES}Paris/delete/"),
    ],
)
def test_writes_are_forbidden(admin_client, customers, method, url):
    response = getattr(admin_client, method)(url, {"city": "Paris", "customers": "9"})
    assert response.status_code == 403


def test_staff_need_the_view_permission(client, django_user_model, customers):
    staff = django_user_model.objects.create_user("staff", password="x", is_staff=True)
    client.force_login(staff)
    assert client.get(CITIES).status_code == 403
    permission = Permission.objects.get(
        content_type__app_label="readableapp", codename="view_citycustomers"
    )
    staff.user_permissions.add(permission)
    assert client.get(CITIES).status_code == 200
    staff = django_user_model.objects.get(pk=staff.pk)  # a fresh permission cache
    assert staff.has_perm("readableapp.view_citycustomers")


def test_materialised_view_listing(admin_client):
    ReadableTestModelFactory(character_col="listed", integer_col=4)
    ItemTotals.refresh()
    response = admin_client.get("/admin/readableapp/itemtotals/")
    assert response.status_code == 200
    assert [row.doubled for row in response.context["cl"].result_list] == [8]
