from __future__ import annotations

from django.apps import AppConfig


class ReadableAppConfig(AppConfig):
    """Readable views of every kind, over ordinary models that have real migrations."""

    name = "tests.readableapp"
    label = "readableapp"
    default_auto_field = "django.db.models.BigAutoField"
