"""`manage.py refresh_views`: refresh materialised views, dependencies first."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections

from ...exceptions import OrmViewsError
from ...registry import default_registry
from ...sync import check_refreshable, plan_for, refresh_materialized_view
from ...views import label, view_name


class Command(BaseCommand):
    help = "Refresh materialised views in dependency order (all of them, or those named)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "views",
            nargs="*",
            metavar="VIEW",
            help="View names, class names or dotted class paths (default: all).",
        )
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, choices=tuple(connections))
        parser.add_argument(
            "--concurrently",
            action="store_true",
            help="REFRESH ... CONCURRENTLY (needs `pk_field`); readers are not blocked.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        using = options["database"]
        classes = {label(cls): cls for cls in default_registry.for_database(using)}
        try:
            order = [v.label for v in plan_for(using, roles=()).views]
        except OrmViewsError as exc:
            raise CommandError(str(exc)) from exc
        materialized = [classes[lbl] for lbl in order if classes[lbl].materialized]
        wanted = set(options["views"])
        if wanted:
            selected = [
                cls for cls in materialized if wanted & {view_name(cls), cls.__name__, label(cls)}
            ]
            known = {n for cls in materialized for n in (view_name(cls), cls.__name__, label(cls))}
            unknown = sorted(wanted - known)
            if unknown:
                raise CommandError(
                    f"No materialised view called {', '.join(unknown)} on database {using!r}."
                )
            materialized = selected
        try:
            # All of them before any: refusing halfway would leave some refreshed.
            for cls in materialized:
                check_refreshable(cls, concurrently=options["concurrently"])
        except OrmViewsError as exc:
            raise CommandError(str(exc)) from exc
        total = len(materialized)
        for index, cls in enumerate(materialized, start=1):
            if options["verbosity"] >= 1:
                self.stdout.write(f"[{index}/{total}] Refreshing {label(cls)}...", ending="")
                self.stdout.flush()
            started = time.monotonic()
            try:
                refresh_materialized_view(cls, concurrently=options["concurrently"])
            except OrmViewsError as exc:
                raise CommandError(str(exc)) from exc
            if options["verbosity"] >= 1:
                self.stdout.write(self.style.SUCCESS(f" done ({time.monotonic() - started:.3f}s)"))
        if options["verbosity"] >= 1 and not total:
            self.stdout.write("No materialised views to refresh.")
