"""Django's `migrate`, run in one transaction with the drop and rebuild of the managed views."""

from __future__ import annotations

from typing import Any

from django.core.management import CommandError
from django.core.management.commands import migrate
from django.db import DEFAULT_DB_ALIAS, connections

from ... import checks, conf
from ...database import deferred_constraints, deploy_lock, tenants
from ...exceptions import LockTimeoutError, OrmViewsError
from ...migrate.autodetector import ReadableViewsAutodetector
from ...migrate.run import MigrateRun, current_run
from ...sync import executor
from ...sync.plans import is_postgres, plan_for
from .. import reporting


class Command(migrate.Command):
    help = migrate.Command.help + (
        " The managed views are dropped and rebuilt in the same transaction."
    )

    #: Its "models have changes that are not yet reflected" message leaves readable views out.
    autodetector = ReadableViewsAutodetector
    _run: MigrateRun | None = None
    _progress: reporting.MigrateProgress

    def add_arguments(self, parser: Any) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--skip-unbuildable-views",
            "--leave-views-dropped",  # its former name, still accepted
            dest="skip_unbuildable_views",
            action="store_true",
            help=(
                "Apply the migrations and build every managed view the database accepts; "
                "leave dropped, naming each, the views it rejects and those that read them, "
                "until the next migrate or sync_views. For a backwards migrate whose view "
                "definitions read a column or table the older schema does not have."
            ),
        )

    def check(self, *args: Any, **kwargs: Any) -> None:
        # The sync reads the SQL of the views it builds itself, before any DDL, and only those.
        with checks.sql_read_by_the_sync():
            super().check(*args, **kwargs)

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
        run = MigrateRun(
            using=using,
            fake=bool(options.get("fake")),
            skip_unbuildable=bool(options.get("skip_unbuildable_views")),
            warn=lambda message: self.stderr.write(self.style.WARNING(message)),
        )
        # Taken before Django computes its plan: a deploy that waited plans from what the
        # other one committed, so each migration is applied once.
        try:
            lock = deploy_lock.acquire(using, on_wait=self._say_waiting)
        except LockTimeoutError as exc:
            raise CommandError(str(exc)) from exc
        token = current_run.set(run)
        self._run = run
        self._progress = reporting.MigrateProgress()
        try:
            with run.stack:
                super().handle(*args, **options)
        except CommandError as exc:  # Django's own, e.g. conflicting migrations
            self._recover_non_atomic(run)
            message = self._with_outcome(str(exc), run, exc)
            raise CommandError(message, returncode=exc.returncode) from exc
        except OrmViewsError as exc:  # the package's: the message says it all
            self._recover_non_atomic(run)
            raise CommandError(self._with_outcome(str(exc), run, exc)) from exc
        except BaseException as exc:  # a migration's: its traceback matters, the outcome last
            self._recover_non_atomic(run)
            outcome = self._outcome(run, exc)
            if outcome:
                exc.add_note(outcome)
            raise
        finally:
            current_run.reset(token)
            self._run = None
            lock.release()
        if run.result is not None:
            reporting.report(self, [reporting.after_migrate(run.result, run.dropped)])
            reporting.report(self, run.tenant_results)

    def _with_outcome(self, message: str, run: MigrateRun, exc: Exception) -> str:
        renamed = reporting.renamed_hint(exc, run.plan, run.renamed_by)
        hint = reporting.skip_hint(exc, self._progress)
        outcome = self._outcome(run, exc)
        return "\n".join(line for line in (message, renamed, hint, outcome) if line)

    def _outcome(self, run: MigrateRun, exc: BaseException) -> str:
        """The last line after a failed run; for a tenant's (migrate_schemas), whose it was."""
        outcome = self._progress.outcome(run.non_atomic, exc)
        tenant = tenants.current(connections[run.using])
        if tenant is None:
            return outcome
        return f'Tenant "{tenant}" (migrate_schemas): ' + (outcome or "its migrate failed.")

    def _say_waiting(self, using: str) -> None:
        self.stdout.write(deploy_lock.waiting_message(using))

    def _recover_non_atomic(self, run: MigrateRun) -> None:
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
        if run is None:
            return
        self._progress.record(action, migration)
        if action in ("apply_start", "unapply_start"):
            run.migration = str(migration)
        finished = action in ("apply_success", "unapply_success")
        if finished and run.non_atomic:
            run.held.clear()  # the migration committed: its locks are gone
        elif finished:
            # Fire the deferred checks and reset the constraints' modes, as a commit would.
            with connections[run.using].cursor() as cursor:
                deferred_constraints.as_if_committed(cursor)
