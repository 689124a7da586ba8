"""PostgreSQL servers of a test's own (other settings, a standby, an extension preloaded).

initdb, pg_ctl and pg_basebackup come with the embedded server's package (PostgreSQL 16), or
from another installation's bin directory (Debian's PostgreSQL 15, whose packages add
extensions such as pg_cron); as root they run as the system user pgserver uses. Each server
listens on a unix socket in its own temporary directory only, so it clashes with nothing else
on the machine.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper

SYSTEM_USER = "pgserver"


def bin_dir() -> Path:
    """pgserver's bin folder; skips the test, saying why, when it is missing."""
    try:
        import pgserver
    except ImportError:
        pytest.skip("needs pgserver's initdb/pg_ctl binaries (pgserver is not installed)")
    found = Path(pgserver.__file__).parent / "pginstall" / "bin"
    if not (found / "initdb").exists():
        pytest.skip(f"needs initdb and pg_ctl in {found}")
    return found


def debian_bin_dir(version: int = 15) -> Path:
    """Debian's PostgreSQL `version` binaries; skips the test, saying why, when missing."""
    found = Path(f"/usr/lib/postgresql/{version}/bin")
    if not (found / "initdb").exists():
        pytest.skip(
            f"needs Debian's PostgreSQL {version} server binaries in {found} "
            f"(apt-get install postgresql-{version})"
        )
    return found


class Cluster:
    """One server: `initdb` (or a base backup of another), then `start` with `settings`.

    `bin` is the directory of initdb and pg_ctl (default: pgserver's).
    """

    def __init__(self, name: str, bin: Path | None = None, **settings: object) -> None:
        self.bin = bin or bin_dir()
        self.root = Path(tempfile.mkdtemp(prefix=f"orm-views-{name}-"))
        self.data = self.root / "data"
        self.settings = {
            "listen_addresses": "''",
            "unix_socket_directories": f"'{self.root}'",
            "fsync": "off",
            **settings,
        }
        self._user: str | None = None
        if os.geteuid() == 0:  # PostgreSQL refuses to run as root
            self._user = _system_user()
            shutil.chown(self.root, self._user)
        self.root.chmod(0o755)

    def run(self, program: str, *args: str) -> str:
        done = subprocess.run(
            [str(self.bin / program), *args],
            user=self._user,
            capture_output=True,
            text=True,
            timeout=120,
        )
        if done.returncode:
            log = self.root / "log"
            tail = log.read_text()[-2000:] if log.exists() else ""
            raise RuntimeError(f"{program} failed: {done.stderr or done.stdout}{tail}")
        return done.stdout

    def initdb(self) -> Cluster:
        """A fresh data directory: a copy of one initdb made once per test process."""
        template = _template(self)
        subprocess.run(["cp", "-a", str(template), str(self.data)], user=self._user, check=True)
        return self

    def base_backup_of(self, primary: Cluster) -> Cluster:
        """This server's data: a base backup of `primary`, set up to stream from it (-R)."""
        self.run(
            "pg_basebackup",
            *("-D", str(self.data), "-h", primary.host, "-U", "postgres"),
            *("-X", "stream", "-R", "-c", "fast", "--no-sync"),
        )
        return self

    def start(self) -> Cluster:
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.writelines(f"{key} = {value}\n" for key, value in self.settings.items())
        self.run("pg_ctl", "-D", str(self.data), "-l", str(self.root / "log"), "-w", "start")
        return self

    def restart(self, **settings: object) -> None:
        """Restart with `settings` on top of those it started with."""
        options = " ".join(f"-c {key}={value}" for key, value in settings.items())
        data, log = str(self.data), str(self.root / "log")
        self.run("pg_ctl", "-D", data, "-l", log, "-w", "-m", "fast", "-o", options, "restart")

    def stop(self) -> None:
        try:
            if (self.data / "postmaster.pid").exists():
                self.run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    @property
    def host(self) -> str:
        return str(self.root)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@{quote(self.host, safe='')}/{database}"

    def database_settings(self, database: str = "postgres") -> dict[str, object]:
        """A DATABASES entry for this server."""
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": database,
            "USER": "postgres",
            "HOST": self.host,
            "PORT": "",
        }


@contextlib.contextmanager
def database_alias(alias: str, settings: dict[str, object]) -> Iterator[BaseDatabaseWrapper]:
    """`connections[alias]` for a server of the test's own, for as long as the block runs."""
    connections.settings[alias] = connections.configure_settings(
        {DEFAULT_DB_ALIAS: {}, alias: dict(settings)}
    )[alias]
    try:
        yield connections[alias]
    finally:
        connections[alias].close()
        del connections[alias]
        del connections.settings[alias]


def _system_user() -> str:
    """The user root runs the servers as: pgserver's, else Debian's `postgres`."""
    try:
        from pgserver.utils import ensure_user_exists
    except ImportError:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root with neither pgserver nor a `postgres` system user")
        return "postgres"
    ensure_user_exists(SYSTEM_USER)
    return SYSTEM_USER


#: One initdb per bin directory (a data directory is for that version only).
_templates: dict[Path, Path] = {}


def _template(cluster: Cluster) -> Path:
    """One initdb for every server of this process (it is most of the time a server takes)."""
    if cluster.bin not in _templates:
        made = Cluster("template", bin=cluster.bin)
        made.run(
            "initdb", "-D", str(made.data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "-N"
        )
        atexit.register(shutil.rmtree, made.root, ignore_errors=True)
        _templates[cluster.bin] = made.data
    return _templates[cluster.bin]
