"""Errors raised by django_orm_views_hook: one base class, narrow subclasses."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import DatabaseError, NotSupportedError


class OrmViewsError(Exception):
    """Base class of every error this package raises."""


class ViewDefinitionError(OrmViewsError, ValueError):
    """A view class is defined wrongly; raised before any SQL runs."""


class DependencyError(ViewDefinitionError):
    """A view's `view_dependencies` cannot be satisfied (cycle, unknown or cross-database)."""


class RefreshScheduleError(ViewDefinitionError):
    """A view's `refresh_every` is nonsense; `check_id` is the system check that reports it."""

    def __init__(self, message: str, check_id: str) -> None:
        super().__init__(message)
        self.check_id = check_id


class UnsafeSchemaError(OrmViewsError):
    """The sync refuses to touch a schema: it is reserved or holds objects it did not create."""


class GrantError(OrmViewsError, LookupError):
    """A role to grant SELECT to does not exist; raised before any DDL runs."""


@dataclass(frozen=True)
class Rejection:
    """One view the database refused to build: the class, the statement, the server's words."""

    label: str
    statement: str
    db_message: str
    sqlstate: str | None = None
    #: Where in `statement` the server located the error (1-based, in characters), if it did.
    position: int | None = None
    #: What the statement is (sql/statement.py: VIEW_QUERY for the view's own query), if known.
    kind: str | None = None


class ViewBuildError(OrmViewsError, DatabaseError):
    """The database rejected the SQL of one or more views; the whole transaction is rolled back.

    `rejections` lists every view the database refused, each with its message; `blocked` the
    views not tried because they read a rejected one (they would fail only because of it).
    """

    def __init__(self, rejections: Sequence[Rejection], blocked: Sequence[str] = ()) -> None:
        self.rejections = tuple(rejections)
        self.blocked = tuple(blocked)
        first = self.rejections[0]
        self.label, self.statement, self.db_message = first.label, first.statement, first.db_message
        if len(self.rejections) == 1:
            message = f"{first.label}: the database rejected this view: {first.db_message}"
        else:
            message = f"The database rejected {len(self.rejections)} views:" + "".join(
                f"\n  {r.label}: {_indent(r.db_message)}" for r in self.rejections
            )
        if self.blocked:
            message += (
                "\nNot built because they read a rejected view: " + ", ".join(self.blocked) + "."
            )
        super().__init__(message)


def _indent(text: str) -> str:
    # The server's message may span lines (LINE 2: ... ^): keep them under their view.
    return text.replace("\n", "\n    ")


class LockTimeoutError(OrmViewsError, DatabaseError):
    """The sync could not take its locks within ORM_VIEWS_LOCK_TIMEOUT; nothing changed."""


class StuckLockError(LockTimeoutError):
    """Sessions hold what the run needs while they wait for what it holds; not cancelled."""


class RefreshError(OrmViewsError):
    """A refresh run cannot start (e.g. called inside a transaction); nothing was refreshed."""


class ServerError(OrmViewsError, DatabaseError):
    """The server failed for a reason of its own (out of shared memory, shutting down, disk):
    no view is at fault; the transaction is rolled back."""


class LockCapacityError(OrmViewsError):
    """The server's lock table cannot hold the locks the sync needs; raised before any DDL."""


class ConnectionLostError(OrmViewsError, DatabaseError):
    """The connection broke mid-sync; the server rolled the transaction back."""


class ReadOnlyViewError(OrmViewsError, NotSupportedError):
    """A write (save, delete, update, ...) on a readable view; raised before any SQL runs."""


class SqlSyntaxError(OrmViewsError, ValueError):
    """PostgreSQL's grammar rejects a piece of SQL."""
