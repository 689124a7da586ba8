"""`manage.py sync_views`: make the managed views match the code, outside of `migrate`."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from ...exceptions import OrmViewsError
from ...executor import SyncStatus
from ...sync import sync_views
from .. import reporting


class Command(BaseCommand):
    help = (
        "Rebuild the managed database views in one transaction per database, "
        "or do nothing when they already match the code."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--database",
            choices=tuple(connections),
            help="Sync only this database (default: every database that has views).",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Print the SQL a sync would run, runnable as-is with psql; change nothing.",
        )
        parser.add_argument(
            "--force", action="store_true", help="Rebuild even when nothing changed."
        )
        parser.add_argument(
            "--check",
            action="store_true",
            help="Change nothing; exit with status 1 when the database differs from the code.",
        )
        parser.add_argument(
            "--grant-select-permissions-to-user",
            metavar="ROLE",
            help="Also grant SELECT on the non-hidden views to this role.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        self.verbosity = options["verbosity"]
        try:
            results = sync_views(
                using=options["database"],
                dry_run=options["dry_run"] or options["check"],
                force=options["force"],
                grant_select_permissions_to_user=options["grant_select_permissions_to_user"],
            )
        except OrmViewsError as exc:
            raise CommandError(str(exc)) from exc
        if options["check"]:
            stale = [r.using for r in results if r.status is not SyncStatus.UP_TO_DATE]
            if stale:
                raise CommandError(
                    f"The views of database(s) {', '.join(stale)} differ from the code; "
                    "run sync_views or migrate.",
                    returncode=1,
                )
            if self.verbosity >= 1:
                self.stdout.write("Views are up to date.")
            return
        if options["dry_run"]:
            for result in results:
                self._print_script(result)
            return
        reporting.report(self, results)

    def _print_script(self, result: Any) -> None:
        self.stdout.write(f'-- database "{result.using}"')
        if result.status is SyncStatus.UP_TO_DATE:
            self.stdout.write("-- the views are up to date; nothing would run.")
            return
        self.stdout.write("BEGIN;")
        self.stdout.write(result.script, ending="")
        self.stdout.write("COMMIT;")
