"""Just enough SQL lexing to tell that a view's `sql` is one query, before any SQL runs.

Semicolons and words inside strings, quoted identifiers, comments and dollar quotes do not
count. A full parser (sqlparse) costs about a millisecond per view, which at thousands of
views would dominate every `migrate`; this costs microseconds.
"""

from __future__ import annotations

import re

_TOKEN = re.compile(
    r"""
      (?P<dollar>(?<![\w$])\$(?:[A-Za-z_][A-Za-z_0-9]*)?\$)
    | (?P<line>--[^\n]*)
    | (?P<block>/\*)
    | (?P<estring>(?<![\w$])[eE]'(?:[^'\\]|\\.|'')*')
    | (?P<string>'(?:[^']|'')*')
    | (?P<identifier>"(?:[^"]|"")*")
    | (?P<semicolon>;)
    """,
    re.VERBOSE | re.DOTALL,
)
_LEADING = re.compile(r"(?:\s+|--[^\n]*|\()+")
_WORD = re.compile(r"[A-Za-z_]+")


def _end_of_block_comment(sql: str, position: int) -> int:
    """Where a /* comment opened just before `position` ends (they nest in PostgreSQL)."""
    depth = 1
    while depth and position < len(sql):
        opening, closing = sql.find("/*", position), sql.find("*/", position)
        if closing < 0:
            return len(sql)
        if 0 <= opening < closing:
            depth, position = depth + 1, opening + 2
        else:
            depth, position = depth - 1, closing + 2
    return position


def statements(sql: str) -> list[str]:
    """The statements of `sql`: split at top-level semicolons, blank pieces left out."""
    if ";" not in sql:  # the usual case, and the lexer's costliest
        return [sql] if sql.strip() else []
    parts, start, position = [], 0, 0
    while match := _TOKEN.search(sql, position):
        kind = match.lastgroup
        position = match.end()
        if kind == "semicolon":
            parts.append(sql[start : match.start()])
            start = position
        elif kind == "dollar":
            closing = sql.find(match.group(), position)
            position = len(sql) if closing < 0 else closing + len(match.group())
        elif kind == "block":
            position = _end_of_block_comment(sql, position)
    parts.append(sql[start:])
    return [part for part in parts if first_word(part)]


def first_word(sql: str) -> str:
    """The first keyword, upper-cased, after leading blanks, comments and parentheses."""
    position = 0
    while True:
        if leading := _LEADING.match(sql, position):
            position = leading.end()
        elif sql.startswith("/*", position):
            position = _end_of_block_comment(sql, position + 2)
        else:
            break
    word = _WORD.match(sql, position)
    return word.group().upper() if word else ""
