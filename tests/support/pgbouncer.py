"""A real PgBouncer in transaction pooling mode, in front of the test's PostgreSQL server."""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection

#: Server connections per database and user: fewer than the clients the tests open.
POOL_SIZE = 2


def _executable() -> str | None:
    return shutil.which("pgbouncer") or next(
        (path for path in ("/usr/sbin/pgbouncer", "/usr/bin/pgbouncer") if os.path.exists(path)),
        None,
    )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _run_as(host: str) -> str | None:
    """PgBouncer refuses to run as root: run it as the owner of the server's socket directory."""
    if os.geteuid() != 0:
        return None
    if host.startswith("/"):
        return pwd.getpwuid(os.stat(host).st_uid).pw_name
    return "nobody"


def _config(directory: Path, port: int) -> Path:
    params = connection.settings_dict
    server = {
        "host": params.get("HOST") or "127.0.0.1",
        "port": params.get("PORT") or 5432,
        "user": params.get("USER") or "postgres",
        "password": params.get("PASSWORD") or "",
    }
    target = " ".join(f"{key}={value}" for key, value in server.items() if value)
    path = directory / "pgbouncer.ini"
    path.write_text(
        "[databases]\n"
        f"* = {target}\n"
        "[pgbouncer]\n"
        "listen_addr = 127.0.0.1\n"
        f"listen_port = {port}\n"
        "unix_socket_dir =\n"
        "auth_type = any\n"
        "pool_mode = transaction\n"
        f"default_pool_size = {POOL_SIZE}\n"
        "reserve_pool_size = 0\n"
        "max_client_conn = 200\n"
        "query_wait_timeout = 60\n"
        "ignore_startup_parameters = extra_float_digits,options\n"
    )
    return path


@pytest.fixture(scope="module")
def pgbouncer(tmp_path_factory, django_db_blocker) -> Iterator[int]:
    """Start PgBouncer on a free local port; yields the port. Skips when it is not installed."""
    executable = _executable()
    if executable is None:
        pytest.skip("pgbouncer is not installed (apt-get install pgbouncer): not tested behind it")
    with django_db_blocker.unblock():
        host = connection.settings_dict.get("HOST") or ""
    directory = tmp_path_factory.mktemp("pgbouncer")
    port = _free_port()
    config = _config(directory, port)
    user = _run_as(host)
    args = [executable, *(["-u", user] if user else []), str(config)]
    log = directory / "pgbouncer.log"  # a file, not a pipe: a full pipe would stall it
    with log.open("w") as output:
        process = subprocess.Popen(args, stdout=output, stderr=subprocess.STDOUT)
    try:
        _wait_until_listening(port, process, log)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)


def _wait_until_listening(port: int, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"pgbouncer exited: {log.read_text()}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("pgbouncer did not start listening within 10 s")
