"""Django's `makemigrations`, blind to readable views (see migrate/autodetector.py)."""

from __future__ import annotations

from django.core.management.commands import makemigrations

from ...migrate.autodetector import ReadableViewsAutodetector


class Command(makemigrations.Command):
    autodetector = ReadableViewsAutodetector
