"""Errors raised by django_orm_views_hook: one base class, narrow subclasses."""

from __future__ import annotations

from django.db import DatabaseError, NotSupportedError


class OrmViewsError(Exception):
    """Base class of every error this package raises."""


class ViewDefinitionError(OrmViewsError, ValueError):
    """A view class is defined wrongly; raised before any SQL runs."""


class DependencyError(ViewDefinitionError):
    """A view's `view_dependencies` cannot be satisfied (cycle, unknown or cross-database)."""


class UnsafeSchemaError(OrmViewsError):
    """The sync refuses to touch a schema: it is reserved or holds objects it did not create."""


class GrantError(OrmViewsError, LookupError):
    """A role to grant SELECT to does not exist; raised before any DDL runs."""


class ViewBuildError(OrmViewsError, DatabaseError):
    """The database rejected the SQL of a view; the whole transaction is rolled back."""

    def __init__(self, label: str, statement: str, db_message: str) -> None:
        self.label = label
        self.statement = statement
        self.db_message = db_message
        super().__init__(f"{label}: the database rejected this view: {db_message}")


class LockTimeoutError(OrmViewsError, DatabaseError):
    """The sync could not take its locks within ORM_VIEWS_LOCK_TIMEOUT; nothing changed."""


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
    """PostgreSQL's grammar rejects a piece of SQL (as read by sql_text.parse)."""
