"""What the commands print about a sync, by verbosity (0 silent, 1 summary, 2 per view)."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.management.base import BaseCommand

from ..executor import SyncResult, SyncStatus


def report(command: BaseCommand, results: Iterable[SyncResult]) -> None:
    verbosity = int(getattr(command, "verbosity", 1))
    for result in results:
        if verbosity < 1:
            continue
        count = len(result.views)
        noun = "view" if count == 1 else "views"
        where = f'database "{result.using}"'
        if result.status is SyncStatus.UP_TO_DATE:
            line = f"Views: {count} {noun} on {where} already up to date ({result.duration:.3f}s)."
            command.stdout.write(line)
        else:
            built = len(result.built)
            line = f"Views: rebuilt {built} of {count} {noun} on {where} in {result.duration:.3f}s."
            command.stdout.write(command.style.SUCCESS(line))
        if verbosity >= 2:
            for view in result.built:
                kind = "materialized view" if view.materialized else "view"
                command.stdout.write(f'  {kind} "{view.schema}"."{view.name}"  ({view.label})')
