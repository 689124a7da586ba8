"""An analyst's session, as a process of its own: it reads in a loop, with no pause, until stopped.

    python tests/support/analyst.py DSN MODE QUERY [QUERY ...]

MODE `each`: every query in its own transaction (a dashboard). MODE `together`: all of them in
one transaction, in the order given (a report that reads a table, then a view over it). It
prints `ready` once every query has run once, and on SIGTERM (or SIGINT) a JSON summary:
reads, errors (with their SQLSTATE), the longest time each query took.
"""

from __future__ import annotations

import json
import signal
import sys
import time

try:
    import psycopg as driver
except ImportError:  # the psycopg2 lane of the tests
    import psycopg2 as driver  # type: ignore[no-redef]


def connect(dsn: str):
    """An autocommit session that sends each query as text, as psql does.

    psycopg 3 would prepare a query after five runs, and a prepared query fails once the
    view's columns change ("cached plan must not change result type"), whatever locks did.
    """
    if driver.__name__ == "psycopg":
        connection = driver.connect(dsn, autocommit=True, prepare_threshold=None)
    else:
        connection = driver.connect(dsn)
        connection.autocommit = True
    return connection, connection.cursor()


def main(dsn: str, mode: str, queries: list[str]) -> None:
    stopping = False

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    connection, cursor = connect(dsn)
    reads, errors, longest = 0, [], dict.fromkeys(queries, 0.0)
    ready = False
    while not stopping:
        try:
            if mode == "together":
                cursor.execute("BEGIN")
            for sql in queries:
                started = time.monotonic()
                cursor.execute(sql)
                cursor.fetchall()
                longest[sql] = max(longest[sql], time.monotonic() - started)
                reads += 1
            if mode == "together":
                cursor.execute("COMMIT")
        except driver.Error as exc:
            code = getattr(exc, "sqlstate", None) or getattr(exc, "pgcode", None)
            errors.append(f"{code}: {str(exc).strip()}")
            if mode == "together" or connection.closed:
                if connection.closed:
                    connection, cursor = connect(dsn)
                else:
                    cursor.execute("ROLLBACK")
            continue
        if not ready:
            ready = True
            print("ready", flush=True)
    print(
        json.dumps(
            {"reads": reads, "errors": errors[:20], "error_count": len(errors), "longest": longest}
        ),
        flush=True,
    )


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3:])
