"""The migrate hook: `pre_migrate` drops the managed views, `post_migrate` rebuilds them.

Our `migrate` command opens a `MigrateRun`; inside one, the drop, the migrations and the
rebuild share one transaction. Outside one (Django's own migrate, `flush`), `post_migrate`
still syncs, which costs one catalog query when nothing changed.
"""

from __future__ import annotations

import contextvars
import logging
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import Any

from django.db import connections, transaction

from . import conf, executor, impact
from .executor import SyncResult
from .plan import Plan
from .sync import is_postgres, plan_for

logger = logging.getLogger(__name__)


@dataclass
class MigrateRun:
    """State shared by our `migrate` command and the signal handlers for one database."""

    using: str
    fake: bool = False
    leave_views_dropped: bool = False
    warn: Callable[[str], None] = logger.warning
    stack: ExitStack = field(default_factory=ExitStack)
    non_atomic: tuple[str, ...] = ()
    dropped: SyncResult | None = None
    #: Built once before the migrations and reused after them: the code does not change.
    plan: Plan | None = None
    result: SyncResult | None = None


current_run: contextvars.ContextVar[MigrateRun | None] = contextvars.ContextVar(
    "django_orm_views_hook_migrate_run", default=None
)


def _is_ours(sender: Any) -> bool:
    return getattr(sender, "name", None) == conf.APP_NAME


def _run_for(using: str) -> MigrateRun | None:
    run = current_run.get()
    return run if run is not None and run.using == using else None


def drop_views_before_migrations(
    sender: Any, using: str, plan: Any = None, apps: Any = None, **kwargs: Any
) -> None:
    """Open the run's transaction and drop the views that read the tables migrations change."""
    run = _run_for(using)
    if not _is_ours(sender) or run is None or not conf.auto_sync() or not is_postgres(using):
        return
    plan = plan or []
    will_touch_tables = bool(plan) and not run.fake
    if not (will_touch_tables or run.leave_views_dropped):
        return  # nothing to migrate: post_migrate checks the views, no lock taken
    run.non_atomic = tuple(str(m) for m, _ in plan if not m.atomic)
    if run.non_atomic:
        _hold_session_lock(run)
    else:
        run.stack.enter_context(transaction.atomic(using=using))
    reading = None
    if not run.leave_views_dropped and apps is not None:
        max_length = connections[using].ops.max_name_length() or 63
        reading = impact.touched_tables(plan, apps, max_length)
    run.plan = plan_for(using)
    run.dropped = executor.drop_managed_views(run.plan, connections[using], reading=reading)
    if run.non_atomic:
        consequence = (
            "The views that read the tables these migrations change were dropped in a "
            "transaction of their own and are rebuilt after the migrations: until then, "
            "readers of those views get errors."
            if run.dropped.statements
            else "No view reads the tables they change, so no view was dropped."
        )
        run.warn(
            f"This migrate cannot be atomic: {', '.join(run.non_atomic)} set atomic = False "
            f"and cannot run inside a transaction, so each migration commits on its own. "
            f"{consequence}"
        )


def _hold_session_lock(run: MigrateRun) -> None:
    # The advisory lock must outlive the per-migration transactions of a non-atomic run.
    with connections[run.using].cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [executor.ADVISORY_LOCK_KEY])

    def unlock() -> None:
        with connections[run.using].cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [executor.ADVISORY_LOCK_KEY])

    run.stack.callback(unlock)


def rebuild_views_after_migrations(sender: Any, using: str, **kwargs: Any) -> None:
    """Rebuild the views (or find them up to date) once the migrations are applied."""
    if not _is_ours(sender) or not conf.auto_sync() or not is_postgres(using):
        return
    run = _run_for(using)
    if run is not None and run.leave_views_dropped:
        run.warn(
            f'The managed views of database "{using}" are left dropped (--leave-views-dropped); '
            "the next migrate or sync_views rebuilds them."
        )
        return
    plan = run.plan if run is not None and run.plan is not None else plan_for(using)
    result = executor.sync_plan(plan, connections[using])
    if run is not None:
        run.result = result
