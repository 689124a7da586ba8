"""Views over tables that migrations not applied yet create: left out of a migrate, not failed.

A partial migrate (`migrate auth` on an empty database, as deploy scripts and CI do; a
backwards migrate to before a table existed) leaves some of the code's tables uncreated, so the
views that read them cannot be built yet. Plain Django applies such a migrate; so does ours:
those views are left out, named in one line, and built by the migrate that creates their tables
(the next sync finds them missing).

How "not created yet" is told from a real error, precisely. A rejection qualifies only when:

* the database refused the view's statement with undefined_table (SQLSTATE 42P01), and
* the relation it could not find, read at the position the server reports for the error (so
  not from the message text, which the server translates), is a table that a model of the
  project has and the migration state after this migrate does not: the migration that creates
  it (or renames a table to it) is not applied. That state is the one Django hands the
  `post_migrate` handlers, and it is the state of the database by construction.

Anything else still fails the run: a typo in a table name (no model has that table), a table
dropped by hand (the state has it), a missing column (42703), a timeout, a syntax error.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from django.apps import apps as global_apps
from django.db import models

from ..exceptions import Rejection
from ..sql import sqlstate

#: An identifier, quoted ("" inside) or not, and the dot that may follow it.
_IDENTIFIER = re.compile(r'"((?:[^"]|"")+)"|([^\W\d][\w$]*)')
_DOT = re.compile(r"\s*\.\s*")


def leave_out_not_created(state: Any) -> Callable[[Rejection], bool] | None:
    """A test for the rejections of views over tables that `state`'s migrations lack.

    `state` is the `apps` of the migration state Django hands `post_migrate` handlers; None,
    or the project's own registry (what `flush` hands them), means every table should exist.
    """
    if state is None or state is global_apps:
        return None
    pending = _tables(global_apps.get_models(include_auto_created=True)) - _tables(
        state.get_models(include_auto_created=True)
    )
    if not pending:
        return None

    def not_created_yet(rejection: Rejection) -> bool:
        if rejection.sqlstate != sqlstate.UNDEFINED_TABLE or rejection.position is None:
            return False
        return relation_at(rejection.statement, rejection.position) in pending

    return not_created_yet


def _tables(found: Iterable[type[models.Model]]) -> set[str]:
    """The tables migrations create for these models (not those of unmanaged or proxy ones)."""
    return {
        _unqualified(model._meta.db_table)
        for model in found
        if model._meta.managed and not model._meta.proxy
    }


def _unqualified(table: str) -> str:
    # A `db_table` may name a schema the way Django quotes it: 'schema"."table'.
    return table.rsplit('"."', 1)[-1]


def relation_at(sql: str, position: int) -> str | None:
    """The relation named at `position` (1-based) of `sql`: its last identifier, as stored."""
    index, name = position - 1, None
    while (identifier := _IDENTIFIER.match(sql, index)) is not None:
        quoted, bare = identifier.groups()
        name = quoted.replace('""', '"') if quoted is not None else bare.lower()
        dot = _DOT.match(sql, identifier.end())
        if dot is None:
            break
        index = dot.end()
    return name
