"""Commands and the output a page shows for them, compared with what they print today.

A shown line matches a printed one when they are the same text, except for what changes from
run to run: durations (`0.014s`, `12 ms`), timestamps, ages (`0:04:12`), pids, and the width of
runs of two spaces or more (table columns). A shown line `...` matches any number of lines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

PROMPT = "$ "
ELLIPSIS = "..."
_STATUS = re.compile(r"\s#\s.*\bexit status (?P<status>\d+)\b")

_VARIABLE = re.compile(
    r"(?P<time>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?: [A-Z]{2,5})?)"
    r"|(?P<duration>(?<![\w.])\d+\.\d+s\b)"
    r"|(?P<ms>(?<![\w.])\d+(?:\.\d+)? ?ms\b)"
    r"|(?P<age>(?<![\w:])\d+:\d\d:\d\d(?:\.\d+)?(?![\w:]))"
    r"|(?P<pid>\bpid \d+\b)"
    r"|(?P<spaces> {2,})"
)
_PATTERNS = {
    "time": r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?: [A-Z]{2,5})?",
    "duration": r"\d+\.\d+s",
    "ms": r"\d+(?:\.\d+)? ?ms",
    "age": r"\d+:\d\d:\d\d(?:\.\d+)?",
    "pid": r"pid \d+",
    "spaces": r" +",
}


@dataclass(frozen=True)
class Command:
    """`$ COMMAND` in a console block, with the lines shown after it."""

    line: int
    text: str
    shown: tuple[str, ...]

    @property
    def status(self) -> int:
        """The exit status its comment names (`# exit status 1`), else 0."""
        found = _STATUS.search(self.text)
        return int(found["status"]) if found else 0

    @property
    def installs(self) -> bool:
        """`pip install ...`: not run by the docs' tests (test_install_lines checks them)."""
        return self.text.startswith(("pip ", "python -m pip "))


def commands(text: str, first_line: int) -> list[Command]:
    """The commands of a console block (first_line: the block's first line in its page)."""
    found: list[Command] = []
    current: tuple[int, str] | None = None
    shown: list[str] = []
    for offset, line in enumerate(text.splitlines()):
        if line.startswith(PROMPT):
            if current:
                found.append(Command(current[0], current[1], tuple(shown)))
            current, shown = (first_line + 1 + offset, line[len(PROMPT) :]), []
        elif current is None:
            if line.strip():
                raise ValueError(f"line {first_line + 1 + offset}: output before any `$ ` command")
        else:
            shown.append(line)
    if current:
        found.append(Command(current[0], current[1], tuple(shown)))
    return found


def line_pattern(shown: str) -> str:
    """A regular expression for one shown line (without anchors)."""
    parts, last = [], 0
    for variable in _VARIABLE.finditer(shown):
        parts.append(re.escape(shown[last : variable.start()]))
        parts.append(_PATTERNS[variable.lastgroup or ""])
        last = variable.end()
    parts.append(re.escape(shown[last:]))
    return "".join(parts)


def clean(output: str) -> list[str]:
    """Printed lines without trailing blanks, and without empty lines at either end."""
    lines = [line.rstrip() for line in output.splitlines()]
    while lines and not lines[-1]:
        lines.pop()
    while lines and not lines[0]:
        lines.pop(0)
    return lines


def mismatch(shown: list[str] | tuple[str, ...], printed: str) -> str | None:
    """None when the printed output is what is shown, else a message saying where it differs."""
    wanted = clean("\n".join(shown))
    got = clean(printed)
    pattern = "".join(
        r"(?:[^\n]*\n)*?" if line.strip() == ELLIPSIS else line_pattern(line) + r"\n"
        for line in wanted
    )
    if re.fullmatch(pattern, "".join(f"{line}\n" for line in got)):
        return None
    return _first_difference(wanted, got)


def _first_difference(wanted: list[str], got: list[str]) -> str:
    """A message naming the first shown line that the output lacks where the page shows it."""
    printed = "\n".join(f"    {line}" for line in got) or "    (nothing)"
    position = 0
    for line in wanted:
        if line.strip() == ELLIPSIS:
            continue
        pattern = re.compile(line_pattern(line))
        found = next((i for i in range(position, len(got)) if pattern.fullmatch(got[i])), None)
        if found is None:
            return f"the output has no line matching {line!r} where the page shows it:\n{printed}"
        position = found + 1
    return f"the output has lines the page does not show (`...` stands for lines):\n{printed}"
