"""The procedure the pg_cron job calls, and the schedule table it reads: SQL text, pure.

`refresh_due()` is `refresh_views --due` in PL/pgSQL: each due view is claimed (its state row
locked without waiting, then found still due), refreshed by the statements refresh_script.py
made for it (stored in the schedule by the sync) and recorded, in a transaction of its own; a
failure is recorded and the next view goes on; the exclusive locks are taken in short attempts.
The call fails at the end, naming the failed views, so that cron.job_run_details shows it.
"""

from __future__ import annotations

from .. import conf
from ..planning.identifiers import STATE_SCHEMA
from . import ddl, sqlstate
from .marks import JOB_NAME, PROCEDURE, SCHEDULE_TABLE, STATE_MARK
from .state_schema import qualified
from .statement import Quoting, Statement

#: The schedule table as to_regclass() reads it.
SCHEDULE_REGCLASS = f"{STATE_SCHEMA}.{SCHEDULE_TABLE}"
#: The job looks for due views once a minute, as `refresh_views --due` from cron would.
SCHEDULE = "* * * * *"


def schedule_table(q: Quoting) -> str:
    return qualified(q, SCHEDULE_TABLE)


def procedure(q: Quoting) -> str:
    return qualified(q, PROCEDURE)


def command(q: Quoting) -> str:
    """What the job runs; the lock settings are read at each sync."""
    attempt = ddl.milliseconds(conf.lock_attempt_timeout())
    budget = f"{conf.lock_budget():g}s"
    return (
        f"CALL {procedure(q)}(lock_attempt => {q.literal(attempt)}, "
        f"lock_budget => {q.literal(budget)})"
    )


_SCHEDULE_COLUMNS = """
    view_schema text NOT NULL,
    view_name text NOT NULL,
    view_class text NOT NULL,
    every interval NOT NULL,
    position integer NOT NULL,
    script jsonb NOT NULL,
    unpopulated jsonb,
    PRIMARY KEY (view_schema, view_name)
"""

_BODY = """
DECLARE
    v record;
    s jsonb;
    started timestamptz;
    counted bigint;
    claimed boolean;
    deadline timestamptz;
    attempts integer;
    pause double precision;
    restore text;
    message text;
    code text;
    failed text[] := '{{}}';
BEGIN
    FOR v IN
        SELECT d.* FROM {schedule} d
        LEFT JOIN {state} r ON r.view_schema = d.view_schema AND r.view_name = d.view_name
        WHERE r.refreshed_at IS NULL OR r.refreshed_at + d.every <= now()
        ORDER BY d.position
    LOOP
        INSERT INTO {state} (view_schema, view_name, view_class)
        VALUES (v.view_schema, v.view_name, v.view_class) ON CONFLICT DO NOTHING;
        COMMIT;
        started := clock_timestamp();
        BEGIN
            SELECT r.refreshed_at IS NULL OR r.refreshed_at + v.every <= now() INTO claimed
            FROM {state} r WHERE r.view_schema = v.view_schema AND r.view_name = v.view_name
            FOR UPDATE SKIP LOCKED;
            IF claimed THEN
                PERFORM set_config('standard_conforming_strings', 'on', true);
                s := v.script;
                IF v.unpopulated IS NOT NULL AND NOT coalesce((
                    SELECT c.relispopulated FROM pg_class c
                    WHERE c.oid = to_regclass(format('%I.%I', v.view_schema, v.view_name))
                ), true) THEN
                    s := v.unpopulated;
                END IF;
                counted := NULL;
                IF s->>'setup' <> '' THEN EXECUTE s->>'setup'; END IF;
                IF s->>'populate' <> '' THEN
                    EXECUTE s->>'populate';
                    GET DIAGNOSTICS counted = ROW_COUNT;
                END IF;
                IF s->>'prepare' <> '' THEN EXECUTE s->>'prepare'; END IF;
                IF s->>'guard' <> '' THEN EXECUTE s->>'guard'; END IF;
                IF s->>'locked' <> '' THEN
                    deadline := clock_timestamp() + lock_budget;
                    restore := current_setting('lock_timeout');
                    attempts := 0;
                    LOOP
                        attempts := attempts + 1;
                        BEGIN
                            PERFORM set_config('lock_timeout', ceil(
                                extract(epoch FROM lock_attempt) * 1000)::bigint || 'ms', true);
                            EXECUTE s->>'locked';
                            PERFORM set_config('lock_timeout', restore, true);
                            EXIT;
                        EXCEPTION WHEN lock_not_available OR deadlock_detected THEN
                            IF clock_timestamp() >= deadline THEN
                                RAISE EXCEPTION 'could not take the exclusive locks on %.% '
                                    'within % (% attempts of %); nothing changed',
                                    v.view_schema, v.view_name, lock_budget, attempts,
                                    lock_attempt USING ERRCODE = 'lock_not_available';
                            END IF;
                            pause := least(2.0,
                                extract(epoch FROM lock_attempt) * 2 ^ (attempts - 1));
                            PERFORM pg_sleep(pause / 2 + random() * pause / 2);
                        END;
                    END LOOP;
                END IF;
                IF s->>'swap' <> '' THEN EXECUTE s->>'swap'; END IF;
                IF s->>'count' <> '' THEN EXECUTE rtrim(s->>'count', E';\\n') INTO counted; END IF;
                UPDATE {state} SET view_class = v.view_class, refreshed_at = now(),
                    duration = clock_timestamp() - started, row_count = counted,
                    method = s->>'method', refreshes = refreshes + 1, failed_at = NULL,
                    last_error = NULL, failures = 0
                WHERE view_schema = v.view_schema AND view_name = v.view_name;
            END IF;
        EXCEPTION WHEN OTHERS THEN
            GET STACKED DIAGNOSTICS message = MESSAGE_TEXT, code = RETURNED_SQLSTATE;
            IF code <> '{running}' THEN
                UPDATE {state} SET view_class = v.view_class, failed_at = now(),
                    last_error = message, failures = failures + 1
                WHERE view_schema = v.view_schema AND view_name = v.view_name;
                failed := failed || format('%s: %s', v.view_class, message);
            END IF;
        END;
        COMMIT;
    END LOOP;
    IF cardinality(failed) > 0 THEN
        RAISE EXCEPTION 'refresh failed for % view(s) (the next run retries them): %',
            cardinality(failed), array_to_string(failed, '; ');
    END IF;
END
"""


def body(q: Quoting) -> str:
    return _BODY.format(
        schedule=schedule_table(q),
        state=qualified(q),
        running=sqlstate.DEPLOY_RUNNING,
    )


def create_statements(q: Quoting) -> list[Statement]:
    """The schedule table and the procedure, beside the state table (state_schema.py)."""
    table = schedule_table(q)
    about = (
        f"{STATE_MARK}: the views the pg_cron job {JOB_NAME} refreshes, and the "
        "statements it runs for each; kept by the sync."
    )
    return [
        Statement(f"CREATE TABLE IF NOT EXISTS {table} ({_SCHEDULE_COLUMNS})"),
        Statement(f"COMMENT ON TABLE {table} IS {q.literal(about)}"),
        Statement(
            f"CREATE OR REPLACE PROCEDURE {procedure(q)}(lock_attempt interval DEFAULT '100ms', "
            f"lock_budget interval DEFAULT '60s') LANGUAGE plpgsql AS "
            f"{q.literal(body(q))}"
        ),
    ]
