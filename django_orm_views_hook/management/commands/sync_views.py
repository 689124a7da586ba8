"""`manage.py sync_views`: make the managed views match the code, outside of `migrate`."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from ... import checks
from ...database import deploy_lock
from ...exceptions import OrmViewsError
from ...sync.api import differences, sync_views
from ...sync.result import SyncResult, SyncStatus
from .. import reporting, tenancy


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
            help=(
                "Change nothing; list every difference, view by view, and exit with status 1 "
                "when the database differs from the code."
            ),
        )
        parser.add_argument(
            "--grant-select-permissions-to-user",
            metavar="ROLE",
            help=(
                "Also grant SELECT on the non-hidden views to this role, until the next sync "
                "(which revokes what ORM_VIEWS_GRANT_SELECT_TO does not declare)."
            ),
        )
        tenancy.add_schema_argument(parser)

    def check(self, *args: Any, **kwargs: Any) -> None:
        # The sync reads the SQL of the views it builds itself, before any DDL, and only those.
        with checks.sql_read_by_the_sync():
            super().check(*args, **kwargs)

    def handle(self, *args: Any, **options: Any) -> None:
        self.verbosity = options["verbosity"]
        if options["grant_select_permissions_to_user"]:
            self.stderr.write(
                self.style.WARNING(
                    f"The grant to {options['grant_select_permissions_to_user']} lasts only "
                    "until the next sync: migrate and sync_views revoke every privilege on the "
                    "views that ORM_VIEWS_GRANT_SELECT_TO does not declare. Add the role to "
                    "that setting to keep it."
                )
            )
        results: list[SyncResult] = []
        try:
            for target in tenancy.each_target(options):
                results += self._run(tenancy.database_for(target, options["database"]), options)
        except OrmViewsError as exc:
            raise CommandError(str(exc)) from exc
        if options["check"]:
            self._check(results)
            return
        if options["dry_run"]:
            for result in results:
                self._print_script(result)
                reporting.warn(self, result)
            return
        reporting.report(self, results)

    def _run(self, using: str | None, options: dict[str, Any]) -> list[SyncResult]:
        """The check, dry run or sync of database `using` (None: all) for one target."""
        if options["check"]:
            return differences(using=using)
        # The sync takes each database's deploy lock; waiting for one is said here.
        with deploy_lock.waits_told_by(self._say_waiting):
            return sync_views(
                using=using,
                dry_run=options["dry_run"],
                force=options["force"],
                grant_select_permissions_to_user=options["grant_select_permissions_to_user"],
            )

    def _check(self, results: list[SyncResult]) -> None:
        """List every difference by view and exit with status 1, or say all is up to date."""
        stale = [result for result in results if result.status is not SyncStatus.UP_TO_DATE]
        if self.verbosity >= 1:
            for result in stale:
                where = tenancy.where(result.using, result.tenant)
                self.stdout.write(f"Views on {where} differ from the code:")
                for line in reporting.differences(result):
                    self.stdout.write(f"  {line}")
            if not stale:
                self.stdout.write("Views are up to date.")
            else:
                self.stderr.write("Run sync_views or migrate to make them match.")
        if stale:
            sys.exit(1)

    def _say_waiting(self, using: str) -> None:
        self.stdout.write(deploy_lock.waiting_message(using))

    def _print_script(self, result: Any) -> None:
        self.stdout.write(f"-- {tenancy.where(result.using, result.tenant)}")
        if result.status is SyncStatus.UP_TO_DATE:
            self.stdout.write("-- the views are up to date; nothing would run.")
            return
        self.stdout.write("BEGIN;")
        # As the sync runs it: psql then reads the view SQL as the one-query check read it.
        self.stdout.write("SET LOCAL standard_conforming_strings = on;")
        self.stdout.write(result.script, ending="")
        self.stdout.write("COMMIT;")
