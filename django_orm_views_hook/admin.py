"""A ModelAdmin for readable views: listing and detail pages, nothing that writes.

`admin.site.register(MyView, ReadableViewAdmin)`. A plain ModelAdmin would offer add, change
and delete buttons whose every use ends in ReadOnlyViewError. Staff users need the view
permission of the view's app (`<app_label>.view_<model>`); superusers have it.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest


class ReadableViewAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Read-only admin: no add, change or delete (and so no delete action)."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
