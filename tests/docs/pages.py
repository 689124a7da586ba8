"""The fenced blocks of the documentation pages, and what running each one means.

The conventions a page follows (docs/development.md says the same to whoever writes one):

* `<!-- session: BASE -->` starts a session: a fresh project on a scratch database, where the
  blocks that follow run, in order, until the next session. BASE is `example` (a copy of the
  example shop, run from its directory), `example-repo` (the same, run from the directory
  above it, as README's `python example/manage.py ...`), `shop` (the example shop's models and
  migrations, without its views) or `empty` (an empty directory: the tutorial).
* ```console blocks: lines starting with `$ ` are commands, run with bash in the session's
  directory; the lines after one are what it prints (stdout and stderr), compared line by line.
  A line `...` stands for any number of lines; durations, timestamps and pids may differ. A
  command is expected to exit with status 0, or with the status its comment names
  (`$ python manage.py sync_views --check   # exit status 1`). `pip install` commands are not
  run (tests/unit/test_install_lines.py checks them, and CI runs them).
* ```python blocks whose first line is a comment naming a file (`# orders/postgres_views.py`)
  are added to the end of that file (created if missing; `# settings.py` is the project's
  settings module). A ```diff block that starts with `--- PATH` and `+++ PATH` changes a file:
  its context and `-` lines are replaced by its context and `+` lines.
* Other ```python blocks are run with `python manage.py shell -c`, after a `migrate` if a file
  changed since the last one. When the session ends, the project must pass `check` and
  `sync_views --check`.
* `<!-- output of: COMMAND -->` before a block says the block is exactly what COMMAND prints
  (a Mermaid graph drawn from `views_graph`, for instance).
* A block whose info string carries `norun` after the language (```console norun) is not run;
  there are few (benchmarks, the full test suite, builds) and tests/docs/test_markup.py counts them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
BASES = ("example", "example-repo", "shop", "empty")

SHELL = "console"
RUNNABLE = {"python", SHELL, "diff"}
NORUN = "norun"

_FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})(?P<info>[^`]*)$")
_MARKER = re.compile(r"^\s*<!--\s*(?P<key>session|output of):\s*(?P<value>.*?)\s*-->\s*$")
FILE_HEADER = re.compile(r"^# (?P<path>[\w./-]+\.py)\b")
DIFF_HEADER = re.compile(r"^--- (?P<path>\S+)\n\+\+\+ (?P=path)\n")


@dataclass(frozen=True)
class Block:
    """One fenced block: where it is, its language and flags, its text."""

    page: str
    line: int
    language: str
    flags: frozenset[str]
    text: str
    output_of: str | None = None

    @property
    def where(self) -> str:
        return f"{self.page}:{self.line}"

    @property
    def runs(self) -> bool:
        if NORUN in self.flags:
            return False
        return self.language in RUNNABLE or self.output_of is not None

    @property
    def file_path(self) -> str | None:
        """The file a ```python block is added to, or a ```diff block changes."""
        if self.language == "python":
            header = FILE_HEADER.match(self.text)
            return header["path"] if header else None
        if self.language == "diff":
            header = DIFF_HEADER.match(self.text)
            return header["path"] if header else None
        return None


@dataclass(frozen=True)
class Session:
    """`<!-- session: BASE -->`: the blocks after it run in a fresh project of that base."""

    page: str
    line: int
    base: str
    migrated: bool = False
    blocks: list[Block] = field(default_factory=list)

    @property
    def where(self) -> str:
        return f"{self.page}:{self.line}"


@dataclass
class Page:
    path: Path
    blocks: list[Block]
    sessions: list[Session]
    #: Runnable blocks that come before the page's first session (a mistake).
    orphans: list[Block]

    @property
    def name(self) -> str:
        return self.path.relative_to(ROOT).as_posix()


def read(path: Path) -> Page:
    name = path.relative_to(ROOT).as_posix()
    lines = path.read_text(encoding="utf-8").splitlines()
    blocks: list[Block] = []
    sessions: list[Session] = []
    orphans: list[Block] = []
    output_of: str | None = None
    i = 0
    while i < len(lines):
        marker = _MARKER.match(lines[i])
        fence = _FENCE.match(lines[i])
        if marker and marker["key"] == "session":
            base, *options = marker["value"].split()
            sessions.append(Session(name, i + 1, base, migrated=options == ["migrated"]))
        elif marker:
            output_of = marker["value"]
        elif fence:
            end, text = _fenced(lines, i, fence)
            words = fence["info"].split()
            language = words[0] if words else ""
            block = Block(name, i + 1, language, frozenset(words[1:]), text, output_of)
            output_of = None
            if not language.startswith("{"):  # a MyST directive (toctree, autodoc, ...)
                blocks.append(block)
                if block.runs:
                    (sessions[-1].blocks if sessions else orphans).append(block)
            i = end
        i += 1
    return Page(path, blocks, sessions, orphans)


def _fenced(lines: list[str], start: int, fence: re.Match[str]) -> tuple[int, str]:
    """The index of the closing fence line, and the text between, de-indented."""
    indent = len(fence["indent"])
    char, length = fence["fence"][0], len(fence["fence"])
    closing = re.compile(rf"^[ \t]*{re.escape(char)}{{{length},}}[ \t]*$")
    body = []
    i = start + 1
    while i < len(lines) and not closing.match(lines[i]):
        line = lines[i]
        strip = len(line) - len(line.lstrip(" "))
        body.append(line[min(indent, strip) :])
        i += 1
    return i, "\n".join(body) + "\n"


def all_pages() -> list[Page]:
    return [read(path) for path in PAGES]
