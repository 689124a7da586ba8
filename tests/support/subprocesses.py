"""Run Django in a real child process against a scratch database on the test server."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def database_url(name: str) -> str:
    """A URL for database `name` on the server the tests use (TCP or unix socket)."""
    params = connection.settings_dict
    user = quote(params.get("USER") or "")
    password = quote(params.get("PASSWORD") or "")
    credentials = f"{user}:{password}@" if password else f"{user}@"
    host = params.get("HOST") or ""
    port = params.get("PORT") or 5432
    # A unix-socket directory goes percent-encoded where the host name would be.
    netloc = quote(host, safe="") if host.startswith("/") else f"{host}:{port}"
    return f"postgresql://{credentials}{netloc}/{name}"


@contextlib.contextmanager
def scratch_database(name: str, template: str | None = None) -> Iterator[str]:
    """CREATE DATABASE name (a copy of database `template`; dropped afterwards); yields its URL."""
    qname = connection.ops.quote_name(name)
    copy = f" TEMPLATE {connection.ops.quote_name(template)}" if template else ""
    with connection._nodb_cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {qname}")
        cursor.execute(f"CREATE DATABASE {qname}{copy}")
    try:
        yield database_url(name)
    finally:
        with connection._nodb_cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {qname} WITH (FORCE)")


def _environment(url: str, env: dict[str, str]) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "PYTHONPATH": str(ROOT),
        **env,
    }


def run(args: list[str], url: str, timeout: float = 300, **env: str) -> subprocess.CompletedProcess:
    """`python -m <args>` in the project root, with DATABASE_URL=url."""
    return subprocess.run(
        [sys.executable, "-m", *args],
        cwd=ROOT,
        env=_environment(url, env),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def start(args: list[str], url: str, **env: str) -> subprocess.Popen:
    """Like `run`, without waiting: `.communicate()` it."""
    return subprocess.Popen(
        [sys.executable, "-m", *args],
        cwd=ROOT,
        env=_environment(url, env),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for(predicate, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)
