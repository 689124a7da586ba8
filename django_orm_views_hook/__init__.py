"""PostgreSQL views written in Python, rebuilt by `migrate` in the migrations' transaction."""

from __future__ import annotations

from typing import Any

from .definitions.views import (
    HiddenViewMixin,
    PostgresMaterialisedViewMixin,
    PostgresViewFromQueryset,
    PostgresViewFromSQL,
)
from .refresh.due import refresh_due
from .refresh.on_demand import refresh_materialized_view
from .signals import view_refreshed, views_pre_sync, views_synced
from .sync.api import sync_views

__version__ = "0.1.0"

__all__ = [
    "HiddenViewMixin",
    "PostgresMaterialisedViewMixin",
    "PostgresViewFromQueryset",
    "PostgresViewFromSQL",
    "ReadableViewFromQueryset",
    "ReadableViewFromSQL",
    "refresh_due",
    "refresh_materialized_view",
    "sync_views",
    "view_refreshed",
    "views_pre_sync",
    "views_synced",
]

_READABLE = {"ReadableViewFromQueryset", "ReadableViewFromSQL"}


def __getattr__(name: str) -> Any:
    # Readable views are model classes: importing them while INSTALLED_APPS loads would raise
    # AppRegistryNotReady, so they are imported on first use.
    if name in _READABLE:
        from .definitions import readable

        return getattr(readable, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
