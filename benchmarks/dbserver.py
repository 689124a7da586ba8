"""The PostgreSQL server the benchmarks run on, fresh `bench_*` databases, and statement counts.

By default an embedded PostgreSQL 16 (`django_orm_views_hook.embedded.database_url` with a
temporary data directory, deleted at exit); `DATABASE_URL` when set. Statements are counted from
the server's own log (`log_statement = 'all'`, set for the measured session only) when the log
file is readable, which it is on the embedded server.
"""

from __future__ import annotations

import atexit
import os
import re
import shutil
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

from django_orm_views_hook.embedded import database_url

# The default log_line_prefix, '%m [%p] ': time stamp with zone, then the backend's pid.
LOG_ENTRY = re.compile(
    r"^\d{4}-\d\d-\d\d [\d:.]+ \S+ \[(\d+)\] LOG:  (?:statement|execute [^:]*): (.*)$"
)
DDL = re.compile(r"^\s*(CREATE|DROP|ALTER|COMMENT|GRANT|REVOKE|REFRESH)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Server:
    url: str  # the server's own database (CREATE DATABASE runs there)
    log: Path | None  # the server log, when this process can read it
    embedded: bool

    def database_url(self, name: str) -> str:
        parts = urlsplit(self.url)
        return urlunsplit(parts._replace(path=f"/{name}"))

    def create(self, name: str) -> str:
        """A fresh, empty database `name` (dropped first if a previous run left it)."""
        assert name.startswith("bench_"), name
        with psycopg.connect(self.url, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            connection.execute(f'CREATE DATABASE "{name}"')
        return self.database_url(name)

    def drop(self, name: str) -> None:
        assert name.startswith("bench_"), name
        with psycopg.connect(self.url, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def version(self) -> str:
        with psycopg.connect(self.url, autocommit=True) as connection:
            row = connection.execute("SELECT version()").fetchone()
        return row[0] if row else "?"


def start() -> Server:
    """DATABASE_URL's server, or a new embedded PostgreSQL 16 deleted when this process exits."""
    if os.environ.get("DATABASE_URL"):
        return Server(url=os.environ["DATABASE_URL"], log=None, embedded=False)
    scratch = Path(tempfile.mkdtemp(prefix="orm-views-bench-"))
    # Registered before pgserver registers its own stop: atexit runs it after the server stopped.
    atexit.register(shutil.rmtree, scratch, ignore_errors=True)
    with warnings.catch_warnings():
        # pgserver asks platformdirs for a runtime directory; harmless without XDG_RUNTIME_DIR.
        warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")
        url = database_url(scratch / "pgdata")
    return Server(url=url, log=scratch / "pgdata" / "log", embedded=True)


@dataclass
class Count:
    statements: int = 0  # entries in the server log: one per simple query or execute message
    ddl: int = 0  # of which DDL (CREATE, DROP, ALTER, COMMENT, GRANT, REVOKE, REFRESH)


class StatementLog:
    """Count what one backend sends, from the server log, between `start()` and `stop()`."""

    def __init__(self, log: Path | None) -> None:
        self.log = log if log is not None and os.access(log, os.R_OK) else None
        self._offset = 0

    @property
    def available(self) -> bool:
        return self.log is not None

    def start(self, cursor: object) -> None:
        if self.log is None:
            return
        self._offset = self.log.stat().st_size
        cursor.execute("SET log_statement = 'all'")  # type: ignore[attr-defined]

    def stop(self, cursor: object, pid: int) -> Count:
        count = Count()
        if self.log is None:
            return count
        cursor.execute("RESET log_statement")  # type: ignore[attr-defined]
        with self.log.open("rb") as handle:
            handle.seek(self._offset)
            text = handle.read().decode("utf-8", "replace")
        for line in text.splitlines():
            match = LOG_ENTRY.match(line)
            if not match or int(match.group(1)) != pid:
                continue
            if match.group(2).startswith("RESET log_statement"):
                continue
            count.statements += 1
            count.ddl += bool(DDL.match(match.group(2)))
        return count
