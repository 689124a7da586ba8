"""Run a plan on a database: lock, plan the statements, prepare, lock, swap; one transaction.

Only what differs is touched: views whose definition (or an upstream one) changed, views the
code no longer defines, and what reads them. `sync_plan` reads as its steps: compare with the
catalog, take the deploy lock, compare again, read what the statements depend on, plan them
(steps.py), run what takes no exclusive lock, check, take the locks in short attempts, swap,
check the columns. It never prints: it returns a SyncResult and logs; commands decide what to
show.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.backends.base.base import BaseDatabaseWrapper

from .. import signals
from ..database import (
    batch,
    catalog,
    dependencies,
    deploy_lock,
    dialect,
    locking,
    locks,
    privileges,
)
from ..exceptions import ViewBuildError
from ..planning import diff
from ..planning.plan import Key, Plan
from ..planning.sql_text import check_queries
from ..planning.state import Catalog
from ..sql import ddl
from ..sql.statement import Statement, as_script
from . import rejections, steps, undeclared, verify
from .result import REBUILT_WITHOUT, SyncResult, SyncStatus

# README names this logger: the name outlives the module's move.
logger = logging.getLogger("django_orm_views_hook.executor")


def check_changed_queries(plan: Plan, connection: BaseDatabaseWrapper, catalog: Catalog) -> None:
    """Read with PostgreSQL's grammar the `sql` of each view whose definition differs from the
    database's (`catalog`, read by the caller): a migrate rebuilds them after its migrations,
    and a bad one must fail before those run. The views a migration drops are built from the
    SQL that was read when they were built last.

    Raises:
        ViewDefinitionError: naming the first such view whose `sql` is not exactly one query.
    """
    digests = ddl.digests(plan, dialect.quoting(connection))
    stale = diff.compare(plan, digests, catalog).stale
    check_queries(view for view in plan.views if view.key in stale)


def sync_plan(
    plan: Plan,
    connection: BaseDatabaseWrapper,
    *,
    dry_run: bool = False,
    force: bool = False,
    skip_unbuildable: rejections.Skip = False,
    rehearse: bool = True,
) -> SyncResult:
    """Make the database's managed views match `plan`, in one transaction.

    When the catalog matches the plan (one query), nothing else runs, unless `force`. With
    `dry_run`, the statements are returned, and the sync is rehearsed: run exactly as it would
    be, its locks and every check included, then rolled back, so that it fails where the sync
    would; `rehearse=False` only plans the statements (and makes the checks planning makes).
    With `skip_unbuildable`, the views the database rejects, and those that read them, are left
    out (dropped) instead of failing the sync; the result names them. Given a test instead, only
    when it passes every rejection (sync/rejections.py).
    """
    sync = _Sync(plan, connection, force=force)
    with connection.cursor() as cursor:
        found, changes = sync.compare(cursor)
    if changes.nothing_to_do:
        return sync.finish(SyncStatus.UP_TO_DATE, changes, dry_run)
    signals.views_pre_sync.send(sender=Plan, using=plan.using, views=plan.views, dry_run=dry_run)
    if dry_run and not rehearse:
        return sync.finish(SyncStatus.DRY_RUN, changes, dry_run, sync.planned(found, changes))
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        deploy_lock.hold_in_transaction(cursor)
        # Another process may have synced while this one waited for the lock.
        found, changes = sync.compare(cursor)
        if changes.nothing_to_do:
            return sync.finish(SyncStatus.UP_TO_DATE, changes, dry_run)
        done = sync.apply(cursor, found, changes, skip_unbuildable)
        if dry_run:  # everything checked: undo it all
            transaction.set_rollback(True, using=connection.alias)
    sync.log(done, dry_run)
    status = SyncStatus.DRY_RUN if dry_run else SyncStatus.REBUILT
    return sync.finish(status, changes, dry_run, done)


def log_revokes(plan: Plan, drift: Sequence[diff.Drift]) -> None:
    for revoked in (d for d in drift if not d.missing):
        logger.warning(
            'Revoked %s on %s from %s on database "%s": not declared (ORM_VIEWS_GRANT_SELECT_TO)%s',
            revoked.privilege,
            revoked.target,
            revoked.who,
            plan.using,
            REBUILT_WITHOUT if revoked.rebuilt else "",
        )


@dataclass(frozen=True)
class _Done:
    """What a sync ran (a dry run: would run), and what it left out or found."""

    planned: steps.Steps
    statements: tuple[Statement, ...]
    left_out: frozenset[Key] = frozenset()
    refused: ViewBuildError | None = None  # the rejections of the views left out
    warnings: tuple[str, ...] = ()


class _Sync:
    """One sync of a plan: what it compares with, and the steps `sync_plan` takes in turn."""

    def __init__(self, plan: Plan, connection: BaseDatabaseWrapper, *, force: bool) -> None:
        self.started = time.monotonic()
        self.plan = plan
        self.connection = connection
        self.force = force
        self.q = dialect.quoting(connection)
        self.digests = ddl.digests(plan, self.q)

    def compare(self, cursor: Any) -> tuple[Catalog, diff.Diff]:
        """The catalog (one query) and how the plan differs from it."""
        found = catalog.catalog(cursor, self.plan.schemas, self.plan.tenant)
        return found, diff.compare(self.plan, self.digests, found, force=self.force)

    def read(self, cursor: Any, found: Catalog, changes: diff.Diff) -> steps.Found:
        """What the statements depend on, read before any is planned."""
        session = privileges.session(cursor, self.plan.roles)
        contents = dependencies.contents(cursor, steps.managed_schemas(self.plan, found))
        capacity = locks.capacity(cursor)
        abandoned = tuple(
            (area, catalog.schema_comment(cursor, area), dependencies.contents(cursor, [area]))
            for area in changes.abandoned_areas
        )
        return steps.Found(cursor.db.pg_version, session, contents, capacity, abandoned)

    def plan_steps(
        self,
        found: Catalog,
        changes: diff.Diff,
        read: steps.Found,
        left_out: Collection[Key] = (),
    ) -> steps.Steps:
        planned = steps.plan_steps(self.q, self.plan, self.digests, found, changes, read, left_out)
        script = as_script(planned.statements)
        logger.debug("Sync script for database %s:\n%s", self.plan.using, script)
        return planned

    def planned(self, found: Catalog, changes: diff.Diff) -> _Done:
        """The statements a sync would run, planned and not run (`sync_views --check`)."""
        with self.connection.cursor() as cursor:
            read = self.read(cursor, found, changes)
        planned = self.plan_steps(found, changes, read)
        comments = steps.comment_columns(self.q, planned.built)
        return _Done(planned, (*planned.statements, *comments))

    def apply(
        self, cursor: Any, found: Catalog, changes: diff.Diff, skip: rejections.Skip
    ) -> _Done:
        """Run the statements, in the caller's transaction; the views the database rejects are
        left out where `skip` allows (rejections.py), wherever they are built."""
        read = self.read(cursor, found, changes)
        left_out = rejections.LeftOut(self.plan, skip)
        managed = steps.managed_schemas(self.plan, found)

        def run_batch(statements: Sequence[Statement], reads: rejections.Reads) -> None:
            batch.run(cursor, self.connection, statements, managed, reads)

        planned = left_out.run(
            run_batch,
            lambda left: self.plan_steps(found, changes, read, left),
            lambda planned: planned.prepare,
            lambda planned: planned.built,
        )
        verify.early_readers(cursor, planned)
        locking.take(cursor, self.connection, self.q, planned.locking, planned.locked)
        planned = left_out.run(
            run_batch,
            lambda left: steps.without(planned, self.q, self.plan, self.digests, changes, left),
            lambda planned: planned.swap,
            lambda planned: planned.built,
        )
        verify.columns(cursor, planned.built)
        comments = steps.comment_columns(self.q, planned.built)
        batch.run(cursor, self.connection, comments)
        warnings = tuple(undeclared.warnings(cursor, self.plan, planned.built))
        statements = (*planned.statements, *comments)
        return _Done(planned, statements, frozenset(left_out.keys), left_out.refused, warnings)

    def log(self, done: _Done, dry_run: bool) -> None:
        for warning in done.warnings:
            logger.warning("%s", warning)
        if dry_run:
            return
        log_revokes(self.plan, done.planned.drift)
        logger.info(
            'Built %d of %d views on database "%s" in %.3fs',
            len(done.planned.built),
            len(self.plan.views),
            self.plan.using,
            time.monotonic() - self.started,
        )

    def finish(
        self, status: SyncStatus, changes: diff.Diff, dry_run: bool, done: _Done | None = None
    ) -> SyncResult:
        """The result, announced by `views_synced`."""
        unchanged = status is SyncStatus.UP_TO_DATE
        left_out = done.left_out if done else frozenset()
        result = SyncResult(
            self.plan.using,
            status,
            self.plan.views,
            done.planned.built if done else (),
            tuple(s.sql for s in done.statements) if done else (),
            time.monotonic() - self.started,
            changes=changes,
            dropped=() if unchanged else tuple(sorted(changes.extra | left_out)),
            rejections=done.refused.rejections if done and done.refused else (),
            left_out=tuple(view for view in self.plan.views if view.key in left_out),
            drift=done.planned.drift if done else (),
            warnings=tuple(done.warnings) if done else (),
            tenant=self.plan.tenant,
        )
        signals.views_synced.send(
            sender=Plan,
            using=self.plan.using,
            views=self.plan.views,
            dry_run=dry_run,
            result=result,
            unchanged=unchanged,
            duration=result.duration,
        )
        return result
