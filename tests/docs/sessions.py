"""Run a page's session: a project of its own, on a scratch database, its blocks in order.

Each command is a real process (bash, the test run's own Python first on PATH), with
DATABASE_URL pointing at the session's scratch database on the test server: nothing is
mocked, and what a page shows is what a reader who types it gets.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from django.db import connection

from tests.docs import expected
from tests.docs.pages import DIFF_HEADER, ROOT, SHELL, Block, Session
from tests.support.subprocesses import scratch_database

EXAMPLE = ROOT / "example"
TIMEOUT = 180


def environment(url: str) -> dict[str, str]:
    env = {**os.environ, "DATABASE_URL": url, "PYTHONDONTWRITEBYTECODE": "1"}
    # Unbuffered, so that stdout and stderr interleave as they do in a terminal.
    env["PYTHONUNBUFFERED"] = "1"
    # pytest-django's settings module must not leak into the projects' manage.py.
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    return env


def needs_psql(session: Session) -> bool:
    return any(
        command.text.startswith(("python manage.py dbshell", "psql"))
        for block in session.blocks
        if block.language == SHELL
        for command in expected.commands(block.text, block.line)
    )


class Project:
    """A session's directory, project and database; `run(block)` returns what went wrong."""

    def __init__(self, session: Session, directory: Path, url: str) -> None:
        self.session = session
        self.cwd, self.project = _lay_out(session.base, directory)
        self.env = environment(url)
        self.changed = session.migrated  # a file changed since the last migrate
        self.wrote = False  # a file was changed at all: check the project at the end

    def shell(self, command: str) -> subprocess.CompletedProcess[str]:
        return self._process(["bash", "-c", command])

    def manage(self, *args: str) -> subprocess.CompletedProcess[str]:
        return self._process([sys.executable, str(self.project / "manage.py"), *args])

    def _process(self, argv: list[str]) -> subprocess.CompletedProcess[str]:
        """Run argv in the session's directory; stdout and stderr together, as a terminal shows."""
        return subprocess.run(
            argv,
            cwd=self.cwd,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=TIMEOUT,
        )

    def run(self, block: Block) -> list[str]:
        if block.output_of is not None:
            done = self.shell(block.output_of)
            problem = expected.mismatch(block.text.splitlines(), done.stdout)
            return [f"{block.where}: output of `{block.output_of}`: {problem}"] if problem else []
        if block.language == SHELL:
            return self._console(block)
        if block.file_path is not None:
            return self._write(block)
        return self._python(block)

    def finish(self) -> list[str]:
        """After the last block: the files the page wrote make a project that checks out."""
        if not self.wrote:
            return []
        problems = self.migrate_if_changed(self.session.where)
        # sync_views runs the system checks first, the definitions' included.
        done = self.manage("sync_views", "--check")
        if done.returncode != 0:
            problems.append(f"{self.session.where}: at the end, sync_views --check failed:")
            problems[-1] += f"\n{done.stdout}"
        return problems

    def _console(self, block: Block) -> list[str]:
        problems = []
        for command in expected.commands(block.text, block.line):
            if command.installs:
                continue
            done = self.shell(command.text)
            where = f"{block.page}:{command.line}: `{command.text}`"
            if done.returncode != command.status:
                problems.append(
                    f"{where} exited with status {done.returncode}, not {command.status}:\n"
                    f"{done.stdout}"
                )
            elif problem := expected.mismatch(command.shown, done.stdout):
                problems.append(f"{where}: {problem}")
            if "manage.py migrate" in command.text or "manage.py sync_views" in command.text:
                self.changed = False
        return problems

    def _write(self, block: Block) -> list[str]:
        path = self._path(block.file_path or "")
        self.changed = self.wrote = True
        if block.language == "diff":
            return self._patch(block, path)
        path.parent.mkdir(parents=True, exist_ok=True)
        before = path.read_text() if path.exists() else ""
        if before and not before.endswith("\n"):
            before += "\n"
        path.write_text(before + ("\n\n" if before else "") + block.text)
        return []

    def _patch(self, block: Block, path: Path) -> list[str]:
        body = block.text[DIFF_HEADER.match(block.text).end() :].splitlines()  # type: ignore[union-attr]
        old = "".join(line[1:] + "\n" for line in body if line[:1] in (" ", "-"))
        new = "".join(line[1:] + "\n" for line in body if line[:1] in (" ", "+"))
        text = path.read_text() if path.exists() else ""
        if text.count(old) != 1:
            return [f"{block.where}: {path.name} does not have the diff's old lines exactly once"]
        path.write_text(text.replace(old, new))
        return []

    def _python(self, block: Block) -> list[str]:
        problems = self.migrate_if_changed(block.where)
        done = self.manage("shell", "-c", block.text)
        if done.returncode != 0:
            problems.append(f"{block.where}: the Python block failed:\n{done.stdout}")
        return problems

    def migrate_if_changed(self, where: str) -> list[str]:
        if not self.changed:
            return []
        self.changed = False
        done = self.manage("migrate", "-v", "0")
        return [] if done.returncode == 0 else [f"{where}: migrate failed:\n{done.stdout}"]

    def _path(self, name: str) -> Path:
        if name == "settings.py":
            found = sorted(self.project.glob("*/settings.py"))
            return found[0] if found else self.project / name
        return self.project / name


def _lay_out(base: str, directory: Path) -> tuple[Path, Path]:
    """(the directory commands run in, the project's directory) for a session's base."""
    ignore = shutil.ignore_patterns(".pgdata", "__pycache__")
    if base == "empty":
        return directory, directory
    if base == "example-repo":
        shutil.copytree(EXAMPLE, directory / "example", ignore=ignore)
        return directory, directory / "example"
    project = directory / "project"
    shutil.copytree(EXAMPLE, project, ignore=ignore)
    if base == "shop":
        for views in project.glob("*/postgres_views.py"):
            views.unlink()
    elif base != "example":
        raise ValueError(f"unknown session base {base!r}")
    return project, project


@contextlib.contextmanager
def project(session: Session, index: int) -> Iterator[Project]:
    """The session's project, on a scratch database dropped afterwards."""
    slug = Path(session.page).stem.replace("-", "_").lower()[:24]
    name = f"{connection.settings_dict['NAME']}_doc_{slug}_{index}"
    with tempfile.TemporaryDirectory(prefix="docs-") as directory, scratch_database(name) as url:
        yield Project(session, Path(directory), url)


def run_session(session: Session, index: int) -> list[str]:
    """Every problem of the session's blocks, in page order (empty: the page is true)."""
    with project(session, index) as proj:
        problems = proj.migrate_if_changed(session.where)
        for block in session.blocks:
            problems += proj.run(block)
        return problems + proj.finish()
