"""Django's `migrate`, run in one transaction with the drop and rebuild of the managed views."""

from __future__ import annotations

from typing import Any

from django.core.management import CommandError
from django.core.management.commands import migrate
from django.db import DEFAULT_DB_ALIAS, connections

from ... import conf, executor, receivers
from ...autodetector import ReadableViewsAutodetector
from ...exceptions import ViewBuildError
from ...sync import is_postgres, plan_for
from .. import reporting


class Command(migrate.Command):
    help = migrate.Command.help + (
        " The managed views are dropped and rebuilt in the same transaction."
    )

    #: Its "models have changes that are not yet reflected" message leaves readable views out.
    autodetector = ReadableViewsAutodetector
    _run: receivers.MigrateRun | None = None

    def add_arguments(self, parser: Any) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--leave-views-dropped",
            action="store_true",
            help=(
                "Apply the migrations and leave the managed views dropped, for when the "
                "current view definitions cannot be built on the schema this migrate leaves "
                "(e.g. migrating backwards). The next migrate or sync_views rebuilds them."
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        using = options.get("database") or DEFAULT_DB_ALIAS
        # --plan and --check print or exit before any signal; --prune only edits the records.
        if (
            not conf.auto_sync()
            or not is_postgres(using)
            or options.get("plan")
            or options.get("check_unapplied")
            or options.get("prune")
        ):
            super().handle(*args, **options)
            return
        run = receivers.MigrateRun(
            using=using,
            fake=bool(options.get("fake")),
            leave_views_dropped=bool(options.get("leave_views_dropped")),
            warn=lambda message: self.stderr.write(self.style.WARNING(message)),
        )
        token = receivers.current_run.set(run)
        self._run = run
        try:
            with run.stack:
                super().handle(*args, **options)
        except ViewBuildError as exc:
            self._recover_non_atomic(run)
            applied = " after the last committed migration" if run.non_atomic else ""
            raise CommandError(
                f"{exc}\nNothing was applied{applied}. If the current view definitions need a "
                "newer schema than this migrate leaves (e.g. you are migrating backwards), "
                "rerun it with --leave-views-dropped: it "
                "applies the migrations and leaves the managed views dropped until the next "
                "migrate or sync_views."
            ) from exc
        except BaseException:
            self._recover_non_atomic(run)
            raise
        finally:
            receivers.current_run.reset(token)
            self._run = None
        if run.result is not None:
            reporting.report(self, [run.result])

    def _recover_non_atomic(self, run: receivers.MigrateRun) -> None:
        """After a failed non-atomic run, put back what views the schema allows."""
        if not run.non_atomic:
            return
        try:
            executor.sync_plan(plan_for(run.using), connections[run.using])
        except Exception as exc:  # noqa: BLE001 - the original error matters more
            self.stderr.write(
                self.style.WARNING(
                    f"The managed views could not be rebuilt after the failed migrate ({exc}); "
                    "they stay dropped until the next migrate or sync_views."
                )
            )

    def migration_progress_callback(
        self, action: str, migration: Any = None, fake: bool = False
    ) -> None:
        super().migration_progress_callback(action, migration, fake)
        run = self._run
        finished = action in ("apply_success", "unapply_success")
        if finished and run is not None and not run.non_atomic:
            # In one transaction, a data migration's deferred foreign-key checks would still be
            # pending when the next migration alters the table ("pending trigger events"):
            # fire them now, as the commit between migrations would have.
            with connections[run.using].cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE; SET CONSTRAINTS ALL DEFERRED")
