"""pg_cron's catalog and the package's schedule table: what exists, what is scheduled.

The sync decides what the job and the schedule should be (sync/schedule.py); this reads and
writes them. Jobs whose names do not start with sql.marks.JOB_PREFIX are never touched.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.backends.base.base import BaseDatabaseWrapper

from ..planning.identifiers import STATE_SCHEMA
from ..planning.plan import Key
from ..sql import pg_cron_procedure
from ..sql.marks import JOB_NAME, JOB_PREFIX, PROCEDURE
from ..sql.pg_cron_procedure import SCHEDULE
from ..sql.statement import Quoting
from . import dialect

# Whether the extension, the schedule table and the procedure (as this code writes it) exist.
_FOUND_SQL = """
SELECT (SELECT extversion FROM pg_extension WHERE extname = 'pg_cron'),
       to_regclass(%s) IS NOT NULL,
       coalesce((SELECT p.prosrc = %s FROM pg_proc p
                 JOIN pg_namespace n ON n.oid = p.pronamespace
                 WHERE n.nspname = %s AND p.proname = %s), false),
       current_database()
"""


@dataclass(frozen=True)
class Found:
    """pg_cron's version (None: not installed), whether the schedule table and this code's
    procedure exist, and the database's name."""

    version: str | None
    has_table: bool
    current: bool
    database: str


def found(cursor: Any, q: Quoting) -> Found:
    names = [pg_cron_procedure.SCHEDULE_REGCLASS, pg_cron_procedure.body(q)]
    cursor.execute(_FOUND_SQL, [*names, STATE_SCHEMA, PROCEDURE])
    return Found(*cursor.fetchone())


#: A schedule row: view class, interval, position in the plan, its refresh script, and the
#: script of its first refresh when created WITH NO DATA (JSON objects, as the procedure reads).
Row = tuple[Any, ...]


def schedule(cursor: Any, q: Quoting) -> dict[Key, Row]:
    """The schedule's rows, by view."""
    cursor.execute(
        "SELECT view_schema, view_name, view_class, every, position, script, unpopulated "
        f"FROM {pg_cron_procedure.schedule_table(q)}"
    )
    return {(s, n): (c, e, p, _loads(a), _loads(b)) for s, n, c, e, p, a, b in cursor}


def write_schedule(
    cursor: Any, q: Quoting, gone: Sequence[Key], changed: Mapping[Key, Row]
) -> None:
    """Remove the rows of `gone`, write those of `changed`."""
    table = pg_cron_procedure.schedule_table(q)
    if gone:
        cursor.execute(
            f"DELETE FROM {table} WHERE (view_schema, view_name) IN "
            "(SELECT * FROM unnest(%s::text[], %s::text[]))",
            [[s for s, _ in gone], [n for _, n in gone]],
        )
    for key, (label, every, position, script, first) in changed.items():
        cursor.execute(
            f"INSERT INTO {table} VALUES (%s, %s, %s, %s, %s, %s::jsonb, %s::jsonb) "
            "ON CONFLICT (view_schema, view_name) DO UPDATE SET view_class = "
            "excluded.view_class, every = excluded.every, position = excluded.position, "
            "script = excluded.script, unpopulated = excluded.unpopulated",
            [*key, label, every, position, json.dumps(script), _json(first)],
        )


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


def keep_job(cursor: Any, q: Quoting, database: str, *, wanted: bool) -> list[str]:
    """One job of ours while views are scheduled, none otherwise; others' jobs are left alone."""
    cursor.execute(_JOBS_SQL, [JOB_PREFIX])
    ours = cursor.fetchall()
    call = pg_cron_procedure.command(q)
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
    q = dialect.quoting(connection)
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
            lines = keep_job(cursor, q, "", wanted=False)
    where = f'database "{connection.alias}"'
    return "\n".join(lines) or f"pg_cron: no job of this package on {where}."
