"""With ORM_VIEWS_REFRESH_SCHEDULER = "pg_cron", the sync keeps a pg_cron job that refreshes the
due views inside the database, with no process of the project's running.

One job for all the views, every minute: `CALL django_orm_views_hook.refresh_due(...)`, a
procedure that does what `refresh_views --due` does (the same statements, from
refresh_script.py, stored per view in `django_orm_views_hook.refresh_schedule`; the same state
rows, claims and recorded errors), committing after each view. Why one job and not one per view:
cron syntax cannot say "every 45 minutes" or "every 90 minutes", one job per view could not
refresh a view after the views it reads, and at 500 views a job each would open 500 connections
a minute where one job runs one query.

After each sync, the job and the schedule are made to match the code, as grants are: created,
changed, removed. Jobs whose names do not start with JOB_PREFIX are never touched. Without the
extension the sync says so (a warning) and `refresh_views --due` remains the way.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from django.db import DatabaseError, transaction
from django.db.backends.base.base import BaseDatabaseWrapper

from .. import conf
from ..database import dialect, pg_cron, refresh_state, tenants
from ..planning.plan import Key, Plan
from ..sql import ddl, pg_cron_procedure
from ..sql.refresh_script import in_place, script_for
from ..sql.statement import Quoting
from .result import SyncResult

logger = logging.getLogger(__name__)


def keep_jobs(plan: Plan, connection: BaseDatabaseWrapper, result: SyncResult) -> SyncResult:
    """After a sync: make the pg_cron job and schedule match the code; `result` with what was
    done (or why not) in its `schedule` lines. Does nothing (no query) unless
    ORM_VIEWS_REFRESH_SCHEDULER is "pg_cron". A failure here is a warning, not a failed sync."""
    if conf.refresh_scheduler() != "pg_cron":
        return result
    try:
        with transaction.atomic(using=connection.alias):
            lines = _reconcile(plan, connection)
    except DatabaseError as exc:
        lines = [
            f'WARNING: could not keep the pg_cron job of database "{plan.using}": '
            f'{str(exc).strip()}. Run "manage.py refresh_views --due" every minute instead.'
        ]
    for line in lines:
        (logger.warning if line.startswith("WARNING") else logger.info)("%s", line)
    return replace(result, schedule=(*result.schedule, *lines))


def _reconcile(plan: Plan, connection: BaseDatabaseWrapper) -> list[str]:
    q = dialect.quoting(connection)
    with connection.cursor() as cursor:
        found = pg_cron.found(cursor, q)
    scheduled = [view for view in plan.views if view.refresh_every is not None]
    if found.version is None:
        if not scheduled:
            return []
        many = len(scheduled) != 1
        views = f"{len(scheduled)} scheduled views are" if many else "1 scheduled view is"
        return [
            f'WARNING: ORM_VIEWS_REFRESH_SCHEDULER is "pg_cron", but database "{plan.using}" '
            "does not have the pg_cron extension (it needs shared_preload_libraries = "
            f"'pg_cron', cron.database_name = '{found.database}' and CREATE EXTENSION pg_cron); "
            f'{views} refreshed only by "manage.py refresh_views --due", run every minute by '
            "another scheduler."
        ]
    lines = []
    has_table = found.has_table
    if scheduled and not (has_table and found.current):
        refresh_state.ensure(connection, q, pg_cron_procedure.create_statements(q))
        has_table = True
    others = False
    if has_table:
        kept, others = _keep_schedule(plan, connection, q)
        lines += kept
    with connection.cursor() as cursor:
        lines += pg_cron.keep_job(cursor, q, found.database, wanted=bool(scheduled) or others)
    return lines


def _in_scope(plan: Plan, cursor: Any) -> Callable[[Key], bool]:
    """Whether a schedule row is this plan's to keep: in a django-tenants project, the views
    built once keep theirs, each tenant its own; the job serves them all."""
    if not conf.tenants():
        return lambda key: True
    owners = tenants.views_schemas(cursor)
    if plan.tenant is None:
        return lambda key: key[0] not in owners
    return lambda key: owners.get(key[0]) == plan.tenant or key[0] in plan.schemas


def _keep_schedule(
    plan: Plan, connection: BaseDatabaseWrapper, q: Quoting
) -> tuple[list[str], bool]:
    """The schedule rows: one per scheduled view, with the statements of its refresh; and
    whether rows of other tenants' views (django-tenants) remain, which the job serves too."""
    digests = ddl.digests(plan, q)
    wanted: dict[Key, pg_cron.Row] = {}
    for position, view in enumerate(plan.views):
        if view.refresh_every is None:
            continue
        first = in_place(q, view).as_json() if view.pk_field else None
        script = script_for(q, plan, view, digests).as_json()
        wanted[view.key] = (view.label, view.refresh_every, position, script, first)
    with connection.cursor() as cursor:
        everything = pg_cron.schedule(cursor, q)
        mine = _in_scope(plan, cursor)
        found = {key: row for key, row in everything.items() if mine(key)}
        gone = sorted(set(found) - set(wanted))
        changed = {key: row for key, row in wanted.items() if found.get(key) != row}
        pg_cron.write_schedule(cursor, q, gone, changed)
    lines = [f'pg_cron: {s}.{n} no longer scheduled on database "{plan.using}"' for s, n in gone]
    for key in changed:
        what = "scheduled" if key not in found else "schedule updated"
        lines.append(
            f'pg_cron: {key[0]}.{key[1]} {what} (every {wanted[key][1]}) on database "{plan.using}"'
        )
    return lines, len(everything) > len(found)
