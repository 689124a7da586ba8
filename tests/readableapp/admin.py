from __future__ import annotations

from django.contrib import admin

from django_orm_views_hook.admin import ReadableViewAdmin

from .postgres_views import CityCustomers, ItemTotals


@admin.register(CityCustomers)
class CityCustomersAdmin(ReadableViewAdmin):
    list_display = ["city", "customers"]


admin.site.register(ItemTotals, ReadableViewAdmin)
