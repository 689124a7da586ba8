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

import json
import logging
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from django.db import DatabaseError, transaction
from django.db.backends.base.base import BaseDatabaseWrapper

from .. import conf
from ..planning.plan import STATE_SCHEMA, Plan
from ..sql import pg_cron_procedure
from ..sql.ddl import Quoting
from ..sql.refresh_script import in_place, script_for
from ..sync import executor
from ..sync.executor import SyncResult
from . import refresh_state

logger = logging.getLogger(__name__)

#: What makes a pg_cron job ours: the start of its name.
JOB_PREFIX = "django_orm_views_hook:"
JOB_NAME = JOB_PREFIX + "refresh_due"
#: The job looks for due views once a minute, as `refresh_views --due` from cron would.
SCHEDULE = "* * * * *"


def command(q: Quoting) -> str:
    """What the job runs; the lock settings are read at each sync."""
    attempt = f"{max(1, round(conf.lock_attempt_timeout() * 1000))}ms"
    budget = f"{conf.lock_budget():g}s"
    return (
        f"CALL {pg_cron_procedure.procedure(q)}(lock_attempt => {q.literal(attempt)}, "
        f"lock_budget => {q.literal(budget)})"
    )


# Whether the extension, the schedule table and the procedure (as this code writes it) exist.
_FOUND_SQL = """
SELECT (SELECT extversion FROM pg_extension WHERE extname = 'pg_cron'),
       to_regclass(%s) IS NOT NULL,
       coalesce((SELECT p.prosrc = %s FROM pg_proc p
                 JOIN pg_namespace n ON n.oid = p.pronamespace
                 WHERE n.nspname = %s AND p.proname = %s), false),
       current_database()
"""


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
    q = executor.quoting(connection)
    found = [pg_cron_procedure.SCHEDULE_REGCLASS, pg_cron_procedure.body(q)]
    with connection.cursor() as cursor:
        cursor.execute(_FOUND_SQL, [*found, STATE_SCHEMA, pg_cron_procedure.PROCEDURE])
        version, has_table, current, database = cursor.fetchone()
    scheduled = [view for view in plan.views if view.refresh_every is not None]
    if version is None:
        if not scheduled:
            return []
        many = len(scheduled) != 1
        views = f"{len(scheduled)} scheduled views are" if many else "1 scheduled view is"
        return [
            f'WARNING: ORM_VIEWS_REFRESH_SCHEDULER is "pg_cron", but database "{plan.using}" '
            "does not have the pg_cron extension (it needs shared_preload_libraries = "
            f"'pg_cron', cron.database_name = '{database}' and CREATE EXTENSION pg_cron); "
            f'{views} refreshed only by "manage.py refresh_views --due", run every minute by '
            "another scheduler."
        ]
    lines = []
    if scheduled and not (has_table and current):
        refresh_state.ensure(connection, q, pg_cron_procedure.create_statements(q, JOB_NAME))
        has_table = True
    if has_table:
        lines += _keep_schedule(plan, connection, q)
    with connection.cursor() as cursor:
        lines += _keep_job(cursor, q, database, wanted=bool(scheduled))
    return lines


def _keep_schedule(plan: Plan, connection: BaseDatabaseWrapper, q: Quoting) -> list[str]:
    """The schedule rows: one per scheduled view, with the statements of its refresh."""
    digests = executor.digests(plan, q)
    wanted: dict[tuple[str, str], tuple[Any, ...]] = {}
    for position, view in enumerate(plan.views):
        if view.refresh_every is None:
            continue
        first = in_place(q, view).as_json() if view.pk_field else None
        script = script_for(q, plan, view, digests).as_json()
        wanted[view.key] = (view.label, view.refresh_every, position, script, first)
    table = pg_cron_procedure.schedule_table(q)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT view_schema, view_name, view_class, every, position, script, unpopulated "
            f"FROM {table}"
        )
        found = {(s, n): (c, e, p, _loads(a), _loads(b)) for s, n, c, e, p, a, b in cursor}
        gone = sorted(set(found) - set(wanted))
        changed = [key for key, row in wanted.items() if found.get(key) != row]
        if gone:
            cursor.execute(
                f"DELETE FROM {table} WHERE (view_schema, view_name) IN "
                "(SELECT * FROM unnest(%s::text[], %s::text[]))",
                [[s for s, _ in gone], [n for _, n in gone]],
            )
        for key in changed:
            label, every, position, script, first = wanted[key]
            cursor.execute(
                f"INSERT INTO {table} VALUES (%s, %s, %s, %s, %s, %s::jsonb, %s::jsonb) "
                "ON CONFLICT (view_schema, view_name) DO UPDATE SET view_class = "
                "excluded.view_class, every = excluded.every, position = excluded.position, "
                "script = excluded.script, unpopulated = excluded.unpopulated",
                [*key, label, every, position, json.dumps(script), _json(first)],
            )
    lines = [f'pg_cron: {s}.{n} no longer scheduled on database "{plan.using}"' for s, n in gone]
    for key in changed:
        what = "scheduled" if key not in found else "schedule updated"
        lines.append(
            f'pg_cron: {key[0]}.{key[1]} {what} (every {wanted[key][1]}) on database "{plan.using}"'
        )
    return lines


def _json(value: dict[str, Any] | None) -> str | None:
    return None if value is None else json.dumps(value)


def _loads(value: Any) -> Any:
    # Django has the driver return jsonb as text (JSONField parses it itself).
    return json.loads(value) if isinstance(value, str) else value


_JOBS_SQL = """
SELECT jobid, jobname, schedule, command, database, active FROM cron.job
WHERE starts_with(jobname, %s) AND database = current_database()
ORDER BY jobid
"""


def _keep_job(cursor: Any, q: Quoting, database: str, *, wanted: bool) -> list[str]:
    """One job of ours while views are scheduled, none otherwise; others' jobs are left alone."""
    cursor.execute(_JOBS_SQL, [JOB_PREFIX])
    ours = cursor.fetchall()
    call = command(q)
    keep = next((job for job in ours if job[1] == JOB_NAME), None) if wanted else None
    lines = []
    for jobid, name, *_ in ours:
        if keep is None or jobid != keep[0]:
            cursor.execute("SELECT cron.unschedule(%s::bigint)", [jobid])
            lines.append(f"pg_cron: removed job {jobid} ({name})")
    if not wanted:
        return lines
    if keep is None:
        cursor.execute(
            "SELECT cron.schedule_in_database(%s, %s, %s, %s)", [JOB_NAME, SCHEDULE, call, database]
        )
        lines.append(f"pg_cron: created job {cursor.fetchone()[0]} ({JOB_NAME}, {SCHEDULE})")
    elif tuple(keep[2:]) != (SCHEDULE, call, database, True):
        cursor.execute(
            "SELECT cron.alter_job(%s::bigint, schedule => %s, command => %s, database => %s, "
            "active => true)",
            [keep[0], SCHEDULE, call, database],
        )
        lines.append(f"pg_cron: changed job {keep[0]} ({JOB_NAME}) back to what the code says")
    return lines


def unschedule(connection: BaseDatabaseWrapper) -> str:
    """Remove the package's pg_cron jobs and schedule from a database (`refresh_views
    --unschedule`); the refresh state stays."""
    q = executor.quoting(connection)
    lines: Sequence[str] = ()
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.execute(
            "SELECT to_regclass(%s) IS NOT NULL",
            [pg_cron_procedure.SCHEDULE_REGCLASS],
        )
        if cursor.fetchone()[0]:
            cursor.execute(f"DELETE FROM {pg_cron_procedure.schedule_table(q)}")
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_cron'")
        if cursor.fetchone() is not None:
            lines = _keep_job(cursor, q, "", wanted=False)
    where = f'database "{connection.alias}"'
    return "\n".join(lines) or f"pg_cron: no job of this package on {where}."
